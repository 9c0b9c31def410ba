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

    original_pieces = render.pandoc_pieces

    def cached_pieces(markdowns: list[str], to: str, args: list[str], reader: str = render.READER, convert=None):
        """Each piece by its own key; the pieces not found converted by one run (``render.pandoc_pieces``)."""
        keys = [key_of(markdown, to, ["piece", *args], reader) for markdown in markdowns]
        with lock:
            used.update(keys)
        found = {}
        for key in dict.fromkeys(keys):
            hit = store.get(key)
            if isinstance(hit, dict) and isinstance(hit.get("output"), str) and isinstance(hit.get("warnings"), list):
                found[key] = (hit["output"], hit["warnings"])
            elif hit is not None:
                with lock:
                    malformed.append(key)
        with lock:
            result.pandoc_reused += sum(key in found for key in keys)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            convert = convert or original
            pieces, warnings = original_pieces([markdowns[i] for i in missing], to, args, reader, convert)
            if warnings and len(missing) > 1:  # each piece alone, so that a warning is kept with its piece
                converted = [original_pieces([markdowns[i]], to, args, reader, convert) for i in missing]
            else:
                converted = [([piece], warnings) for piece in pieces]
            for i, ([piece], warned) in zip(missing, converted):
                found[keys[i]] = (piece, warned)
                store.put(keys[i], {"output": piece, "warnings": warned})
        out_warnings: list[str] = []
        for key in dict.fromkeys(keys):
            out_warnings += found[key][1]
        return [found[key][0] for key in keys], out_warnings

    render.pandoc, render.pandoc_pieces = cached, cached_pieces
    try:
        yield
    finally:
        render.pandoc, render.pandoc_pieces = original, original_pieces
        untrusted = len(store.untrusted) + len(malformed)
        if untrusted:
            progress(f"[{result.lang}] pandoc cache: {untrusted} entr{'y' if untrusted == 1 else 'ies'} "
                     "that cannot be trusted (unreadable or of an older format); converted again")
    store.keep_only(used)  # only after a success
