"""Executing chapters in a Jupyter kernel (nbclient), with a cache keyed by everything an output depends on.

One kernel serves all chapters of an edition; its namespace is reset between chapters. A chapter's cached
result is reused when its code (cells and inline expressions), the Python and library versions, this module,
every data file it read and every module of the helper package it had loaded are unchanged. Data files and
helper modules are recorded per chapter while it runs, so editing one data file re-executes only the chapters
that read it, editing a helper module only the chapters that had it loaded, and editing prose nothing.

Notebooks are made deterministic: no timing metadata, cell ids derived from the chapter, paths relative to
the project.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
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
def _helper_modules():
    import hashlib as _hl, sys as _sys
    out = {{}}
    for _name, _mod in sorted(_sys.modules.items()):
        _file = getattr(_mod, "__file__", None)
        if (_name == "helpers" or _name.startswith("helpers.")) and _file:
            with open(_file, "rb") as _fh:
                out[_file] = _hl.sha256(_fh.read()).hexdigest()
    return out
display({{"application/json": {{"inline": _inline, "reads": dict(_data.READS), "modules": _helper_modules()}}}},
        raw=True)
"""

# Between chapters: a fresh namespace, no recorded reads, and the per-chapter fact modules unloaded, so that the
# modules loaded at the end of a chapter are the ones it used (plus the shared ones loaded before it).
RESET_CELL = """\
get_ipython().reset(new_session=False, aggressive=False)
import sys as _sys
from helpers import data as _d
_d.READS.clear()
for _name in [m for m in _sys.modules if m.startswith("helpers.facts.")]:
    del _sys.modules[_name]
if "helpers.facts" in _sys.modules:
    _sys.modules["helpers.facts"].REGISTRY.clear()
del _sys, _d"""

LIBRARIES = ("pandas", "matplotlib", "numpy", "pyyaml", "ipykernel", "jupyter_client", "nbclient", "nbformat",
             "pypandoc-binary", "typst")
# Files of the helper package that only the renderers read (outside the kernel, never cached).
RENDER_ONLY = (".css", ".js", ".html", ".lua", ".typ")


@dataclass
class Executed:
    outputs: list[list[dict]]  # per cell of the chapter
    inline: list[str]
    reads: dict[str, str]
    cached: bool = False
    notebook: dict = field(default_factory=dict)
    modules: dict[str, str] = field(default_factory=dict)  # helper module file -> sha256, loaded when it ended


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def environment_key() -> str:
    """Python, library versions, this module (it shapes every result) and the helper package's non-module files.

    The helper package's modules are not part of it: each cached chapter records the ones it had loaded.
    Computed anew for each build (a few milliseconds), so that a long-running process sees edits.
    """
    parts = [sys.version, sys.implementation.cache_tag or "", platform.machine()]
    for lib in LIBRARIES:
        try:
            parts.append(f"{lib}=={metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{lib}==?")
    parts.append(f"execute.py:{_sha(Path(__file__).read_bytes())}")
    pkg = Path(__file__).resolve().parents[1]
    for path in sorted(pkg.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".py", ".pyc", *RENDER_ONLY):
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
        if entry.get("key") != key or "modules" not in entry:
            return None
        for file, digest in {**entry["reads"], **entry["modules"]}.items():
            if _file_sha(file) != digest:
                return None
        return Executed(entry["outputs"], entry["inline"], entry["reads"], cached=True, notebook=entry["notebook"],
                        modules=entry["modules"])

    def put(self, lang: str, chapter: Chapter, key: str, result: Executed) -> None:
        if self.folder is None:
            return
        path = self._path(lang, chapter)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"key": key, "outputs": result.outputs, "inline": result.inline, "reads": result.reads,
                 "modules": result.modules, "notebook": result.notebook}
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)


def _file_sha(file: str) -> str | None:
    try:
        return _sha(Path(file).read_bytes())
    except OSError:
        return None


def notebook_of(chapter: Chapter, source: str | None = None) -> nbformat.NotebookNode:
    """The chapter's cells as a notebook; cell ids follow the chapter's file name and the cell's position."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["source"] = source or chapter.path.name
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in chapter.path.stem)[:50] or "cell"
    for i, cell in enumerate(chapter.cells):
        opts = "".join(f"#| {k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in cell.options.items())
        nb.cells.append(nbformat.v4.new_code_cell(opts + cell.code, id=f"{stem}-{i + 1}"))
    nb.cells.append(nbformat.v4.new_code_cell(INLINE_CELL.format(exprs=chapter.inline), id=f"{stem}-inline"))
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
        # record_timing=False: no execution timestamps in the saved notebooks (reproducible output)
        self.client = NotebookClient(nb, timeout=self.timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(self.root)}},
                                     startup_timeout=120, record_timing=False)
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
        nb = notebook_of(chapter, self._where(chapter))
        nb.cells.insert(0, nbformat.v4.new_code_cell(RESET_CELL, id="reset"))
        self.client.nb = nb
        for index, cell in enumerate(nb.cells):
            self._exec(chapter, cell, index - 1)
        nb.cells = nb.cells[1:]
        _normalise(nb)
        outputs = [list(map(dict, c.outputs)) for c in nb.cells[:-1]]
        payload = next(o["data"]["application/json"] for o in nb.cells[-1].outputs
                       if o.get("output_type") == "display_data" and "application/json" in o.get("data", {}))
        errors = [x for x in payload["inline"] if isinstance(x, dict)]
        if errors:
            first = errors[0]
            raise BuildError(f"{self._where(chapter)}:{first['line']}: inline expression `{{python}} {first['expr']}` "
                             f"failed: {first['error']}")
        nb.cells = nb.cells[:-1]
        return Executed(_plain(outputs), payload["inline"], payload["reads"], notebook=json.loads(nbformat.writes(nb)),
                        modules=payload["modules"])

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


ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def _normalise(nb) -> None:
    """What depends on the kernel's history, not on the chapter: execution counts (numbered from 1 in each
    chapter, whichever chapters ran before it in the kernel) and object addresses in default reprs."""
    for number, cell in enumerate(nb.cells, start=1):
        cell.execution_count = number
        for out in cell.outputs:
            if "execution_count" in out:
                out["execution_count"] = number
            text = out.get("data", {}).get("text/plain")
            if isinstance(text, str):
                out["data"]["text/plain"] = ADDRESS.sub(">", text)
            elif isinstance(text, list):
                out["data"]["text/plain"] = [ADDRESS.sub(">", t) for t in text]


def _plain(obj):
    return json.loads(json.dumps(obj))
