"""What the cells of the reviewers' notebooks call: find the project, recheck the numbers of the text.

Each chapter's notebook (``output/<lang>/notebooks/<chapter>.ipynb``) opens with ``use_project`` and ends with
``check_numbers``, which recomputes every inline expression of the chapter and compares it with the text as
printed. The table it shows is built by ``numbers_bundle``, which the build uses too, so a notebook rerun
on unchanged data shows exactly the output that was published.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from helpers.core import paths
from helpers.lang.fmt import inline_origin

KERNEL_NAME = "ngo-report"
KERNEL_DISPLAY_NAME = "NGO report 2019 (project .venv)"


def language_info() -> dict:
    """What the project's kernel (ipykernel on this Python) tells Jupyter of its language, which Jupyter writes
    into a notebook it executes: the published notebooks carry the same, so ``jupyter nbconvert --execute``
    leaves their metadata as it is (``tests/test_notebooks.py`` checks it against ipykernel's own)."""
    return {"name": "python", "version": sys.version.split()[0], "mimetype": "text/x-python",
            "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]}, "pygments_lexer": "ipython3",
            "nbconvert_exporter": "python", "file_extension": ".py"}

# the words of the table, in the edition's language
WORDS = {
    "kk": {"line": "Жол", "expression": "Өрнек", "printed": "Мәтінде", "recomputed": "Қайта есептелген",
           "rows": "Деректер жолдары", "ok": "Сәйкес",
           "all_ok": "Мәтіндегі барлық мәндер ({n}) деректерден қайта есептелді және басылғанымен сәйкес келеді.",
           "differ": "Басылғанынан өзгеше мәндер: {k} (барлығы {n})."},
    "ru": {"line": "Строка", "expression": "Выражение", "printed": "В тексте", "recomputed": "Пересчитано",
           "rows": "Строки данных", "ok": "Совпадает",
           "all_ok": "Все значения текста ({n}) пересчитаны по данным и совпадают с напечатанными.",
           "differ": "Отличаются от напечатанных: {k} (всего {n})."},
    "en": {"line": "Line", "expression": "Expression", "printed": "In the text", "recomputed": "Recomputed",
           "rows": "Data rows", "ok": "Matches",
           "all_ok": "Every value of the text ({n}) was recomputed from the data and matches the printed one.",
           "differ": "Values that differ from the printed ones: {k} (of {n})."},
}


def use_project(relative_root: str) -> Path:
    """Make the notebook's cells find the project: ``$REPORT_ROOT`` if set, else ``relative_root`` (the
    project's folder seen from the notebook's folder, where Jupyter starts its kernel), else the working folder
    and its parents. Raises a one-line error saying what to do."""
    env = os.environ.get("REPORT_ROOT")
    if env:
        root = Path(env).resolve()
        if not (root / paths.MARKER).exists():
            raise FileNotFoundError(f"REPORT_ROOT={env} holds no {paths.MARKER}: set it to the project's folder")
        return root
    here = Path.cwd()
    candidate = (here / relative_root).resolve()
    if (candidate / paths.MARKER).exists():
        os.environ["REPORT_ROOT"] = str(candidate)
        return candidate
    try:
        root = paths.project_root(here)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"this notebook looks for the project at {relative_root} from {here} and finds no {paths.MARKER}: "
            "open it where `report build` wrote it (output/<lang>/notebooks/ of the project), or set "
            "REPORT_ROOT to the project's folder before starting Jupyter") from None
    os.environ["REPORT_ROOT"] = str(root)
    return root


def printed_text(value) -> tuple[str, str]:
    """An inline value as the text prints it (the build's rendering) and its data rows."""

    render = getattr(value, "_repr_markdown_", None)
    if render is not None:
        markdown = render()
        markdown = markdown[0] if isinstance(markdown, tuple) else markdown
    else:
        markdown = str(value)
    origin = inline_origin(str(markdown))
    return origin["text"], origin["rows"]


def _cell(text: str) -> str:
    """A table cell: the text as printed (its no-break spaces kept) on one line."""
    return re.sub(r"[ \t\r\n]+", " ", str(text).replace("|", "\\|")).strip()


def numbers_bundle(lang: str, checked: list[tuple[int, str, str, str, str]]) -> dict:
    """The check's output: a Markdown table (and its plain text) of (line, expression, printed, recomputed,
    rows); a row is ok when the recomputed text is the printed one."""
    w = WORDS[lang]
    bad = sum(1 for _, _, printed, again, _ in checked if printed != again)
    head = (w["all_ok"] if not bad else w["differ"]).format(n=len(checked), k=bad)
    cols = [w["line"], w["expression"], w["printed"], w["recomputed"], w["rows"], w["ok"]]
    lines = ["| " + " | ".join(cols) + " |", "|---:|:---|---:|---:|:---|:---:|"]
    plain = [head]
    for line, expr, printed, again, rows in checked:
        ok = "✓" if printed == again else "✗"
        lines.append("| " + " | ".join([str(line), f"`{_cell(expr)}`", _cell(printed), _cell(again),
                                        _cell(rows), ok]) + " |")
        plain.append(f"{ok} {line}: {expr} = {again!r}" + ("" if printed == again else f" (printed {printed!r})"))
    return {"text/markdown": head + "\n\n" + "\n".join(lines) + "\n", "text/plain": "\n".join(plain)}


class NumbersDiffer(AssertionError):
    """Some numbers of the text are not what the data gives now."""


def check_numbers(namespace: dict, lang: str, printed: list[tuple[int, str, str]]) -> None:
    """Recompute each inline expression ``(line, expression, printed text)`` in the notebook's namespace, show
    the table, and fail when any differs from the printed text."""
    from IPython.display import display

    checked = []
    for line, expr, text in printed:
        try:
            again, rows = printed_text(eval(expr, namespace))
        except Exception as err:  # the table shows it; the check fails below
            again, rows = f"{type(err).__name__}: {err}", ""
        checked.append((line, expr, text, again, rows))
    display(numbers_bundle(lang, checked), raw=True)
    bad = [f"line {line}: {expr}" for line, expr, text, again, _ in checked if text != again]
    if bad:
        raise NumbersDiffer(WORDS[lang]["differ"].format(n=len(checked), k=len(bad)) + " " + "; ".join(bad))
