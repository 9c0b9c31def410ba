"""The part of the builtin engine that runs inside the chapters' kernel.

The engine's cells call it without binding a name in the chapter's namespace
(``__import__("helpers.engines.in_kernel", fromlist=["in_kernel"]).reset()``): the namespace holds the chapter's
names only, and what is recorded here survives the namespace's reset between chapters.

- ``fresh`` (in a kernel started ahead of the build, ``kernel.Waiting``): whether it may serve the build;
- ``install`` (once per kernel): an audit hook records the files opened for reading under the project or the
  data folder (outside the helper package, the virtual environment, caches) and the listings of the data folder;
  IPython's events record, for each cell run, what it opened and listed and the fingerprints of the namespace
  before and after it;
- ``reset`` (between chapters): a fresh namespace, nothing recorded, the helpers' per-chapter state forgotten;
- ``state``: the fingerprints of the namespace now;
- ``finish`` (after the chapter's cells): the inline expressions' values and what the chapter read.

``state`` and ``finish`` answer with one display of JSON.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import re
import sys
import types

from IPython import get_ipython
from IPython.display import display

# the helper modules this kernel had loaded before this one (none in a fresh kernel): its packages and itself
# are in place when this runs, its own helper imports follow
_HELPERS_BEFORE = sorted(name for name in sys.modules if name.split(".")[0] == "helpers"
                         and name not in ("helpers", "helpers.engines", __name__))

from helpers.core import session  # noqa: E402

# IPython's own names in the namespace (history, shortcuts), never fingerprinted
IPYTHON_NAMES = re.compile(r"_+|_i+|_i?\d+|_[oid]h|In|Out|exit|quit|get_ipython|__\w+__")


class _Record:
    """What the cells opened and listed since the reset, and the settings of what is recorded."""

    def __init__(self, roots: tuple[str, ...] = (), data: str = "", skip: tuple[str, ...] = ()):
        self.roots = roots  # folders (each ending in a separator) whose files are recorded
        self.data = data  # the data folder, whose listings are recorded
        self.skip = skip  # folders under a root whose files are not
        self.opened: list[str] = []  # files opened for reading, in order
        self.listed: set[str] = set()  # folders of the data folder listed
        self.seen: list[str] = []  # the same listings in order (a cell's share is a slice)
        self.cells: list[dict] = []  # one record per cell run
        self.mark: tuple | None = None  # where the running cell's share starts, and the fingerprints it found


_rec = _Record()
_hooked = False


def install(roots: list[str], data: str, skip: list[str], expected: dict | None = None) -> None:
    """Record from now on what the cells open under ``roots`` (but not under ``skip``) and list in ``data``; in a
    kernel started ahead of the build, only if it is ``fresh`` (``expected``)."""
    global _rec, _hooked
    if expected is not None:
        fresh(expected)
    _rec = _Record(tuple(os.path.join(p, "") for p in roots), os.path.join(data, ""),
                   tuple(os.path.join(p, "") for p in skip))
    events = get_ipython().events
    if _before_cell not in events.callbacks["pre_run_cell"]:
        events.register("pre_run_cell", _before_cell)
        events.register("post_run_cell", _after_cell)
    if not _hooked:  # an audit hook cannot be removed: one per process
        sys.addaudithook(_audit)
        session.on_read(_read)
        _hooked = True


def fresh(expected: dict) -> None:
    """Raise unless this kernel is the one a build would start now: no helper module loaded yet (it would be
    the code of then), the folder and Python of ``expected``, and every library it has loaded the version
    installed (one upgraded since it started would be stale). Its environment is compared by the build; the
    names it may hold are dropped by the ``reset`` before each chapter."""
    from importlib import metadata

    if _HELPERS_BEFORE:
        raise RuntimeError(f"the kernel has loaded helper modules already ({', '.join(_HELPERS_BEFORE)})")
    if os.getcwd() != expected["cwd"] or sys.executable != expected["executable"]:
        raise RuntimeError("the kernel runs in another folder or Python than this build's")
    for name in [name for name in list(sys.modules) if "." not in name]:
        version = getattr(sys.modules[name], "__version__", None)
        try:  # a library named as its distribution (pandas, numpy, matplotlib, seaborn, ipykernel, IPython, ...)
            installed = metadata.version(name) if isinstance(version, str) else version
        except metadata.PackageNotFoundError:
            continue
        if installed != version:
            raise RuntimeError(f"{name} {version} is loaded, {installed} is installed")


def inside(path: str) -> bool:
    """Whether a file is one of those recorded: under a root, not under a folder skipped, not compiled code."""
    return path.startswith(_rec.roots) and not path.startswith(_rec.skip) and "__pycache__" not in path


def _read(name: str) -> None:
    """A data file or a view of one read by the helpers (``session.record_read``, ``session.reading_view``),
    perhaps served from their memory without opening it: recorded as a file opened would be."""
    if inside(name):
        _rec.opened.append(name)


def _audit(event, args, abspath=os.path.abspath, fspath=os.fspath, writing=os.O_WRONLY | os.O_RDWR,
           quiet=session.QUIET):
    if quiet[0]:  # a view of a file is being read: recorded as such when done
        return
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int) or (mode is not None and any(c in mode for c in "wax+")) or \
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
        if inside(path):
            _rec.opened.append(path)
    elif path == _rec.data[:-1] or path.startswith(_rec.data):
        _rec.listed.add(path)
        _rec.seen.append(path)


def listings() -> dict[str, str | None]:
    """Each folder of the data folder listed since the reset -> SHA-256 of its names (None: gone since)."""
    out = {}
    for folder in sorted(_rec.listed):
        try:
            out[folder] = hashlib.sha256("\n".join(sorted(os.listdir(folder))).encode()).hexdigest()
        except OSError:
            out[folder] = None
    return out


def fingerprints() -> dict[str, str | None]:
    """Each name of the namespace (not IPython's own) -> SHA-256 of its value's pickle; ``module:<name>`` for a
    module; None for a value that cannot be compared (no pickle, or one referring to code of the chapter)."""
    ip = get_ipython()
    out = {}
    for name, value in list(ip.user_ns.items()):
        if IPYTHON_NAMES.fullmatch(name) or (name in ip.user_ns_hidden and ip.user_ns_hidden[name] is value):
            continue
        if isinstance(value, types.ModuleType):
            out[name] = "module:" + value.__name__
            continue
        try:
            raw = pickle.dumps(value, protocol=4)
        except Exception:
            raw = b"__main__"
        out[name] = None if b"__main__" in raw else hashlib.sha256(raw).hexdigest()
    return out


def _before_cell(info) -> None:
    _rec.mark = (len(_rec.opened), len(_rec.seen), fingerprints())


def _after_cell(result) -> None:
    if _rec.mark is None:
        return
    opened, seen, before = _rec.mark
    _rec.cells.append({"opened": _rec.opened[opened:], "listed": sorted(set(_rec.seen[seen:])), "before": before,
                       "after": fingerprints()})
    _rec.mark = None


def reset() -> None:
    """A fresh namespace for the next chapter, nothing recorded, and the helpers' per-chapter state forgotten."""
    # IPython's reset ends with a full collection (20-40 ms a chapter); the collector's own runs free the cycles
    collect, gc.collect = gc.collect, lambda generation=2: 0
    try:
        get_ipython().reset(new_session=False, aggressive=False)
    finally:
        gc.collect = collect
    session.reset()
    _rec.opened.clear()
    _rec.listed.clear()
    _rec.seen.clear()
    _rec.cells.clear()
    _rec.mark = None


def state() -> None:
    """Display the fingerprints of the namespace."""
    display({"application/json": {"state": fingerprints()}}, raw=True)


def finish(exprs: list[tuple[str, int]]) -> None:
    """Display the values of the inline expressions (``(code, line)``, evaluated in the chapter's namespace; an
    error as ``{"error", "line", "expr"}``) and what the chapter read: files and their digests, helper modules
    loaded, listings, the record of each cell run and the project's own modules loaded."""
    namespace = get_ipython().user_ns
    inline = []
    for expr, line in exprs:
        try:
            inline.append(_inline_text(eval(expr, namespace)))
        except Exception as err:
            inline.append({"error": f"{type(err).__name__}: {err}", "line": line, "expr": expr})
    helper_files, project = _modules()
    display({"application/json": {"inline": inline, "reads": {**_digests(_rec.opened + project), **session.READS},
                                  "modules": _digests(helper_files), "listings": listings(),
                                  "cells": list(_rec.cells), "project": project}}, raw=True)


def _inline_text(value) -> str:
    markdown = getattr(value, "_repr_markdown_", None)
    if markdown is not None:
        text = markdown()
        return text[0] if isinstance(text, tuple) else text
    return str(value)


def _digests(files: list[str]) -> dict[str, str | None]:
    out = {}
    for file in sorted(set(files)):
        try:
            with open(file, "rb") as handle:
                out[file] = hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            out[file] = None  # opened, then removed or turned into a folder
    return out


def _modules() -> tuple[list[str], list[str]]:
    """The files of the loaded modules: of the helper package, and of the project besides it."""
    helper_files, project = [], []
    for name, module in sorted(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        if name == "helpers" or name.startswith("helpers."):
            helper_files.append(file)
        elif inside(file):
            project.append(file)
    return helper_files, project
