"""Executing chapters in a Jupyter kernel (nbclient), with a cache keyed by everything an output depends on.

One kernel serves all chapters of an edition; its namespace is reset between chapters. A chapter's cached
result is reused when its code, the helper package, the library versions and every data file it read are
unchanged; editing prose never re-executes anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from . import BuildError
from .qmd import Chapter

INLINE_CELL = """\
import json as _json
from helpers import data as _data
def _inline_render(x):
    f = getattr(x, "_repr_markdown_", None)
    if f is not None:
        r = f()
        return r[0] if isinstance(r, tuple) else r
    return str(x)
_inline = []
for _expr, _line in {exprs!r}:
    try:
        _inline.append(_inline_render(eval(_expr)))
    except Exception as _err:
        _inline.append({{"error": f"{{type(_err).__name__}}: {{_err}}", "line": _line, "expr": _expr}})
display({{"application/json": {{"inline": _inline, "reads": dict(_data.READS)}}}}, raw=True)
"""

RESET_CELL = "get_ipython().reset(new_session=False, aggressive=False)\nfrom helpers import data as _d; _d.READS.clear()"

LIBRARIES = ("pandas", "matplotlib", "numpy", "ipykernel", "nbclient", "pypandoc-binary", "typst")


@dataclass
class Executed:
    outputs: list[list[dict]]  # per cell of the chapter
    inline: list[str]
    reads: dict[str, str]
    cached: bool = False
    notebook: dict = field(default_factory=dict)


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def environment_key() -> str:
    """Python, library versions and the helper package's own source."""
    parts = [sys.version, platform.machine()]
    for lib in LIBRARIES:
        try:
            parts.append(f"{lib}=={metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{lib}==?")
    pkg = Path(__file__).resolve().parents[1]
    for path in sorted(pkg.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".lua", ".typ", ".html", ".css", ".js"):
            parts.append(f"{path.relative_to(pkg)}:{_sha(path.read_bytes())}")
    return _sha("\n".join(parts))


def chapter_key(chapter: Chapter, lang: str, env_key: str) -> str:
    code = [json.dumps([c.code, c.options], sort_keys=True, ensure_ascii=False) for c in chapter.cells]
    exprs = [e for e, _ in chapter.inline]
    return _sha(json.dumps([lang, env_key, code, exprs], ensure_ascii=False))


class Cache:
    """Executed chapters on disk: ``<dir>/<lang>/<chapter>.json``."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def _path(self, lang: str, chapter: Chapter) -> Path:
        return self.folder / lang / (chapter.path.stem + ".json")

    def get(self, lang: str, chapter: Chapter, key: str) -> Executed | None:
        if self.folder is None:
            return None
        path = self._path(lang, chapter)
        if not path.exists():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if entry.get("key") != key:
            return None
        for file, digest in entry["reads"].items():
            p = Path(file)
            if not p.exists() or _sha(p.read_bytes()) != digest:
                return None
        return Executed(entry["outputs"], entry["inline"], entry["reads"], cached=True, notebook=entry["notebook"])

    def put(self, lang: str, chapter: Chapter, key: str, result: Executed) -> None:
        if self.folder is None:
            return
        path = self._path(lang, chapter)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"key": key, "outputs": result.outputs, "inline": result.inline, "reads": result.reads,
                 "notebook": result.notebook}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)


def notebook_of(chapter: Chapter) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["source"] = str(chapter.path)
    for cell in chapter.cells:
        opts = "".join(f"#| {k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in cell.options.items())
        nb.cells.append(nbformat.v4.new_code_cell(opts + cell.code))
    nb.cells.append(nbformat.v4.new_code_cell(INLINE_CELL.format(exprs=chapter.inline)))
    return nb


class Kernel:
    """One Jupyter kernel running the chapters of an edition, one after another."""

    def __init__(self, root: Path, timeout: int):
        self.root, self.timeout = root, timeout
        self.client = None
        self._ctx = None

    def __enter__(self):
        os.environ["REPORT_ROOT"] = str(self.root)
        os.environ.setdefault("MPLBACKEND", "Agg")
        nb = nbformat.v4.new_notebook()
        self.client = NotebookClient(nb, timeout=self.timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(self.root)}},
                                     startup_timeout=120)
        # the kernel's own log (e.g. its TCP warning) is not for readers; cell errors arrive through the protocol
        self._ctx = self.client.setup_kernel(stderr=subprocess.DEVNULL)
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.__exit__(*exc)
        return False

    def _where(self, chapter: Chapter) -> str:
        try:
            return str(chapter.path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(chapter.path)

    def run(self, chapter: Chapter) -> Executed:
        nb = notebook_of(chapter)
        nb.cells.insert(0, nbformat.v4.new_code_cell(RESET_CELL))
        self.client.nb = nb
        for index, cell in enumerate(nb.cells):
            self._exec(chapter, cell, index - 1)
        nb.cells = nb.cells[1:]
        outputs = [list(map(dict, c.outputs)) for c in nb.cells[:-1]]
        payload = next(o["data"]["application/json"] for o in nb.cells[-1].outputs
                       if o.get("output_type") == "display_data" and "application/json" in o.get("data", {}))
        errors = [x for x in payload["inline"] if isinstance(x, dict)]
        if errors:
            first = errors[0]
            raise BuildError(f"{self._where(chapter)}:{first['line']}: inline expression `{{python}} {first['expr']}` "
                             f"failed: {first['error']}")
        nb.cells = nb.cells[:-1]
        return Executed(_plain(outputs), payload["inline"], payload["reads"], notebook=json.loads(nbformat.writes(nb)))

    def _exec(self, chapter: Chapter, cell, index: int) -> None:
        try:
            self.client.execute_cell(cell, index + 1)
        except CellExecutionError as err:
            line = chapter.cells[index].line if 0 <= index < len(chapter.cells) else "?"
            raise BuildError(f"{self._where(chapter)}:{line}: cell {index + 1} raised {err.ename}: {err.evalue}") from None
        except (CellTimeoutError, TimeoutError):
            line = chapter.cells[index].line if 0 <= index < len(chapter.cells) else "?"
            raise BuildError(f"{self._where(chapter)}:{line}: cell {index + 1} did not finish within {self.timeout} s "
                             "(raise it with --timeout)") from None
        except DeadKernelError as err:
            line = chapter.cells[index].line if 0 <= index < len(chapter.cells) else "?"
            raise BuildError(f"{self._where(chapter)}:{line}: the kernel died while running cell {index + 1}: {err}") from None


def _plain(obj):
    return json.loads(json.dumps(obj))
