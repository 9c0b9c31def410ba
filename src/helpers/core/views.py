"""Views of a data file: the part of it a result depends on, so that an edit elsewhere in the file keeps the result.

A chapter that reads a file only for some of its rows records, instead of the file, a view of it: the name
``<file>#view=<view>`` with the SHA-256 of what the view keeps. The chapter cache checks a view as it checks a file,
by computing it again from the file's bytes (here, without pandas, in the build process as in the kernel), so one
function defines it on both sides and they cannot disagree.

Views (each keeps more than the reader uses, never less):

- ``missing``: the header line and every line that contains ``missing`` anywhere, in their order. The register of
  gaps (``data.gaps``) reads of a file the rows whose ``status`` is ``missing``, their dimensions and unit, and the
  header (which column is which); a value edited on another row leaves the view, and so the register, as it was.
  The file's schema is in ``datapackage.json``, which the register reads as a whole.

A file that no longer passes ``report check`` may parse differently; the build stops at the check before it uses
any chapter.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SEPARATOR = "#view="


def _missing(raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    return b"\n".join([lines[0], *(line for line in lines[1:] if b"missing" in line)])


VIEWS = {"missing": _missing}


def name(file: str | Path, view: str) -> str:
    """The name under which a view of ``file`` is recorded."""
    if view not in VIEWS:
        raise KeyError(f"unknown view '{view}' of a data file")
    return f"{file}{SEPARATOR}{view}"


def of_bytes(view: str, raw: bytes) -> str:
    """The SHA-256 of ``view`` of a file whose content is ``raw``."""
    return hashlib.sha256(view.encode() + b"\0" + VIEWS[view](raw)).hexdigest()


def split(file: str | Path) -> tuple[str, str]:
    """``(file, view)`` of a recorded name; ``view`` is ``""`` for a whole file (a name whose suffix names no
    known view is a whole file too)."""
    text = str(file)
    base, sep, view = text.rpartition(SEPARATOR)
    if sep and view in VIEWS:
        return base, view
    return text, ""


def digest(file: str | Path) -> str | None:
    """The SHA-256 of a recorded name: of the file's content, or of its view; None when it cannot be read."""
    path, view = split(file)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    return of_bytes(view, raw) if view else hashlib.sha256(raw).hexdigest()
