"""Executing chapters in a Jupyter kernel (nbclient), with a cache keyed by everything an output depends on.

One kernel serves all chapters of an edition; its namespace is reset between chapters. A chapter's cached
result is reused when its code (cells and inline expressions), the Python and library versions, this module,
every data file it read and every module of the helper package it had loaded are unchanged. Data files and
helper modules are recorded per chapter while it runs, so editing one data file re-executes only the chapters
that read it, editing a helper module only the chapters that had it loaded, and editing prose nothing.

Entries name what they depend on by path relative to the project (``data/...`` for the data folder, wherever
``REPORT_DATA`` puts it; ``helpers/...`` for the helper package) with the SHA-256 of its content, never by absolute
path, size or modification time: a project moved, copied or restored elsewhere reuses what is still valid. Besides
the data files the helpers read, the kernel records every file it opens under the project and every listing of the
data folder. A chapter that read a data file outside the project is not cached; an entry that is unreadable, of
another format or names a path outside the project is not trusted: the build says so and executes the chapter again.

Within a chapter that must run again, the cells are cached one by one, so that a data edit runs only the cells
that read the edited file (and the setup cells). Cells are of two kinds, told apart by their code alone:

- an *output cell* consists of expressions only (``b.chart(...)``, ``b.table(...)``): no assignment, import,
  definition, assignment expression or ``global``, no name starting with ``_`` and none of ``UNSEEN`` (``eval``,
  ``globals``, ``get_ipython`` ...); it shows something and binds nothing;
- every other cell is a *setup cell*.

Setup cells always run, in order, whenever the chapter runs; so the namespace they build is the one a full run
builds. An output cell is taken from the cache when its entry's key, the SHA-256 of (its code and options, the
edition, the environment key, the chapter's name, and the fingerprint of the value of every name it uses, as the
kernel holds it just before the cell's turn) is found, and every file it read, module the chapter had loaded and
data-folder listing it made is unchanged. A fingerprint is the SHA-256 of the value's pickle; a value that cannot
be pickled, or whose pickle refers to code defined in the chapter (``__main__``), has none, and a cell using it, or
a module, is never cached (a module's functions may change what later cells see).

Why this is never stale: the output cell's outputs are a function of its code, of the values its names hold, of the
files it reads and of the helper modules (the same determinism the chapter cache assumes), and all of them are in
the key or checked. The namespace it sees is the one a full run gives it, because the cells taken from the cache
before it changed nothing a later cell sees: an entry is stored only for a cell that, when it ran, left the
fingerprints of every name of the namespace as it found them (and only when every name had one); the kernel's
history (``_``, ``Out``), which a cell taken from the cache does not write, is never read: a chapter in which any
cell names it, or a magic, or ``get_ipython``, has no cell taken from the cache. As between chapters, what the
helpers keep at module level (parsed tables, the datapackage) is keyed by the content of the files, which are read
again on each use and so recorded for the cell that uses them. A cell that raises is never stored. The inline
expressions run every time (cheap). The chapter's own entry records everything its cells read, those taken from
the cache included, so that an unchanged chapter still needs no kernel at all. The guarantee is checked by the
tests: after each kind of edit a cached build is byte-identical to a build without any cache.

Notebooks are made deterministic: no timing metadata, cell ids derived from the chapter, paths relative to
the project.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

from helpers.core import paths
from helpers.core.errors import BuildError
from helpers.core.qmd import Chapter
from helpers.engines import bytecode

INLINE_CELL = """\
import json as _json
from helpers.core import session as _session
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
def _digests(files):
    import hashlib as _hl
    out = {{}}
    for _file in sorted(set(files)):
        try:
            with open(_file, "rb") as _fh:
                out[_file] = _hl.sha256(_fh.read()).hexdigest()
        except OSError:
            out[_file] = None  # opened, then removed or turned into a folder
    return out
def _modules():
    import sys as _sys
    helpers, project = [], []
    for _name, _mod in sorted(_sys.modules.items()):
        _file = getattr(_mod, "__file__", None)
        if not _file:
            continue
        if _name == "helpers" or _name.startswith("helpers."):
            helpers.append(_file)
        elif _sys.modules["_report_recorder"].inside(_file):  # a module of the project besides the helpers
            project.append(_file)
    return helpers, project
_helpers, _project = _modules()
_rec = __import__("sys").modules["_report_recorder"]
display({{"application/json": {{"inline": _inline, "reads": {{**_digests(_rec.opened + _project), **_session.READS}},
                               "modules": _digests(_helpers), "listings": _rec.listings(),
                               "cells": list(_rec.cells), "project": _project}}}}, raw=True)
"""

# Once per kernel: an audit hook that records the files opened for reading under the project or the data folder
# (outside the helper package, the virtual environment, caches) and the listings of the data folder. Kept in a
# module of its own, which the namespace reset between chapters leaves alone.
RECORDER_CELL = """\
import os as _os, sys as _sys, types as _types
_rec = _types.ModuleType("_report_recorder")
_rec.roots = tuple(_os.path.join(p, "") for p in {roots!r})
_rec.data = _os.path.join({data!r}, "")
_rec.skip = tuple(_os.path.join(p, "") for p in {skip!r})
_rec.opened, _rec.listed = [], set()
def _inside(path, rec=_rec):
    return path.startswith(rec.roots) and not path.startswith(rec.skip) and "__pycache__" not in path
_rec.inside = _inside
def _listings(rec=_rec, listdir=_os.listdir):
    import hashlib
    out = {{}}
    for folder in sorted(rec.listed):
        try:
            out[folder] = hashlib.sha256("\\n".join(sorted(listdir(folder))).encode()).hexdigest()
        except OSError:
            out[folder] = None
    return out
_rec.listings = _listings
_rec.seen, _rec.cells, _rec.mark = [], [], None  # listings in order; one record per cell run since the reset
_rec.ipython_names = __import__("re").compile(r"_+|_i+|_i?\\d+|_[oid]h|In|Out|exit|quit|get_ipython|__\\w+__")
def _fingerprints(rec=_rec):
    import hashlib, pickle, types
    ip = get_ipython()
    out = {{}}
    for name, value in list(ip.user_ns.items()):
        if rec.ipython_names.fullmatch(name) or (name in ip.user_ns_hidden and ip.user_ns_hidden[name] is value):
            continue
        if isinstance(value, types.ModuleType):
            out[name] = "module:" + value.__name__
            continue
        try:
            raw = pickle.dumps(value, protocol=4)
        except Exception:
            raw = b"__main__"
        out[name] = None if b"__main__" in raw else hashlib.sha256(raw).hexdigest()  # None: not comparable
    return out
_rec.fingerprints = _fingerprints
def _pre(info, rec=_rec):
    rec.mark = (len(rec.opened), len(rec.seen), rec.fingerprints())
def _post(result, rec=_rec):
    if rec.mark is None:
        return
    opened, seen, before = rec.mark
    rec.cells.append({{"opened": rec.opened[opened:], "listed": sorted(set(rec.seen[seen:])), "before": before,
                      "after": rec.fingerprints()}})
    rec.mark = None
def _reset():
    # IPython's reset ends with a full collection (20-40 ms a chapter); the collector's own runs free the cycles
    import gc
    from IPython import get_ipython
    collect, gc.collect = gc.collect, lambda generation=2: 0
    try:
        get_ipython().reset(new_session=False, aggressive=False)
    finally:
        gc.collect = collect
_rec.reset = _reset
get_ipython().events.register("pre_run_cell", _pre)
get_ipython().events.register("post_run_cell", _post)
def _hook(event, args, rec=_rec, abspath=_os.path.abspath, fspath=_os.fspath, writing=_os.O_WRONLY | _os.O_RDWR):
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int) or (mode is not None and any(c in mode for c in "wax+")) or \\
                (mode is None and flags & writing):
            return
    elif event in ("os.listdir", "os.scandir"):
        path = args[0]
        if path is None or isinstance(path, int):
            return
    else:
        return
    try:
        path = abspath(fspath(path))
    except (TypeError, ValueError):
        return
    if isinstance(path, bytes):
        return
    if event == "open":
        if rec.inside(path):
            rec.opened.append(path)
    elif path == rec.data[:-1] or path.startswith(rec.data):
        rec.listed.add(path)
        rec.seen.append(path)
_sys.modules["_report_recorder"] = _rec
_sys.addaudithook(_hook)
del _os, _sys, _types, _rec, _inside, _listings, _hook, _fingerprints, _pre, _post, _reset"""

# Between chapters: a fresh namespace, no recorded reads, and what the helpers keep per chapter forgotten
# (``session.reset``), so that the modules loaded at the end of a chapter are the ones it used.
RESET_CELL = """\
__import__("sys").modules["_report_recorder"].reset()
import sys as _sys
from helpers.core import session as _session
_session.reset()
_sys.modules["_report_recorder"].opened.clear()
_sys.modules["_report_recorder"].listed.clear()
_sys.modules["_report_recorder"].seen.clear()
_sys.modules["_report_recorder"].cells.clear()
_sys.modules["_report_recorder"].mark = None
del _sys, _session"""

LIBRARIES = ("pandas", "matplotlib", "numpy", "pyyaml", "ipykernel", "jupyter_client", "nbclient", "nbformat",
             "pypandoc-binary", "typst")
# Files of the helper package that only the renderers read (outside the kernel, never cached).
RENDER_ONLY = (".css", ".js", ".html", ".lua", ".typ")


# Environment variables that can change what a chapter computes (with the value assumed when unset). The helpers'
# path variables (REPORT_ROOT, REPORT_DATA) are not among them: entries name files relative to the project and
# its data folder, wherever those are.
ENVIRONMENT = {"SOURCE_DATE_EPOCH": "", "PYTHONHASHSEED": "", "MPLBACKEND": "Agg", "REPORT_ENGINE": ""}
PATH_VARIABLES = ("REPORT_ROOT", "REPORT_DATA")
FORMAT = 3  # of a cache entry; an entry without it (or with another) was written by an older build
# Names an output cell may not use: they reach the namespace or the kernel behind the names' backs.
UNSEEN = frozenset({"globals", "locals", "vars", "eval", "exec", "compile", "get_ipython", "setattr", "delattr",
                    "__import__", "breakpoint", "input"})


@dataclass
class Executed:
    outputs: list[list[dict]]  # per cell of the chapter
    inline: list[str]
    reads: dict[str, str]  # project-relative file (data/... for the data folder) -> sha256
    cached: bool = False
    notebook: dict = field(default_factory=dict)
    modules: dict[str, str] = field(default_factory=dict)  # helpers/... module loaded when it ended -> sha256
    listings: dict[str, str] = field(default_factory=dict)  # data folder (or one below it) listed -> sha256 of names
    outside: list[str] = field(default_factory=list)  # data files read outside the project: not cacheable
    cells: dict[str, dict] = field(default_factory=dict)  # cell key -> what the output cell showed and read
    served: list[int] = field(default_factory=list)  # positions (from 1) of the cells taken from the cache


@dataclass
class Lookup:
    """What the cache has for a chapter: a result, or why not (``changed``: an input; ``untrusted``: the entry)."""

    hit: Executed | None = None
    changed: str = ""
    untrusted: str = ""


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def environment_key() -> str:
    """Python, library versions, this module (it shapes every result), the helper package's non-module files and
    the environment variables of ``ENVIRONMENT``.

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
    pkg = paths.package_dir()
    for path in sorted(pkg.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".py", ".pyc", *RENDER_ONLY):
            parts.append(f"{path.relative_to(pkg).as_posix()}:{_sha(path.read_bytes())}")
    for name, default in sorted(ENVIRONMENT.items()):
        parts.append(f"${name}={os.environ.get(name, default)}")
    return _sha("\n".join(parts))


def chapter_key(chapter: Chapter, lang: str, env_key: str, name: str = "") -> str:
    """The chapter's code, inline expressions, edition, environment and its project-relative file name."""
    code = [json.dumps([c.code, c.options], sort_keys=True, ensure_ascii=False) for c in chapter.cells]
    exprs = [e for e, _ in chapter.inline]
    return _sha(json.dumps([lang, env_key, code, exprs, name or chapter.path.name], ensure_ascii=False))


def output_cell_names(code: str) -> list[str] | None:
    """The names an output cell uses, or None for a setup cell (one that binds a name or may reach the namespace
    otherwise: any statement but an expression, an assignment expression, a magic, a name of ``UNSEEN`` or one
    starting with ``_``, such as IPython's output history)."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:  # magics and shell escapes
        return None
    if not tree.body or not all(isinstance(stmt, ast.Expr) for stmt in tree.body):
        return None
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.NamedExpr, ast.Global, ast.Nonlocal)):
            return None
        if isinstance(node, ast.Name):
            if node.id.startswith("_") or node.id in UNSEEN:
                return None
            names.add(node.id)
    return sorted(names)


HISTORY = re.compile(r"_+|_i+|_i?\d+|_[oid]h|In|Out")  # IPython's history of the cells and their results


def cells_may_be_served(chapter: Chapter) -> bool:
    """Whether a cell of the chapter may be taken from the cache: no cell reaches the kernel's history (``_``,
    ``Out``: what a cell taken from the cache would not have left there) or the kernel itself (a magic,
    ``get_ipython``)."""
    import ast

    for cell in chapter.cells:
        try:
            tree = ast.parse(cell.code)
        except SyntaxError:
            return False
        if any(isinstance(node, ast.Name) and (HISTORY.fullmatch(node.id) or node.id in UNSEEN)
               for node in ast.walk(tree)):
            return False
    return True


def cell_key(cell, lang: str, env_key: str, name: str, state: dict[str, str]) -> str:
    """An output cell's code and options, the fingerprints of the names it uses, edition, environment, chapter."""
    return _sha(json.dumps(["cell", FORMAT, lang, env_key, name, cell.code, cell.options, sorted(state.items())],
                           ensure_ascii=False))


def usable_state(names: list[str], state: dict) -> dict[str, str] | None:
    """The fingerprints of ``names`` (``""``: unbound, a builtin); None when one of them cannot be compared or is a
    module (whose functions may change what the next cells see: such a cell is run every time)."""
    out = {}
    for n in names:
        fp = state.get(n, "")
        if fp is None or fp.startswith("module:"):
            return None
        out[n] = fp
    return out


class Cache:
    """Executed chapters on disk: ``<dir>/<lang>/<chapter>.json``, trusted only as far as they can be checked."""

    def __init__(self, folder: Path | None, root: Path | None = None):
        self.folder = folder
        self.places = paths.Places(root if root is not None else (folder.parent.parent if folder else Path.cwd()))

    def _path(self, lang: str, chapter: Chapter) -> Path:
        return self.folder / lang / (chapter.path.stem + ".json")

    def lookup(self, lang: str, chapter: Chapter, key: str) -> Lookup:
        if self.folder is None:
            return Lookup()
        path = self._path(lang, chapter)
        if not path.exists():
            return Lookup()
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            return Lookup(untrusted="unreadable" + (f" ({err.strerror})" if isinstance(err, OSError) else ""))
        if not isinstance(entry, dict) or entry.get("format") != FORMAT:
            return Lookup(untrusted="written by an older version of the cache")
        if entry.get("key") != key:
            return Lookup(changed="its code, inline expressions or the versions")
        try:
            checks = [(self.places.path_of(n), n, d) for n, d in entry["reads"].items()]
            checks += [(self.places.module_path(n), n, d) for n, d in entry["modules"].items()]
            listings = [(self.places.path_of(n), n, d) for n, d in entry["listings"].items()]
            for file, name, _ in checks + listings:
                if file is None:
                    return Lookup(untrusted=f"names a path outside the project ({name})")
            for file, name, digest in checks:
                if _file_sha(file) != digest:
                    return Lookup(changed=name)
            for folder, name, digest in listings:
                if _listing_sha(folder) != digest:
                    return Lookup(changed=f"the files in {name}/")
            if not (isinstance(entry["outputs"], list) and isinstance(entry["inline"], list)
                    and isinstance(entry["notebook"], dict)):
                return Lookup(untrusted="incomplete")
            hit = Executed(entry["outputs"], entry["inline"], entry["reads"], cached=True,
                           notebook=entry["notebook"], modules=entry["modules"], listings=entry["listings"])
        except (KeyError, TypeError, AttributeError):
            return Lookup(untrusted="incomplete")
        return Lookup(hit)

    def cells(self, lang: str, chapter: Chapter) -> dict[str, dict]:
        """The output cells cached with the chapter's last result (by cell key), whatever else changed since."""
        if self.folder is None:
            return {}
        try:
            entry = json.loads(self._path(lang, chapter).read_text(encoding="utf-8"))
            cells = entry["cells"] if entry.get("format") == FORMAT else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}
        return cells if isinstance(cells, dict) else {}

    def valid_cell(self, entry) -> bool:
        """Whether a cached output cell may be shown again: well formed, naming only files of the project, and
        every file it read, module it had and listing it made unchanged."""
        try:
            if not all(isinstance(o, dict) and isinstance(o.get("output_type"), str) for o in entry["outputs"]):
                return False
            checks = [(self.places.path_of(n), d) for n, d in entry["reads"].items()]
            checks += [(self.places.module_path(n), d) for n, d in entry["modules"].items()]
            listings = [(self.places.path_of(n), d) for n, d in entry["listings"].items()]
        except (KeyError, TypeError, AttributeError):
            return False
        if any(path is None for path, _ in checks + listings):
            return False
        return (all(self._sha_of(path) == d for path, d in checks)
                and all(_listing_sha(path) == d for path, d in listings))

    def _sha_of(self, path: Path) -> str | None:
        memo = self.__dict__.setdefault("_memo", {})  # one build: each file hashed once
        if path not in memo:
            memo[path] = _file_sha(path)
        return memo[path]

    def get(self, lang: str, chapter: Chapter, key: str) -> Executed | None:
        return self.lookup(lang, chapter, key).hit

    def put(self, lang: str, chapter: Chapter, key: str, result: Executed) -> bool:
        """Store a result; False (and nothing stored) when it depends on files outside the project."""
        if self.folder is None or result.outside:
            return False
        path = self._path(lang, chapter)
        entry = {"format": FORMAT, "key": key, "outputs": result.outputs, "inline": result.inline,
                 "reads": result.reads, "modules": result.modules, "listings": result.listings,
                 "notebook": result.notebook, "cells": result.cells}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            return False  # a read-only project executes every time
        return True


def _file_sha(file: str | Path) -> str | None:
    try:
        return _sha(Path(file).read_bytes())
    except OSError:
        return None


def _listing_sha(folder: Path) -> str | None:
    try:
        return _sha("\n".join(sorted(os.listdir(folder))))
    except OSError:
        return None


def preload() -> None:
    """Load Jupyter's libraries now (before the editions' processes are forked, so that they are loaded once)."""
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401


def notebook_of(chapter: Chapter, source: str | None = None):
    """The chapter's cells as a notebook; cell ids follow the chapter's file name and the cell's position."""
    import nbformat  # here, not at the top: a build with nothing to execute does not load Jupyter's libraries

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["source"] = source or chapter.path.name
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in chapter.path.stem)[:50] or "cell"
    for i, cell in enumerate(chapter.cells):
        opts = "".join(f"#| {k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in cell.options.items())
        nb.cells.append(nbformat.v4.new_code_cell(opts + cell.code, id=f"{stem}-{i + 1}"))
    nb.cells.append(nbformat.v4.new_code_cell(INLINE_CELL.format(exprs=chapter.inline), id=f"{stem}-inline"))
    return nb


KERNEL_STARTS = 3  # a kernel that dies before answering is started again, this many times in all


class Kernel:
    """One Jupyter kernel running the chapters of an edition, one after another."""

    def __init__(self, root: Path, timeout: int):
        self.root, self.timeout = root, timeout
        self.places = paths.Places(root)
        self.client = None
        self._ctx = None
        self._log = None

    def __enter__(self):
        import nbformat
        from nbclient.exceptions import CellExecutionError

        os.environ["REPORT_ROOT"] = str(self.root)
        os.environ.setdefault("MPLBACKEND", "Agg")
        bytecode.hash_checked()  # the kernel imports the helpers as they are, not as they were
        self._start()
        skip = [str(self.places.package), str(self.places.root / ".cache"), str(self.places.root / ".git"),
                sys.prefix, sys.base_prefix]
        recorder = RECORDER_CELL.format(roots=[str(self.places.root), str(self.places.data)],
                                        data=str(self.places.data), skip=sorted(set(skip)))
        cell = nbformat.v4.new_code_cell(recorder, id="recorder")
        self.client.nb = nbformat.v4.new_notebook(cells=[cell])
        try:
            self.client.execute_cell(cell, 0)
        except CellExecutionError as err:
            raise BuildError(f"the kernel could not record what the chapters read: {err.ename}: {err.evalue}") from None
        return self

    def _start(self) -> None:
        """Start the kernel; again, up to ``KERNEL_STARTS`` times, if it dies before answering.

        A kernel is given its TCP ports by the client, which finds them free and closes them; another process
        starting at that moment (the other edition's kernel) may take one first, and the kernel then exits with
        "Address already in use". A fresh start chooses new ports. The kernel's own log (e.g. its TCP warning) is
        not for readers; it is kept in a temporary file and shown only when the kernel cannot start at all.
        """
        import tempfile

        import nbformat
        from nbclient import NotebookClient

        for attempt in range(1, KERNEL_STARTS + 1):
            log = tempfile.TemporaryFile(prefix="report-kernel-")
            # record_timing=False: no execution timestamps in the saved notebooks (reproducible output)
            self.client = NotebookClient(nbformat.v4.new_notebook(), timeout=self.timeout, kernel_name="python3",
                                         resources={"metadata": {"path": str(self.root)}},
                                         startup_timeout=120, record_timing=False)
            self._ctx = self.client.setup_kernel(stderr=log)
            try:
                self._ctx.__enter__()
                self._log = log
                return
            except RuntimeError as err:  # "Kernel died before replying to kernel_info"
                self._ctx = None
                log.seek(0)
                tail = log.read().decode("utf-8", "replace").strip().splitlines()[-8:]
                log.close()
                if attempt == KERNEL_STARTS:
                    raise BuildError(f"the Jupyter kernel did not start ({attempt} attempts): {err}" +
                                     "".join(f"\n  kernel: {line}" for line in tail)) from None

    def __exit__(self, *exc):
        if self._ctx is not None:
            if exc[0] is not None:  # an error or Ctrl-C: the kernel may be busy in a cell, stop it without waiting
                self.client.shutdown_kernel = "immediate"
            self._ctx.__exit__(*exc)
        if self._log is not None:
            self._log.close()
        return False

    def _where(self, chapter: Chapter) -> str:
        return self.places.name_of(chapter.path) or chapter.path.name

    def run(self, chapter: Chapter, cells: dict[str, dict] | None = None, valid: Callable[[dict], bool] | None = None,
            lang: str = "", env_key: str = "") -> Executed:
        """Execute a chapter: its setup cells always, each output cell unless ``cells`` (the chapter's cached output
        cells, by cell key) has it for the state it would see and ``valid`` says nothing it read has changed."""
        import nbformat

        where = self._where(chapter)
        nb = notebook_of(chapter, where)
        nb.cells.insert(0, nbformat.v4.new_code_cell(RESET_CELL, id="reset"))
        self.client.nb = nb
        self._exec(chapter, nb.cells[0], -1)
        names = [output_cell_names(c.code) for c in chapter.cells]
        if not cells_may_be_served(chapter):
            names = [None] * len(names)
        runs: list[int | None] = []  # each recorded run in the kernel: a chapter cell's position, None: a look at the state
        served, used, state = [], {}, None
        for index, cell in enumerate(chapter.cells):
            if cells and valid is not None and names[index] is not None:
                if state is None:  # the state the last executed cell left (a cell taken from the cache changes none)
                    state = self._state()
                    runs.append(None)
                usable = usable_state(names[index], state)
                entry = cells.get(cell_key(cell, lang, env_key, where, usable)) if usable is not None else None
                if entry is not None and valid(entry):
                    nb.cells[index + 1].outputs = [nbformat.from_dict(o) for o in entry["outputs"]]
                    served.append(index + 1)
                    used[cell_key(cell, lang, env_key, where, usable)] = entry
                    continue
            self._exec(chapter, nb.cells[index + 1], index)
            runs.append(index)
            state = None
        self._exec(chapter, nb.cells[-1], len(chapter.cells))
        nb.cells = nb.cells[1:]
        _normalise(nb)
        outputs = [list(map(dict, c.outputs)) for c in nb.cells[:-1]]
        payload = next(o["data"]["application/json"] for o in nb.cells[-1].outputs
                       if o.get("output_type") == "display_data" and "application/json" in o.get("data", {}))
        errors = [x for x in payload["inline"] if isinstance(x, dict)]
        if errors:
            first = errors[0]
            raise BuildError(f"{where}:{first['line']}: inline expression `{{python}} {first['expr']}` "
                             f"failed: {first['error']}")
        nb.cells = nb.cells[:-1]
        reads, outside = {}, []
        for file, digest in payload["reads"].items():
            name = self.places.name_of(file)
            if name is None:
                outside.append(file)
            else:
                reads[name] = digest
        modules = {}
        for file, digest in payload["modules"].items():
            name = self.places.module_name(file)
            if name is None:  # a helper module from outside the package in use (not expected)
                outside.append(file)
            else:
                modules[name] = digest
        listings = {self.places.name_of(folder): digest for folder, digest in payload["listings"].items()}
        outputs = _plain(outputs)
        if len(payload["cells"]) == len(runs) and not outside:
            for record, index in zip(payload["cells"], runs):
                entry = self._cell_entry(chapter, index, names, record, payload, outputs, modules)
                if entry is not None:
                    used[cell_key(chapter.cells[index], lang, env_key, where, entry.pop("state"))] = entry
        for entry in used.values():  # what the cells taken from the cache read is read by the chapter too
            reads.update(entry["reads"])
            modules.update(entry["modules"])
            listings.update(entry["listings"])
        return Executed(outputs, payload["inline"], dict(sorted(reads.items())),
                        notebook=json.loads(nbformat.v4.nbjson.writes(nb)), modules=dict(sorted(modules.items())),
                        listings={k: v for k, v in sorted(listings.items()) if k}, outside=sorted(outside),
                        cells=dict(sorted(used.items())), served=served)

    def _state(self) -> dict:
        """The fingerprints of the names in the kernel's namespace (a cell of its own, outside the chapter)."""
        import nbformat
        from nbclient.exceptions import CellExecutionError

        cell = nbformat.v4.new_code_cell('display({"application/json": {"state": __import__("sys").modules['
                                         '"_report_recorder"].fingerprints()}}, raw=True)', id="state")
        chapter_nb, self.client.nb = self.client.nb, nbformat.v4.new_notebook(cells=[cell])
        try:
            self.client.execute_cell(cell, 0)
        except CellExecutionError as err:
            raise BuildError(f"the kernel could not fingerprint its names: {err.ename}: {err.evalue}") from None
        finally:
            self.client.nb = chapter_nb
        return next(o["data"]["application/json"]["state"] for o in cell.outputs
                    if o.get("output_type") == "display_data")

    def _cell_entry(self, chapter: Chapter, index: int | None, names: list, record: dict, payload: dict,
                    outputs: list, modules: dict) -> dict | None:
        """What an executed output cell showed and read, to be cached; None for a setup cell, a look at the state,
        or a cell that changed a name or used one that cannot be compared (those run every time)."""
        if index is None or names[index] is None:
            return None
        before, after = record["before"], record["after"]
        state = usable_state(names[index], before)
        if state is None or before != after or any(fp is None for fp in before.values()):
            return None
        reads, listings = {}, {}
        for file in [*record["opened"], *payload["project"]]:
            name, digest = self.places.name_of(file), payload["reads"].get(file)
            if name is None or digest is None:
                return None
            reads[name] = digest
        for folder in record["listed"]:
            name, digest = self.places.name_of(folder), payload["listings"].get(folder)
            if name is None:
                return None
            listings[name] = digest
        return {"outputs": outputs[index], "reads": dict(sorted(reads.items())), "listings": listings,
                "modules": modules, "state": state}

    def _exec(self, chapter: Chapter, cell, index: int) -> None:
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

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
