"""Compiled modules of the helper package that follow their source's content, not its size and time."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def hash_checked(package: Path | None = None) -> None:
    """Make the helper package's compiled modules check their source's hash when imported.

    Python trusts a module's ``.pyc`` while the source keeps its size and modification time; a module replaced
    by another of the same size and time would run its old code. A hash-checked ``.pyc`` is compared with the
    source itself. Cheap when they are so already; nothing is written where Python may not write bytecode.
    """
    import importlib.util
    import py_compile

    package = package or Path(__file__).resolve().parents[1]
    if sys.dont_write_bytecode or not os.access(package, os.W_OK):
        return
    for source in sorted(package.rglob("*.py")):
        cached = importlib.util.cache_from_source(str(source))
        try:
            data = source.read_bytes()
            with open(cached, "rb") as fh:
                head = fh.read(16)
            if head[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(head[4:8], "little") == 0b11 and \
                    head[8:16] == importlib.util.source_hash(data):
                continue
        except OSError:
            pass
        try:
            py_compile.compile(str(source), cfile=cached, doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
        except (OSError, py_compile.PyCompileError):
            pass  # a read-only package or a module with a syntax error: the import says so
