"""The cache of executed chapters and of their output cells, keyed by everything an output depends on.

A chapter's cached result is reused when its code (cells and inline expressions), the edition, the Python and
library versions, the code that runs and reads the kernel, every data file it read and every module of the helper
package it had loaded are unchanged. Files and modules are recorded per chapter while it runs (``in_kernel``), so
editing one data file re-executes only the chapters that read it, editing a helper module only the chapters that
had it loaded, and editing prose nothing.

Entries are those of the ``exec`` store of the project's cache (``core.cache``), one per edition and chapter
(slot ``<lang>/<chapter>``). They name what they depend on by path relative to the project (``data/...`` for the
data folder, wherever ``REPORT_DATA`` puts it; ``helpers/...`` for the helper package) with the SHA-256 of its
content, never by absolute path, size or modification time: a project moved, copied or restored elsewhere reuses
what is still valid. Besides the data files the helpers read, the kernel records every file it opens under the
project and every listing of the data folder. A chapter that read a data file outside the project is not cached;
an entry that is unreadable, of another format or names a path outside the project is not trusted: the build
says so and executes the chapter again.

Within a chapter that must run again, the cells are cached one by one, so that a data edit runs only the cells
that read the edited file (and the setup cells). Cells are of two kinds, told apart by their code alone:

- an *output cell* consists of expressions only (``b.chart(...)``, ``b.table(...)``): no assignment, import,
  definition, assignment expression or ``global``, no name starting with ``_`` and none of ``UNSEEN`` (``eval``,
  ``globals``, ``get_ipython`` ...); it shows something and binds nothing;
- every other cell is a *setup cell*.

Setup cells always run, in order, whenever the chapter runs, so the namespace they build is the one a full run
builds. An output cell is taken from the cache when its key is found (the SHA-256 of its code and options, the
edition, the environment key, the chapter's name and the fingerprint of the value of every name it uses, as the
kernel holds it just before the cell's turn) and every file it read, module the chapter had loaded and
data-folder listing it made is unchanged. A fingerprint is the SHA-256 of the value's pickle; a value that cannot
be pickled, or whose pickle refers to code defined in the chapter (``__main__``), has none, and a cell using it,
or a module, is never cached (a module's functions may change what later cells see). A pickle records which parts
of a value are one object: an equal value whose parts are shared otherwise has another fingerprint (a miss, never
a stale entry), so a helper whose result is shown by output cells makes it the same way each time (``audit.run``
makes its result from its JSON).

Why this is never stale. An output cell's outputs are a function of its code, of the values its names hold, of
the files it reads and of the helper modules (the determinism the chapter cache assumes), and all of them are in
the key or checked. The namespace it sees is the one a full run gives it, because the cells taken from the cache
before it changed nothing a later cell sees:

- an entry is stored only for a cell that, when it ran, left the fingerprint of every name of the namespace as it
  found it (and only when every name had one);
- the kernel's history (``_``, ``Out``), which a cell taken from the cache does not write, is never read: in a
  chapter where any cell names it, or a magic, or ``get_ipython``, no cell is taken from the cache;
- what the helpers keep at module level (parsed tables, the datapackage) is keyed by the content of the files,
  which are read again on each use and so recorded for the cell that uses them;
- a cell that raises is never stored; the inline expressions run every time (cheap).

The chapter's own entry records everything its cells read, those taken from the cache included, so that an
unchanged chapter needs no kernel at all. The tests check the guarantee: after each kind of edit a cached build
is byte-identical to a build without any cache.
"""

from __future__ import annotations

import ast
import json
import os
import platform
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from helpers.core import paths, views
from helpers.core.cache import Store, library_version, sha_bytes
from helpers.core.qmd import Chapter

LIBRARIES = ("pandas", "matplotlib", "numpy", "pyyaml", "ipykernel", "jupyter_client", "nbclient", "nbformat",
             "pypandoc-binary", "typst")
# Files of the helper package that only the renderers read (outside the kernel, never cached).
RENDER_ONLY = (".css", ".js", ".html", ".lua", ".typ")
# The modules (of this folder) that run the chapters and read their results: part of the environment key.
ENGINES = Path(__file__).parent
RESULT_CODE = ("in_kernel.py", "kernel.py")


# Environment variables that can change what a chapter computes (with the value assumed when unset). The helpers'
# path variables (REPORT_ROOT, REPORT_DATA) are not among them: entries name files relative to the project and
# its data folder, wherever those are.
ENVIRONMENT = {"SOURCE_DATE_EPOCH": "", "PYTHONHASHSEED": "", "MPLBACKEND": "Agg", "REPORT_ENGINE": ""}
PATH_VARIABLES = ("REPORT_ROOT", "REPORT_DATA")
FORMAT = 3  # of an executed chapter's entry; one without it (or with another) was written by an older build
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


def environment_key() -> str:
    """Python, library versions, the code that runs and reads the kernel (``RESULT_CODE``: it shapes every
    result), the helper package's non-module files and the environment variables of ``ENVIRONMENT``.

    The helper package's other modules are not part of it: each cached chapter records the ones it had loaded.
    Computed anew for each build (a few milliseconds), so that a long-running process sees edits.
    """
    parts = [sys.version, sys.implementation.cache_tag or "", platform.machine()]
    for lib in LIBRARIES:
        parts.append(f"{lib}=={library_version(lib)}")
    for name in RESULT_CODE:
        parts.append(f"{name}:{sha_bytes((ENGINES / name).read_bytes())}")
    pkg = paths.package_dir()
    for path in sorted(pkg.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".py", ".pyc", *RENDER_ONLY):
            parts.append(f"{path.relative_to(pkg).as_posix()}:{sha_bytes(path.read_bytes())}")
    for name, default in sorted(ENVIRONMENT.items()):
        parts.append(f"${name}={os.environ.get(name, default)}")
    return sha_bytes("\n".join(parts))


def chapter_key(chapter: Chapter, lang: str, env_key: str, name: str = "") -> str:
    """The chapter's code, inline expressions, edition, environment and its project-relative file name."""
    code = [json.dumps([c.code, c.options], sort_keys=True, ensure_ascii=False) for c in chapter.cells]
    exprs = [e for e, _ in chapter.inline]
    return sha_bytes(json.dumps([lang, env_key, code, exprs, name or chapter.path.name], ensure_ascii=False))


def output_cell_names(code: str) -> list[str] | None:
    """The names an output cell uses, or None for a setup cell (one that binds a name or may reach the namespace
    otherwise: any statement but an expression, an assignment expression, a magic, a name of ``UNSEEN`` or one
    starting with ``_``, such as IPython's output history)."""
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
    return sha_bytes(json.dumps(["cell", FORMAT, lang, env_key, name, cell.code, cell.options, sorted(state.items())],
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
    """Executed chapters, trusted only as far as they can be checked; ``enabled=False`` (``--no-cache``) keeps
    nothing.

    A chapter's entry is found by the chapter (edition and name), not by its key, which is checked inside: the
    output cells of a chapter whose code changed are still there for the cells that did not.
    """

    def __init__(self, root: Path, enabled: bool = True):
        self.store = Store(root, "exec", enabled)
        self.places = paths.Places(root)
        self._digests: dict[Path, str | None] = {}  # one build: each file hashed once

    def _entry(self, lang: str, chapter: Chapter) -> tuple[dict | None, str]:
        """The chapter's entry (None if there is none to serve) and why an entry found is not trusted."""
        name = self.places.name_of(chapter.path) or chapter.path.name
        reported = len(self.store.untrusted)
        value = self.store.get(f"{lang}/{name}", slot=f"{lang}/{chapter.path.stem}")
        if len(self.store.untrusted) > reported:
            return None, self.store.untrusted[-1][1]
        if value is not None and (not isinstance(value, dict) or value.get("format") != FORMAT):
            return None, "written by an older version of the cache"
        return value, ""

    def lookup(self, lang: str, chapter: Chapter, key: str) -> Lookup:
        entry, untrusted = self._entry(lang, chapter)
        if untrusted:
            return Lookup(untrusted=untrusted)
        if entry is None:
            return Lookup()
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
                if views.digest(file) != digest:
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
        entry, _ = self._entry(lang, chapter)
        cells = entry.get("cells") if entry is not None else None
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
        return (all(self._digest(path) == d for path, d in checks)
                and all(_listing_sha(path) == d for path, d in listings))

    def _digest(self, path: Path) -> str | None:
        if path not in self._digests:
            self._digests[path] = views.digest(path)
        return self._digests[path]

    def get(self, lang: str, chapter: Chapter, key: str) -> Executed | None:
        return self.lookup(lang, chapter, key).hit

    def put(self, lang: str, chapter: Chapter, key: str, result: Executed) -> bool:
        """Store a result; False (and nothing stored) when it depends on files outside the project or the cache
        cannot be written (a read-only project executes every time)."""
        if result.outside:
            return False
        name = self.places.name_of(chapter.path) or chapter.path.name
        entry = {"format": FORMAT, "key": key, "outputs": result.outputs, "inline": result.inline,
                 "reads": result.reads, "modules": result.modules, "listings": result.listings,
                 "notebook": result.notebook, "cells": result.cells}
        return self.store.put(f"{lang}/{name}", entry, slot=f"{lang}/{chapter.path.stem}")


def _listing_sha(folder: Path) -> str | None:
    try:
        return sha_bytes("\n".join(sorted(os.listdir(folder))))
    except OSError:
        return None
