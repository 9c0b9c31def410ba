"""The no-change path of ``report build``: what a stat of the inputs can rule out, without reading them.

After a successful build, ``<output>/.build-stamp.json`` records the state of every file the build may depend
on (the project's files but ``.git``, ``.venv``, ``.cache`` and the output folder; the data folder and helper
package wherever they are; the folders of ``sys.path``, whose listing changes when a library is installed or
removed), the state of the editions' output files as the build left them, the command's options, the
environment variables that can change a result, and the lines the build would print were it run again with
nothing changed. The next build with the same options whose files all have the same state prints those lines
and stops: no module of the engine, no library and no file's content is read.

A file's state is its device, inode, size, modification time and change time (``ctime``). The change time is
set by the system on every write, rename or ``touch`` and cannot be set back, so a file replaced by another of
the same size and modification time (``cp -p``, ``touch -d``, a rename over it) has another state. A file
changed within the resolution of the clock after its state was taken could keep it: for a file whose change
time is that recent (``files.RACY_NS``), the stamp records the SHA-256 of its content too, and compares it.

The inputs' states are taken before the build reads anything, the outputs' after it wrote them; a file edited
while the build ran has another state than the stamp's, and the next build is a full one. Anything else (a
missing or unreadable stamp, another format, options or environment) makes it a full build too, which checks
every input by content as before; ``--no-cache``, ``--strict`` and ``--engine quarto`` never use the stamp.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from helpers.core import paths
from helpers.core.cache import sha_or_none, walk_once
from helpers.core.files import settled, state as file_state, write_atomic

FORMAT = 1
NAME = ".build-stamp.json"
SKIP = frozenset({".git", ".venv", "venv", ".cache", "__pycache__", ".pytest_cache", "node_modules"})
# environment variables that can change what a build makes or where it reads (chapter_cache.ENVIRONMENT and
# the path variables)
VARIABLES = ("SOURCE_DATE_EPOCH", "PYTHONHASHSEED", "MPLBACKEND", "REPORT_ENGINE", "REPORT_ROOT", "REPORT_DATA",
             "PYTHONPATH")


def _state(st: os.stat_result) -> list[int]:
    return list(file_state(st))


def _walk(folder: Path, skip: set[str], out: dict[str, list], now_ns: int) -> None:
    """The state of every file under ``folder`` (linked folders followed once), but the paths in ``skip``."""
    for here, dirs, files in walk_once(folder):
        dirs[:] = [d for d in dirs if d not in SKIP and not d.endswith(".egg-info")
                   and os.path.join(here, d) not in skip]
        for name in files:
            path = os.path.join(here, name)
            if path in skip or name.endswith(".pyc"):
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            state = _state(st)
            if not settled(st, now_ns):
                state.append(sha_or_none(path))
            out[path] = state


def inputs(root: Path, out_root: Path) -> dict[str, list]:
    """The state of every file a build of ``root`` into ``out_root`` may read, and of the folders of
    ``sys.path``."""
    now = time.time_ns()
    found: dict[str, list] = {}
    skip = {os.path.abspath(out_root)}
    for folder in dict.fromkeys([Path(os.path.abspath(root)), Path(os.path.abspath(paths.data_dir(root))),
                                 paths.package_dir()]):
        if folder.is_dir():
            _walk(folder, skip, found, now)
    _libraries(Path(os.path.abspath(root)), found)
    return found


def _libraries(project: Path, out: dict[str, list]) -> None:
    """The state of the folders of ``sys.path`` (where libraries are installed), but the project's own."""
    for entry in sys.path:
        folder = Path(os.path.abspath(entry or "."))
        if folder == project or project in folder.parents:
            continue
        try:
            out[f"sys.path:{entry}"] = _state(os.stat(folder))
        except OSError:
            out[f"sys.path:{entry}"] = []


def modules(root: Path) -> dict[str, list]:
    """The state of what a process of ``root`` imports: the helper package's files and the folders of
    ``sys.path`` (the project's own folders are not followed: a module of the project is in the package)."""
    now = time.time_ns()
    found: dict[str, list] = {}
    _walk(paths.package_dir(), set(), found, now)
    _libraries(Path(os.path.abspath(root)), found)
    return found


def same_modules(root: Path, recorded: dict[str, list]) -> bool:
    """Whether ``modules`` finds the states ``recorded`` (a file changed too recently to trust its state alone
    is compared by content)."""
    return _unchanged(recorded, modules(root))


def outputs(out_root: Path, langs: tuple[str, ...]) -> dict[str, list]:
    """The state of the editions' files and build logs in ``out_root``."""
    now = time.time_ns()
    found: dict[str, list] = {}
    for lang in langs:
        _walk(out_root / lang, set(), found, now)
        log = out_root / f".build-{lang}.json"
        try:
            found[str(log)] = _state(log.stat())
        except OSError:
            found[str(log)] = []
    return found


def _unchanged(recorded: dict, now: dict[str, list]) -> bool:
    if recorded.keys() != now.keys():
        return False
    for path, state in recorded.items():
        current = now[path]
        if current[:5] != state[:5]:
            return False
        if len(state) > 5 and sha_or_none(path) != state[5]:  # changed too recently to trust its state alone
            return False
    return True


def context(options: dict) -> dict:
    """What besides the files must be equal: the command's options, Python, the environment variables."""
    return {"options": options, "python": [sys.executable, sys.version],
            "environment": {name: os.environ.get(name) for name in VARIABLES}}


def current_lines(out_root: Path, ctx: dict, langs: tuple[str, ...]) -> list[list[str]] | None:
    """The lines to print when nothing changed since the stamp's build, or None when something may have."""
    try:
        stamp = json.loads((out_root / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("format") != FORMAT or stamp.get("context") != ctx:
        return None
    try:
        root = Path(ctx["options"]["root"])
        if not (_unchanged(stamp["outputs"], outputs(out_root, langs))
                and _unchanged(stamp["inputs"], inputs(root, out_root))):
            return None
        lines = stamp["lines"]
    except (KeyError, TypeError, IndexError):
        return None
    return lines if isinstance(lines, list) else None


def write(out_root: Path, ctx: dict, before: dict[str, list], langs: tuple[str, ...],
          lines: list[list[str]]) -> None:
    """Record a successful build: the inputs' states taken before it, the outputs' now, and its lines."""
    stamp = {"format": FORMAT, "context": ctx, "inputs": before, "outputs": outputs(out_root, langs),
             "lines": lines}
    try:
        write_atomic(out_root / NAME, json.dumps(stamp, ensure_ascii=False))
    except OSError:
        pass  # an output folder that cannot be written had no build to record


def forget(out_root: Path) -> None:
    """No stamp: the next build checks everything (after a failed or held build)."""
    try:
        (out_root / NAME).unlink(missing_ok=True)
    except OSError:
        pass
