"""The installed Python packages against the project's lock, ``requirements.lock``.

The lock pins every package of every use (build, tests, lab) with the hashes of its files; ``make`` installs
exactly it, then the project on top. A build, a verification or a rerun made with other versions may differ for
that reason alone, not because of the data: ``drift`` names each package whose installed version is not the
locked one, and ``drift_line`` says it in one line, which ``report build``, ``verify`` and ``rerun`` print before
anything else. The lock's digest (``record``) goes into each edition's manifest and notebooks.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

LOCK = "requirements.lock"
OWN = "ngo-report-helpers"  # the project itself, installed on top of the lock
INSTALLERS = frozenset({"pip", "setuptools", "wheel"})  # the installer's own tools, which a lock leaves out
SHOWN = 6  # packages named in the drift line; the rest are counted

PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;(?P<marker>[^\\]*))?\\?\s*$")


class LockError(ValueError):
    """A line of the lock that is not a pin."""


def canonical(name: str) -> str:
    """A distribution's name as the package index compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """The lock's pins that apply to this Python and platform (their markers evaluated): name -> version."""
    from packaging.markers import InvalidMarker, Marker

    out: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith(("#", "--hash")):
            continue
        match = PIN.match(line)
        if match is None:
            raise LockError(f"{path.name}:{number}: not a pin 'name==version [; marker]': {line.strip()[:80]}")
        marker = (match["marker"] or "").strip()
        try:
            if marker and not Marker(marker).evaluate():
                continue
        except InvalidMarker as err:
            raise LockError(f"{path.name}:{number}: {err}") from None
        out[canonical(match["name"])] = match["version"]
    return out


def installed() -> dict[str, str]:
    """The distributions this Python imports from (the first of a name on its path): name -> version; the
    project itself and the installer's tools left out. Read from the names of their metadata folders
    (``name-version.dist-info``), as fast as a directory listing: parsing every METADATA file, as
    ``importlib.metadata`` does, took 0.6 s on a busy machine before each build."""
    out: dict[str, str] = {}
    for folder in map(Path, sys.path):
        try:
            entries = sorted(folder.iterdir()) if folder.is_dir() else []
        except OSError:
            continue
        for entry in entries:
            if entry.suffix not in (".dist-info", ".egg-info"):
                continue
            name, _, rest = entry.stem.partition("-")
            name = canonical(name)
            if rest and name not in out and name != OWN and name not in INSTALLERS:
                out[name] = rest.split("-")[0]  # an egg-info's name may go on with -py3.X
    return out


@dataclass(frozen=True)
class Drift:
    name: str
    locked: str | None  # None: installed, not in the lock
    installed: str | None  # None: locked, not installed

    def __str__(self) -> str:
        return f"{self.name} {self.locked or 'not locked'} -> {self.installed or 'not installed'}"


def drift(locked: dict[str, str], present: dict[str, str]) -> list[Drift]:
    """Every package whose installed version is not the locked one, by name."""
    return [Drift(name, locked.get(name), present.get(name)) for name in sorted(set(locked) | set(present))
            if locked.get(name) != present.get(name)]


def drift_line(root: Path, present: dict[str, str] | None = None) -> str | None:
    """One line naming the packages that differ from the project's lock (locked -> installed), or None when
    the environment is the lock's or the project has no lock."""
    path = root / LOCK
    if not path.is_file():
        return None
    try:
        found = drift(pins(path), installed() if present is None else present)
    except LockError as err:
        return f"environment: {err}: the installed versions cannot be compared with the lock"
    if not found:
        return None
    shown = ", ".join(str(d) for d in found[:SHOWN]) + (f" and {len(found) - SHOWN} more" if len(found) > SHOWN else "")
    return (f"environment: {len(found)} package(s) differ from {LOCK} (locked -> installed): {shown}; a difference "
            "in the output may come from these, not from the data (rm -rf .venv && make book installs the lock)")


def record(root: Path) -> dict:
    """The lock the environment was installed from, for the manifest and the notebooks: file and sha256."""
    path = root / LOCK
    if not path.is_file():
        return {}
    return {"file": LOCK, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
