"""The cache of pandoc's conversions: a prose edit converts one page again, not the whole site."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from helpers.core.cache import Key, Store, sha_file
from helpers.engines import chapter_cache, render
from helpers.engines.options import Result


def package_key() -> str:
    """The helper package's files (the Lua filter and templates among them) and the library versions."""
    return Key("pandoc").add("environment", chapter_cache.environment_key()).package().hexdigest()


PANDOC_FORMAT = 3  # of a pandoc cache entry's value: {"output", "warnings"}


@contextmanager
def pandoc_cache(folder: Path | None, result: Result, progress: Callable[[str], None] = print):
    """Reuse pandoc's output for an input it has converted before (in the last build of the edition).

    ``folder`` is the edition's ``<root>/.cache/pandoc/<lang>`` (None: no cache). pandoc is a pure function of
    its input, its arguments and the files they name, with the Lua filter and the templates from the helper
    package: the key is the input, the arguments with every file they name replaced by its content's hash, and
    ``package_key``: no absolute path, size or time. An entry that cannot be read or is of another format is
    converted again (and said once). After a successful build the folder keeps only the entries that build
    used. Counted in ``result.pandoc_reused``.
    """
    if folder is None:
        yield
        return
    store = Store(folder.parents[2], f"pandoc/{folder.name}")
    used: set[str] = set()
    malformed: list[str] = []  # entries whose value is not a conversion
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
        return Key(PANDOC_FORMAT, package, reader, to, named, markdown).hexdigest()

    def cached(markdown: str, to: str, args: list[str], reader: str = render.READER):
        key = key_of(markdown, to, args, reader)
        with lock:
            used.add(key)
        hit = store.get(key)
        if hit is not None:
            if isinstance(hit, dict) and isinstance(hit.get("output"), str) and isinstance(hit.get("warnings"), list):
                with lock:
                    result.pandoc_reused += 1
                return hit["output"], hit["warnings"]
            with lock:
                malformed.append(key)
        output, warnings = original(markdown, to, args, reader)
        store.put(key, {"output": output, "warnings": warnings})  # a read-only project converts every time
        return output, warnings

    render.pandoc = cached
    try:
        yield
    finally:
        render.pandoc = original
        untrusted = len(store.untrusted) + len(malformed)
        if untrusted:
            progress(f"[{result.lang}] pandoc cache: {untrusted} entr{'y' if untrusted == 1 else 'ies'} "
                     "that cannot be trusted (unreadable or of an older format); converted again")
    store.keep_only(used)  # only after a success
