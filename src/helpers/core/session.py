"""What the helpers keep for the chapter being executed: the files they read, and what to forget between chapters.

One kernel runs the chapters of an edition one after another. The data layer records here each file it reads
(``record_read``), including those it serves from its in-memory cache, so that the engine can key the chapter on
them; a module that keeps per-chapter state registers with ``on_reset`` how to forget it. ``reset`` runs between
two chapters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

READS: dict[str, str] = {}  # file read since the last reset -> sha256 of its content
_ON_RESET: list[Callable[[], None]] = []


def record_read(path: str | Path, digest: str) -> None:
    """Record that the chapter read ``path``, whose content has the SHA-256 ``digest``."""
    READS[str(path)] = digest


def on_reset(callback: Callable[[], None]) -> None:
    """Call ``callback`` at each reset (once, however often it is registered)."""
    if callback not in _ON_RESET:
        _ON_RESET.append(callback)


def reset() -> None:
    """Forget the recorded reads and run the registered callbacks, in the order of registration."""
    READS.clear()
    for callback in list(_ON_RESET):
        callback()
