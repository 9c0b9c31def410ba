"""What the helpers keep for the chapter being executed: the files they read, and what to forget between chapters.

One kernel runs the chapters of an edition one after another. The data layer records here each file it reads
(``record_read``), including those it serves from its in-memory cache without opening them, so that the engine
can key the chapter (and each of its cells, through ``on_read``) on them; a module that keeps per-chapter state
registers with ``on_reset`` how to forget it. ``reset`` runs between two chapters.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from helpers.core import views

READS: dict[str, str] = {}  # file read since the last reset -> sha256 of its content
_ON_RESET: list[Callable[[], None]] = []
_ON_READ: list[Callable[[str], None]] = []
QUIET = [0]  # > 0 while a view is read: the files opened are not recorded (the engine's hook looks here too)


_RECORDERS: list[dict[str, str]] = []  # the reads of the blocks of ``recording`` running, innermost last


def record_read(path: str | Path, digest: str) -> None:
    """Record that the chapter read ``path``, whose content has the SHA-256 ``digest``."""
    if not QUIET[0]:
        READS[str(path)] = digest
        for reads in _RECORDERS:
            reads[str(path)] = digest
        for callback in _ON_READ:
            callback(str(path))


@contextmanager
def recording():
    """What is read within (file -> SHA-256, as ``READS`` has it, which records it too)."""
    reads: dict[str, str] = {}
    _RECORDERS.append(reads)
    try:
        yield reads
    finally:
        _RECORDERS.pop()


class _Read:
    raw: bytes | None = None  # the content of the file, as the reader read it


@contextmanager
def reading_view(path: str | Path, view: str):
    """Within, what is read is recorded as the view ``view`` of ``path``, not as the file: the caller reads the
    file's content once, sets it as ``.raw`` of what this yields, and promises to use of the file only what the
    view keeps (``core.views``)."""
    read = _Read()
    QUIET[0] += 1
    try:
        yield read
    finally:
        QUIET[0] -= 1
    if read.raw is None:
        raise ValueError(f"a view of {path} was read without its content")
    if not QUIET[0]:
        pseudo = views.name(os.path.abspath(path), view)
        READS[pseudo] = views.of_bytes(view, read.raw)
        for reads in _RECORDERS:
            reads[pseudo] = READS[pseudo]
        for callback in _ON_READ:
            callback(pseudo)


def on_read(callback: Callable[[str], None]) -> None:
    """Call ``callback`` with the recorded name of each file or view read (once, however often it is
    registered)."""
    if callback not in _ON_READ:
        _ON_READ.append(callback)


def on_reset(callback: Callable[[], None]) -> None:
    """Call ``callback`` at each reset (once, however often it is registered)."""
    if callback not in _ON_RESET:
        _ON_RESET.append(callback)


def reset() -> None:
    """Forget the recorded reads and run the registered callbacks, in the order of registration."""
    READS.clear()
    for callback in list(_ON_RESET):
        callback()
