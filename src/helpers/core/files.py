"""Writing files so that an interruption never leaves a half-written one.

Every file the project writes outside an edition's staging folder (caches, registers, the audit's findings, the
build log) is written to a temporary file in the same folder and renamed over its name (``atomic``,
``write_atomic``): a reader sees the old file or the new one, never a part. An edition is written into a staging
folder and put in place by ``exchange``: on Linux one ``renameat2(RENAME_EXCHANGE)`` swaps the two folders
atomically; where that is not available, two renames, whose window a later build repairs (``builtin``).

The temporary files are named ``.<name>.<pid>.<thread>.tmp``: ``stale_temporaries`` finds those of processes
that no longer run.

A file's ``state`` (device, inode, size, modification and change time) tells without reading it that it is
unchanged: the change time is set by the system on every write, rename or ``touch`` and cannot be set back. A
file changed within the clock's resolution after its state was taken could keep it, so a state is trusted only
once the file has been still for ``RACY_NS`` (``settled``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import re
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True) if sys.platform.startswith("linux") else None
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.\d+\.tmp$")
RACY_NS = 50_000_000  # a file changed this close to the moment its state was taken is compared by content


def state(st: os.stat_result) -> tuple[int, ...]:
    """What identifies a file's content without reading it, as long as the file is ``settled``."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def settled(st: os.stat_result, now_ns: int) -> bool:
    """Whether the file was last changed long enough before ``now_ns`` for its state to stand for its content."""
    return max(st.st_ctime_ns, st.st_mtime_ns) < now_ns - RACY_NS


# The SHA-256 of each file this process read, with the file's state when it was read: while a settled file keeps
# that state, its content is known without reading it again.
_DIGESTS: dict[str, tuple[tuple[int, ...], str]] = {}


def settled_state(path: Path) -> tuple[int, ...] | None:
    """The file's state if it may stand for its content (None for a file changed a moment ago); raises OSError
    (FileNotFoundError) for a file that cannot be stat'ed."""
    now = time.time_ns()
    st = os.stat(path)
    return state(st) if settled(st, now) else None


def known_digest(path: Path, file_state: tuple[int, ...] | None) -> str | None:
    """The digest of the file's content, known by its state (``settled_state``); None when it must be read."""
    known = _DIGESTS.get(str(path))
    return known[1] if file_state is not None and known is not None and known[0] == file_state else None


def read(path: Path, file_state: tuple[int, ...] | None) -> tuple[bytes, str]:
    """The file's content and its SHA-256, kept by ``file_state`` (taken before reading: a write after it changes
    the state, so what was read under it is never taken for the file's content later)."""
    raw = Path(path).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if file_state is not None:
        _DIGESTS[str(path)] = (file_state, digest)
    return raw, digest


def digest(path: Path) -> str:
    """The SHA-256 of the file's content, read only when its state is not the one it was last read with."""
    file_state = settled_state(path)
    return known_digest(path, file_state) or read(path, file_state)[1]


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
