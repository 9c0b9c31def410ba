"""Where the project lives. Chapters run in a kernel whose working directory may be anywhere."""

from __future__ import annotations

import os
from pathlib import Path

MARKER = "_quarto.yml"


def project_root(start: Path | None = None) -> Path:
    """The folder holding ``_quarto.yml``: ``$REPORT_ROOT`` if set, else the first parent of ``start``."""
    env = os.environ.get("REPORT_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).exists():
            return folder
    raise FileNotFoundError(f"no {MARKER} found in {here} or its parents: run from the project's folder, or set "
                            "REPORT_ROOT to the folder that holds it")


def data_dir(root: Path | None = None) -> Path:
    """The data folder: ``$REPORT_DATA`` (tests point it at fixtures) or ``<root>/data``."""
    env = os.environ.get("REPORT_DATA")
    return Path(env).resolve() if env else (root or project_root()) / "data"


def package_dir() -> Path:
    """The helper package in use (the kernel imports the same one)."""
    return Path(__file__).resolve().parents[1]
