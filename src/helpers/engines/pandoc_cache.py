"""The cache of pandoc's conversions: a prose edit converts one page again, not the whole site."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from helpers.core import paths
from helpers.core.cache import package_files, read_json, sha_file
from helpers.engines import chapter_cache, render
from helpers.engines.options import Result


def package_key() -> str:
    """The helper package's files (the Lua filter and templates among them) and the library versions."""
    pkg = paths.package_dir()
    h = hashlib.sha256(chapter_cache.environment_key().encode())
    for path in package_files():
        h.update(f"{path.relative_to(pkg).as_posix()}\0{sha_file(path)}\n".encode())
    return h.hexdigest()


PANDOC_FORMAT = 2  # of a pandoc cache entry


@contextmanager
def pandoc_cache(folder: Path | None, result: Result, progress: Callable[[str], None] = print):
    """Reuse pandoc's output for an input it has converted before (in the last build of the edition).

    pandoc is a pure function of its input, its arguments and the files they name, with the Lua filter and the
    templates from the helper package: the key is the input, the arguments with every file they name replaced
    by its content's hash, and ``package_key``: no absolute path, size or time. An entry that cannot be read or
    is of another format is converted again (and said once). After a successful build the folder keeps only the
    entries that build used. Counted in ``result.pandoc_reused``.
    """
    if folder is None:
        yield
        return
    used: set[str] = set()
    untrusted: list[str] = []
    lock = threading.Lock()
    original = render.pandoc
    package = package_key()  # computed for each build: a long-running process (report preview) sees edits

    def key_of(markdown: str, to: str, args: list[str], reader: str) -> str:
        named = []
        for arg in args:
            name, sep, value = arg.rpartition("=")
            path = Path(value if sep else arg)
            if path.is_absolute() and path.is_file():  # a file in the staging folder or the package
                arg = f"{name}{sep}sha256:{sha_file(path)}"
            named.append(arg)
        return hashlib.sha256(json.dumps([package, reader, to, named, markdown], ensure_ascii=False).encode()).hexdigest()

    def cached(markdown: str, to: str, args: list[str], reader: str = render.READER):
        key = key_of(markdown, to, args, reader)
        entry = folder / f"{key}.json"
        with lock:
            used.add(entry.name)
        if entry.exists():
            hit = read_json(entry)
            if (hit.get("format") == PANDOC_FORMAT and hit.get("key") == key and isinstance(hit.get("output"), str)
                    and isinstance(hit.get("warnings"), list)):
                with lock:
                    result.pandoc_reused += 1
                return hit["output"], hit["warnings"]
            with lock:
                untrusted.append(entry.name)
        output, warnings = original(markdown, to, args, reader)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = entry.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps({"format": PANDOC_FORMAT, "key": key, "output": output, "warnings": warnings},
                                      ensure_ascii=False), encoding="utf-8")
            tmp.replace(entry)
        except OSError:
            pass  # a read-only project converts every time
        return output, warnings

    render.pandoc = cached
    try:
        yield
    finally:
        render.pandoc = original
        if untrusted:
            progress(f"[{result.lang}] pandoc cache: {len(untrusted)} entr{'y' if len(untrusted) == 1 else 'ies'} "
                     "that cannot be trusted (unreadable or of an older format); converted again")
    for old in folder.glob("*.json") if folder.is_dir() else ():  # only after a success
        if old.name not in used:
            old.unlink(missing_ok=True)
