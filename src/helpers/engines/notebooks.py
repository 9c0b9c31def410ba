"""The reviewers' notebooks: each chapter as one Jupyter notebook that reads as the chapter and checks itself.

``output/<lang>/notebooks/<chapter>.ipynb`` holds, in reading order:

- a first code cell that finds the project (``helpers.review.use_project``: ``$REPORT_ROOT``, else the project
  three folders up from the notebook, where ``report build`` writes it);
- the chapter's text as Markdown cells, as a reader sees it: converted by pandoc with the book's Lua filter
  (``crossref.lua``: headings numbered, cross-references and captions with their printed labels) and
  ``notebook.lua`` (floats unwrapped, captions as paragraphs), inline numbers as printed, footnotes at the end;
- the chapter's code cells with the outputs of the build (figures, tables, source lines);
- a last cell that recomputes every inline expression and compares it with the printed text
  (``helpers.review.check_numbers``); its stored output is made by the same function a rerun calls.

The chapter's source is published beside them, ``output/<lang>/source/<chapter>.qmd``. Everything is
deterministic: cell ids follow the chapter's file name and the cell's place, no timestamps, no absolute paths, and
every output is what ``jupyter nbconvert --execute`` of the notebook gives again, byte for byte (displayed objects
have reprs without memory addresses, SVG ids are salted with a constant, the metadata is the kernel's).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from helpers import review
from helpers.core import environment, paths, qmd
from helpers.core.config import Edition
from helpers.engines import render
from helpers.engines.assemble import FLOAT_PREFIXES, Page

MARKER = "NBCELL{:04d}"
MARKER_LINE = re.compile(r"^NBCELL(\d{4})$", re.M)
ROOT_FROM_NOTEBOOK = "../../.."  # output/<lang>/notebooks/ -> the project
WRITER = "gfm-footnotes"  # GitHub Markdown, as Jupyter renders it; footnotes as [1] and a list at the end

ROOT_CELL = f"""\
# The project this notebook belongs to: $REPORT_ROOT, else {ROOT_FROM_NOTEBOOK} from output/<lang>/notebooks/
try:
    from helpers.review import use_project
except ModuleNotFoundError:
    raise ModuleNotFoundError("this kernel lacks the project's package 'helpers': choose the kernel "
                              "'{review.KERNEL_DISPLAY_NAME}' (make lab registers it)") from None
project = use_project("{ROOT_FROM_NOTEBOOK}")"""

CHECK_CELL = """\
# Every number of the text above, recomputed from the data and compared with the text as printed
from helpers.review import check_numbers
check_numbers(globals(), {lang!r}, [
{rows}])"""


def _text_with_cells(chapter: qmd.Chapter, values: list[str]) -> str:
    """The chapter's Markdown with its inline values and a marker paragraph where each cell stands (inside the
    float it belongs to, so that the float's caption follows it)."""
    given = iter(values)
    out: list[str] = []
    index = 0
    for part in chapter.parts:
        if isinstance(part, str):
            out.append(qmd.INLINE.sub(lambda m: next(given), part))
            continue
        marker = MARKER.format(index)
        label = str(part.options.get("label") or "")
        cap = part.options.get("fig-cap") or part.options.get("tbl-cap")
        if label.startswith(FLOAT_PREFIXES) and cap:
            marker = f"::: {{#{label}}}\n{marker}\n\n{cap}\n:::"
        out.append(f"\n\n{marker}\n\n")
        index += 1
    return "".join(out)


def _pieces(markdown: str, cells: int) -> list:
    """The converted text split at the markers: Markdown strings and cell indexes, in reading order. A cell
    whose marker the conversion dropped (a block shown only in another format) follows the cell before it."""
    parts = MARKER_LINE.split(markdown)
    seq: list = []
    for k, part in enumerate(parts):
        if k % 2:
            seq.append(int(part))
        elif part.strip():
            seq.append(part.strip("\n"))
    for index in range(cells):
        if index not in seq:
            before = [i for i, p in enumerate(seq) if isinstance(p, int) and p < index]
            seq.insert(before[-1] + 1 if before else 0, index)
    return seq


def data_package(root: Path) -> dict:
    """The data package's name and version, and a digest of its files (the data the notebook was run on)."""
    folder = paths.data_dir(root)
    descriptor = {}
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(f"{path.relative_to(folder).as_posix()}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return {"name": descriptor.get("name", ""), "version": descriptor.get("version", ""),
            "sha256": h.hexdigest()}


def _where(book: Edition, path: Path) -> str:
    try:
        return path.resolve().relative_to(book.root.resolve()).as_posix()
    except ValueError:
        return path.name


def notebook(book: Edition, page: Page, chapter: qmd.Chapter, executed: dict, text: str, package: dict,
             lock: dict | None = None):
    """The chapter's notebook: root cell, text and code cells in reading order, check cell. Its metadata is what
    Jupyter leaves as it is when it executes the notebook (``language_info`` as the kernel reports it), with the
    data package and the lock (``environment``) it was run on."""
    import nbformat  # loaded when a notebook is written, not by a build with nothing to do

    lang, stem = book.lang, page.stem
    code = executed.get("cells", [])
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": review.KERNEL_NAME, "display_name": review.KERNEL_DISPLAY_NAME,
                       "language": "python"},
        "language_info": review.language_info(),
        "ngo-report": {"edition": lang, "source": _where(book, chapter.path), "title": page.title,
                       "data_package": package, "environment": lock, "project_root": ROOT_FROM_NOTEBOOK,
                       "numbers": len(page.inline)},
    }
    nb.cells.append(nbformat.v4.new_code_cell(ROOT_CELL, id=f"{stem}-project"))
    texts = 0
    for piece in _pieces(text, len(code)):
        if isinstance(piece, str):
            texts += 1
            nb.cells.append(nbformat.v4.new_markdown_cell(piece, id=f"{stem}-text-{texts}"))
            continue
        cell = nbformat.from_dict(code[piece])
        cell.metadata["ngo-report"] = {"line": chapter.cells[piece].line}
        nb.cells.append(cell)
    rows = "".join(f"    ({v['line']}, {v['expression']!r}, {v['text']!r}),\n" for v in page.inline)
    check = nbformat.v4.new_code_cell(CHECK_CELL.format(lang=lang, rows=rows), id=f"{stem}-numbers")
    check.metadata["jupyter"] = {"source_hidden": True}  # a long list; its table says it all
    checked = [(v["line"], v["expression"], v["text"], v["text"], v["rows"]) for v in page.inline]
    check.outputs = [nbformat.v4.new_output("display_data", data=review.numbers_bundle(lang, checked))]
    nb.cells.append(check)
    number = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            number += 1
            cell.execution_count = number
            for out in cell.outputs:
                if "execution_count" in out:
                    out["execution_count"] = number
    return nb


def write(book: Edition, pages: list[Page], executed: dict, registry_path: Path, target: Path) -> list[str]:
    """Write every chapter's notebook into ``target/notebooks`` and its source into ``target/source``;
    returns the filter's warnings (the site reports the same ones)."""
    folder, sources = target / "notebooks", target / "source"
    folder.mkdir(parents=True, exist_ok=True)
    sources.mkdir(parents=True, exist_ok=True)
    package, lock = data_package(book.root), environment.record(book.root)
    by_stem = {path.stem: path for path in book.files}
    for page in pages:
        chapter = qmd.parse(by_stem[page.stem])
        marked = _text_with_cells(chapter, [v["text"] for v in page.inline])
        text, _ = render.pandoc(marked, WRITER, ["--metadata", f"crossref-registry={registry_path}",
                                                 "--lua-filter", str(render.resource_path("notebook.lua"))])
        nb = notebook(book, page, chapter, executed.get(page.stem, {}), text, package, lock)
        # nbformat's own writer without its schema check (the tests validate the notebooks; it costs 0.1 s each)
        from nbformat.v4.nbjson import JSONWriter

        (folder / f"{page.stem}.ipynb").write_text(JSONWriter().writes(nb) + "\n", encoding="utf-8")
        (sources / f"{page.stem}.qmd").write_bytes(chapter.path.read_bytes())
    return []
