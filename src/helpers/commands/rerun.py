"""``report rerun``: execute the published notebooks again in fresh kernels and compare every output.

Each notebook of ``<output>/<lang>/notebooks`` is copied into a temporary folder and executed there in a kernel
of its own (the project's Python; ``REPORT_ROOT`` names the project, so the current ``data/`` is used), every
cell even after an error. Its code cells are then compared with the published ones, output by output, as they
are: the outputs of a notebook carry nothing that depends on the run (reprs without memory addresses, SVG ids
salted with a constant), so that Jupyter's own tools (``jupyter nbconvert --execute``, ``nbdiff``) reproduce them
too. What Jupyter cannot make stable is left out of the comparison: execution counts (a kernel's history), and
an error's traceback (absolute paths, terminal colours), of which the error's name and message are compared.
A difference is shown as a unified diff of the output's text
(a chart's values are its text alternative; a table's rows are lines), naming the notebook, the cell, and the
chapter line it comes from. Nothing published is touched; ``keep`` writes the rerun notebooks somewhere for
``nbdiff``/``nbdiff-web`` (nbdime).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import signal
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

from helpers.core.files import write_atomic
from helpers.core.processes import child_setup, children

Progress = Callable[[str], None]

ANSI = re.compile(r"\x1b\[[0-9;]*m")
MAX_DIFF_LINES = 40


@dataclass
class Outcome:
    notebook: Path  # the published notebook
    lang: str
    cells: int = 0  # code cells compared
    seconds: float = 0.0
    differences: list[str] = field(default_factory=list)  # readable, one block per changed cell
    ran: bool = True  # False: the kernel died or a cell ran over the timeout

    @property
    def reproduced(self) -> bool:
        return not self.differences


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value if isinstance(value, str) else repr(value)


def _joined(value):
    """An output's data or metadata with its multi-line strings joined (nbformat may store them as lists)."""
    if isinstance(value, dict):
        return {k: _joined(v) for k, v in value.items()}
    return _text(value) if isinstance(value, (str, list)) else value


def comparable(output: dict) -> dict:
    """An output as compared: kind, data and metadata (streams: their text; errors: name and value)."""
    kind = output.get("output_type")
    if kind == "stream":
        return {"stream": output.get("name"), "text": _text(output.get("text", ""))}
    if kind == "error":
        return {"error": f"{output.get('ename')}: {ANSI.sub('', str(output.get('evalue')))}"}
    return {"data": _joined(dict(output.get("data", {}))), "metadata": _joined(dict(output.get("metadata", {})))}


def _shown(value) -> list[str]:
    if isinstance(value, dict):
        return [line for k in sorted(value) for line in [f"{k}:"] + ["  " + x for x in _shown(value[k])]]
    return str(value).splitlines() or [""]


NUM_SPAN = re.compile(r'\[([^\]]*)\]\{\.num [^}]*\}')


def _readable(value) -> list[str]:
    """Lines of an output's text as a reader sees it (a number's tooltip left out)."""
    return NUM_SPAN.sub(r"\1", str(value)).splitlines() or [""]


def _unified(a, b) -> list[str]:
    diff = list(difflib.unified_diff(_readable(a) if a is not None else [], _readable(b) if b is not None else [],
                                     n=1, lineterm=""))
    return diff[2:] if len(diff) > 2 else [f"- {a!r}", f"+ {b!r}"]


def _data_csv(meta: dict) -> str | None:
    """The CSV behind a figure or table: in the output's metadata, or in that of its Markdown."""
    for value in (meta, *meta.values()):
        if isinstance(value, dict) and isinstance(value.get("ngo-report"), dict) and "csv" in value["ngo-report"]:
            return value["ngo-report"]["csv"]
    return None


def _diff_lines(before: dict, after: dict) -> list[str]:
    """What differs between two comparable outputs, for a reader: a changed drawing is named (its values are
    in its text alternative), the first changed text representation is diffed (Markdown before plain text),
    and the data behind a figure or table (its CSV) is diffed row by row."""
    if "data" not in before or "data" not in after:
        return [f"{key}:" for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)] + \
            _unified("\n".join(_shown(before)), "\n".join(_shown(after)))
    lines = []
    a, b = before["data"], after["data"]
    for mime in sorted(set(a) | set(b), key=lambda m: (m != "image/svg+xml", m != "text/markdown", m)):
        if a.get(mime) == b.get(mime):
            continue
        if mime == "image/svg+xml":
            lines.append("the figure is drawn differently")
            continue
        lines.append(f"{mime}:")
        lines += _unified(a.get(mime), b.get(mime))
        break  # one text representation is enough
    csv_a, csv_b = _data_csv(before["metadata"]), _data_csv(after["metadata"])
    if csv_a != csv_b:
        lines.append("its data (CSV):")
        lines += _unified(csv_a, csv_b)
    if not lines:
        lines.append("metadata: " + ", ".join(sorted(k for k in set(before["metadata"]) | set(after["metadata"])
                                                    if before["metadata"].get(k) != after["metadata"].get(k))))
    return lines


def _label(cell, index: int) -> str:
    first = next((l for l in _text(cell.get("source", "")).splitlines() if l.strip() and not l.startswith("#")), "")
    line = cell.get("metadata", {}).get("ngo-report", {}).get("line")
    where = f", chapter line {line}" if line else ""
    return f"cell {index + 1} (id {cell.get('id', '?')}{where}: {first.strip()[:70]})"


def compare(published, rerun, name: str) -> list[str]:
    """Readable differences between the code cells of two versions of a notebook, one block per cell."""
    out = []
    fresh = {c.get("id"): c for c in rerun.cells if c.cell_type == "code"}
    for index, cell in enumerate(published.cells):
        if cell.cell_type != "code":
            continue
        other = fresh.get(cell.get("id"))
        if other is None:
            out.append(f"{name}: {_label(cell, index)} is missing from the rerun")
            continue
        a = [comparable(o) for o in cell.outputs]
        b = [comparable(o) for o in other.outputs]
        if a == b:
            continue
        lines = [f"{name}: {_label(cell, index)}: outputs differ"]
        for k in range(max(len(a), len(b))):
            if k >= len(a):
                lines += [f"  output {k + 1} is new in the rerun:"] + ["  + " + l for l in _shown(b[k])[:10]]
            elif k >= len(b):
                lines += [f"  output {k + 1} is missing from the rerun:"] + ["  - " + l for l in _shown(a[k])[:10]]
            elif a[k] != b[k]:
                diff = _diff_lines(a[k], b[k])
                shown = diff[:MAX_DIFF_LINES]
                lines += [f"  output {k + 1}:"] + ["    " + l for l in shown]
                if len(diff) > len(shown):
                    lines.append(f"    ... {len(diff) - len(shown)} more line(s)")
        out.append("\n".join(lines))
    return out


def execute(path: Path, timeout: int = 600):
    """Execute a copy of the notebook in a temporary folder with a fresh kernel of this Python; returns it.
    The kernel finds the project through ``REPORT_ROOT`` (set by ``rerun``)."""
    import subprocess

    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="report-rerun-") as tmp:
        shutil.copyfile(path, Path(tmp) / path.name)
        # python3: the kernel of the Python running this command, whatever kernels Jupyter knows of
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                record_timing=False, resources={"metadata": {"path": tmp}})
        client.execute(stderr=subprocess.DEVNULL, preexec_fn=child_setup())  # the kernel ends with us
    return nb


@contextmanager
def _stopping(pool: ThreadPoolExecutor):
    """Interrupted (Ctrl-C, SIGTERM): the notebooks not started are dropped and the running ones' kernels (this
    process's only children) stopped, so that the command ends now rather than when every notebook has run."""
    try:
        yield
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for pid in children():
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        raise


@contextmanager
def _environment(root: Path):
    """The kernels' environment: the project's root, charts drawn without a display."""
    saved = {k: os.environ.get(k) for k in ("REPORT_ROOT", "MPLBACKEND")}
    os.environ["REPORT_ROOT"] = str(root)
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def select(out_root: Path, langs: tuple[str, ...], names: tuple[str, ...]) -> list[tuple[str, Path]]:
    """The published notebooks to rerun: all of each edition, or those named (file, stem or path)."""
    found = []
    for lang in langs:
        folder = out_root / lang / "notebooks"
        if not folder.is_dir():
            raise FileNotFoundError(f"no notebooks in {folder}: run `report build --lang {lang}` first")
        for path in sorted(folder.glob("*.ipynb")):
            if not names or any(n in (path.name, path.stem) or Path(n).resolve() == path.resolve() for n in names):
                found.append((lang, path))
    if names and not found:
        raise FileNotFoundError(f"no notebook named {', '.join(names)} in {', '.join(str(out_root / l / 'notebooks') for l in langs)}")
    return found


def _one(lang: str, path: Path, keep: Path | None, timeout: int) -> Outcome:
    start = time.perf_counter()
    published = nbformat.read(path, as_version=4)
    outcome = Outcome(path, lang, cells=sum(1 for c in published.cells if c.cell_type == "code"))
    try:
        fresh = execute(path, timeout)
    except Exception as err:  # a kernel that died or a cell over the timeout: this notebook did not reproduce
        from nbclient.exceptions import CellTimeoutError

        why = f"a cell ran over {timeout} s (raise it with --timeout)" if isinstance(err, CellTimeoutError) else \
            f"{type(err).__name__}: {err}"
        outcome.differences, outcome.ran = [f"{lang}/{path.name}: could not be run again: {why}"], False
        outcome.seconds = time.perf_counter() - start
        return outcome
    outcome.differences = compare(published, fresh, f"{lang}/{path.name}")
    outcome.seconds = time.perf_counter() - start
    if keep is not None:
        write_atomic(keep / lang / path.name, nbformat.writes(fresh) + "\n")
    return outcome


def rerun(root: Path, out_root: Path, langs: tuple[str, ...], names: tuple[str, ...] = (),
          keep: Path | None = None, timeout: int = 600, jobs: int = 0, progress: Progress = print) -> list[Outcome]:
    """Rerun the selected notebooks, ``jobs`` at a time (0: one per core), reporting each in order."""
    chosen = select(out_root, langs, names)
    outcomes = []
    with _environment(root), ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool, \
            _stopping(pool):
        for outcome in pool.map(lambda item: _one(*item, keep, timeout), chosen):
            name = f"[{outcome.lang}] {outcome.notebook.name}"
            if outcome.reproduced:
                progress(f"{name}: reproduced ({outcome.cells} code cells, {outcome.seconds:.1f} s)")
            else:
                progress(f"{name}: {len(outcome.differences)} cell(s) differ" if outcome.ran else f"{name}: not reproduced")
                for block in outcome.differences:
                    progress(block)
            outcomes.append(outcome)
    return outcomes
