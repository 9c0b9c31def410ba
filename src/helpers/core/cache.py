"""One keyed cache for every result the project keeps between runs: ``.cache/<store>/``.

What each store keys on is declared where it is used, with ``Key``: the names and contents of what the result
depends on, files named by their place in the project (``data/...``, ``helpers/...``, ``chapters/...``) with the
SHA-256 of their content, never an absolute path, a size or a time. So a project moved, copied (``cp -a``) or
restored elsewhere reuses what is still valid.

An entry is one JSON file ``{"format", "store", "key", "value"}``, written to a temporary file and renamed (a
reader sees a whole entry or none). It is addressed by its key, or by a slot (``kk/02-activity``) when a store
keeps one entry per thing and the key inside must match. An entry that cannot be read, is of another format or
store, or whose key differs from the one asked for, is never served: ``Store.get`` returns ``None`` and
``Store.untrusted`` says why, once per entry, for the caller to say it. ``Store.compute`` lets one process
compute a result while the others wait for it (a lock file beside the entry). A project whose ``.cache`` cannot
be written computes every time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
import threading
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable

from helpers.core import files, paths
from helpers.core.files import write_atomic  # noqa: F401 - the cache's writes, and its callers'

FORMAT = 1  # of an entry; an entry without it (or with another) was written by an older version
_VERSIONS: dict[str, str] = {}
_VERSIONS_LOCK = threading.Lock()
_VERSIONS_WHERE: list = []  # the state of the folders of sys.path when ``_VERSIONS`` was filled


def sha_bytes(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def library_version(name: str) -> str:
    """The installed version of a library ("?" when it is not installed). Read once (``importlib.metadata``
    scans every installed distribution: about 1 ms a name) while the folders of ``sys.path`` keep their state:
    installing or removing a library changes its folder's."""
    where = []
    for entry in sys.path:
        try:
            where.append((entry, *files.state(os.stat(entry or "."))))
        except OSError:
            where.append((entry,))
    with _VERSIONS_LOCK:
        if where != _VERSIONS_WHERE:
            _VERSIONS.clear()
            _VERSIONS_WHERE[:] = where
        if name not in _VERSIONS:
            try:
                _VERSIONS[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                _VERSIONS[name] = "?"
        return _VERSIONS[name]


def sha_file(path: Path) -> str:
    """The SHA-256 of a file's content (read again only when its state changed: ``files.digest``)."""
    return files.digest(Path(path))


def sha_or_none(path: str | Path) -> str | None:
    """The file's SHA-256, or None when it cannot be read (removed, a folder)."""
    try:
        return sha_file(Path(path))
    except OSError:
        return None


def walk_once(folder: str | Path):
    """``os.walk`` of ``folder`` following linked folders, each real folder once (a folder linked into itself
    ends there); the caller may prune ``dirs`` as with ``os.walk``."""
    seen: set[str] = set()
    for here, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        yield here, dirs, files


def file_hashes(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file under ``folder`` (relative POSIX path -> sha256 of its content), in sorted order; linked files
    and folders are followed (a folder linked into itself once)."""
    out = {}
    for here, dirs, files in walk_once(folder):
        dirs.sort()
        for name in files:
            path = Path(here) / name
            rel = path.relative_to(folder).as_posix()
            if rel not in skip and path.is_file():
                out[rel] = sha_file(path)
    return dict(sorted(out.items()))


def package_files() -> list[Path]:
    """The helper package's files (modules, Lua filters, templates), without compiled modules."""
    pkg = paths.package_dir()
    return sorted(p for p in pkg.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def read_json(path: Path) -> dict:
    """A JSON object from a file; ``{}`` when it is missing, unreadable or not an object."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


class Key:
    """What a cached result depends on, hashed: ``Key("check").data(root).package().libraries("pandas")``."""

    def __init__(self, *parts: object):
        self._h = hashlib.sha256()
        for part in parts:
            self.add("part", part)

    def add(self, name: str, value: object) -> Key:
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
        self._h.update(f"{name}\0{text}\n".encode("utf-8"))
        return self

    def file(self, name: str, path: Path) -> Key:
        """A file by its name in the project and its content."""
        return self.add(name, sha_file(path))

    def folder(self, prefix: str, folder: Path) -> Key:
        """Every file of a folder, named ``<prefix>/<relative path>``."""
        if folder.is_dir():
            for rel, digest in file_hashes(folder).items():
                self.add(f"{prefix}/{rel}", digest)
        return self

    def data(self, root: Path) -> Key:
        """The data folder (``data/`` wherever ``REPORT_DATA`` puts it)."""
        return self.folder("data", paths.data_dir(root))

    def package(self, suffixes: Iterable[str] | None = None) -> Key:
        """The helper package's files (only those ending in ``suffixes``, if given), named ``helpers/...``."""
        pkg = paths.package_dir()
        wanted = tuple(suffixes) if suffixes is not None else None
        for path in package_files():
            if wanted is None or path.suffix in wanted:
                self.file(f"helpers/{path.relative_to(pkg).as_posix()}", path)
        return self

    def libraries(self, *names: str) -> Key:
        for lib in names:
            self.add(f"lib:{lib}", library_version(lib))
        return self

    def hexdigest(self) -> str:
        return self._h.hexdigest()


class Store:
    """One store of entries under ``<root>/.cache/<name>``; ``enabled=False`` (``--no-cache``) keeps nothing."""

    def __init__(self, root: Path, name: str, enabled: bool = True):
        self.name = name
        self.folder = Path(root) / ".cache" / name if enabled else None
        self.untrusted: list[tuple[str, str]] = []  # (entry, why) of entries found and not served
        self._lock = threading.Lock()

    def _path(self, key: str, slot: str | None) -> Path:
        return self.folder / f"{slot or key}.json"

    def get(self, key: str, slot: str | None = None) -> Any | None:
        """The value stored for ``key`` (at ``slot``), or None."""
        if self.folder is None:
            return None
        path = self._path(key, slot)
        if not path.exists():
            return None
        entry = read_json(path)
        why = ("unreadable" if not entry else
               "written by an older version of the cache" if entry.get("format") != FORMAT or entry.get("store") != self.name
               else "incomplete" if "value" not in entry or not isinstance(entry.get("key"), str)
               else "")
        if why:
            with self._lock:
                self.untrusted.append((slot or key, why))
            return None
        return entry["value"] if entry["key"] == key else None

    def put(self, key: str, value: Any, slot: str | None = None) -> bool:
        """Store a value (JSON); False when the cache cannot be written (a read-only project)."""
        if self.folder is None:
            return False
        entry = {"format": FORMAT, "store": self.name, "key": key, "value": value}
        try:
            write_atomic(self._path(key, slot), json.dumps(entry, ensure_ascii=False))
        except OSError:
            return False
        return True

    @contextmanager
    def locked(self, name: str):
        """One process at a time (across processes) for ``name``; without a writable cache, no lock."""
        handle = None
        if self.folder is not None:
            lock = self.folder / f"{name}.lock"
            try:
                lock.parent.mkdir(parents=True, exist_ok=True)  # a slot may name a subfolder (kk/02-activity)
                handle = open(lock, "w")  # noqa: SIM115 - held for the block
                fcntl.flock(handle, fcntl.LOCK_EX)
            except OSError:
                handle = None
        try:
            yield
        finally:
            if handle is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()

    def compute(self, key: str, make: Callable[[], Any], slot: str | None = None) -> Any:
        """The stored value for ``key``, else ``make()`` stored: computed by one process while others wait."""
        found = self.get(key, slot)
        if found is not None:
            return found
        with self.locked(slot or key):
            found = self.get(key, slot)
            if found is not None:
                return found
            value = make()
            self.put(key, value, slot)
            return value

    def keep_only(self, names: Iterable[str]) -> None:
        """Remove the entries (by key or slot) not in ``names``."""
        if self.folder is None or not self.folder.is_dir():
            return
        keep = {f"{n}.json" for n in names}
        for old in self.folder.rglob("*.json"):
            if old.relative_to(self.folder).as_posix() not in keep:
                try:
                    old.unlink(missing_ok=True)
                except OSError:
                    return  # a cache that cannot be written keeps what it has


class ByReads:
    """Results of many small computations over the data folder (the audit's rules, the prose's claims), each kept
    with the data files it read, in one entry of ``store`` at ``slot``: a computation whose key and files read
    are unchanged is not run again, so a data edit runs again those that read the edited file.

    ``code`` keys the whole entry (the code that computes, the libraries): another code computes everything again.
    What a computation read comes from ``core.session`` (the data layer tells it of every file it reads, those
    served from memory included), named relative to ``folder`` with its SHA-256 (or that of its view,
    ``core.views``), and checked against the files now; one that read a file outside ``folder``, or raised, is
    not kept. A value served records its files as read again (``session.record_read``), as if it had been
    computed. Values are JSON, given back through JSON whether computed now or served, so both are alike.
    """

    def __init__(self, store: Store, slot: str, code: str, folder: Path):
        self.store, self.slot, self.code, self.folder = store, slot, code, Path(folder)
        old = store.get(slot, slot=slot)
        self.old = old["items"] if isinstance(old, dict) and old.get("code") == code and \
            isinstance(old.get("items"), dict) else {}
        self.new: dict[str, dict] = {}
        self._digests: dict[str, str | None] = {}
        self.computed = 0

    def _digest(self, name: str) -> str | None:
        if name not in self._digests:
            from helpers.core import views

            parts = name.split("/") if isinstance(name, str) else [""]
            self._digests[name] = None if "" in parts or ".." in parts else views.digest(self.folder.joinpath(*parts))
        return self._digests[name]

    def _valid(self, entry) -> bool:
        try:
            return isinstance(entry["reads"], dict) and "value" in entry and \
                all(self._digest(name) == digest for name, digest in entry["reads"].items())
        except (KeyError, TypeError, AttributeError):
            return False

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        from helpers.core import session

        entry = self.old.get(key)
        if entry is not None and self._valid(entry):
            for name, digest in entry["reads"].items():  # what it read, as if it had been read now
                session.record_read(self.folder.joinpath(*name.split("/")), digest)
            self.new[key] = entry
            return json.loads(json.dumps(entry["value"]))
        with session.recording() as reads:
            value = json.loads(json.dumps(compute()))
        self.computed += 1
        names: dict[str, str] | None = {}
        for path, digest in reads.items():
            try:
                names[Path(path).relative_to(self.folder).as_posix()] = digest
            except ValueError:  # outside the folder: not kept
                names = None
                break
        if names is not None:
            self.new[key] = {"reads": names, "value": value}
        return json.loads(json.dumps(value))

    def save(self) -> None:
        """Keep the entries used by this run (only those), when they differ from what was kept."""
        if self.new != self.old:
            self.store.put(self.slot, {"code": self.code, "items": self.new}, slot=self.slot)
