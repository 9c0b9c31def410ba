"""Writing files so that an interruption never leaves a half-written one.

Every file the project writes outside an edition's staging folder (caches, registers, the audit's findings, the
build log) is written to a temporary file in the same folder and renamed over its name (``atomic``,
``write_atomic``): a reader sees the old file or the new one, never a part. An edition is written into a staging
folder and put in place by ``exchange``: on Linux one ``renameat2(RENAME_EXCHANGE)`` swaps the two folders
atomically; where that is not available, two renames, whose window a later build repairs (``builtin``).

The temporary files are named ``.<name>.<pid>.<thread>.tmp``: ``stale_temporaries`` finds those of processes
that no longer run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True) if sys.platform.startswith("linux") else None
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.\d+\.tmp$")


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path to write; renamed to ``path`` when the block ends without an error, removed otherwise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` through a temporary file in the same folder and a rename."""
    with atomic(path) as tmp:
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        else:
            tmp.write_text(text, encoding="utf-8")


def exchange(new: Path, old: Path) -> bool:
    """Swap two existing paths in one atomic step (Linux ``renameat2``); False where the system cannot."""
    rename2 = getattr(_LIBC, "renameat2", None)
    if rename2 is None:
        return False
    if rename2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(old), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: a file system or kernel without it
        return False
    raise OSError(err, os.strerror(err), str(old))


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed and not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc: the signal's answer stands
        return True
    return stat[stat.rfind(")") + 2:][:1] != "Z"


def stale_temporaries(folder: Path, below: bool = False) -> list[Path]:
    """The temporary files in ``folder`` (``below``: in its subfolders too) of writers that no longer run."""
    if not folder.is_dir():
        return []
    found = []
    for path in (folder.rglob(".*.tmp") if below else folder.iterdir()):
        m = _TEMPORARY.match(path.name)
        if m and path.is_file() and not alive(int(m.group(1))):
            found.append(path)
    return sorted(found)
