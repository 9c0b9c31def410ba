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


class Places:
    """Names of files relative to the project (the data folder is ``data/`` wherever it is) and back.

    Symbolic links are followed for content but not for names: a data folder linked from elsewhere is still
    ``data/``. A path that is neither under the project nor under its data folder has no name.
    """

    def __init__(self, root: Path):
        self.root = Path(os.path.abspath(root))
        self.data = Path(os.path.abspath(data_dir(self.root)))
        self.package = package_dir()

    def name_of(self, file: str | Path) -> str | None:
        path = Path(os.path.abspath(file))
        for candidate in (path, path.resolve()):
            for base, prefix in ((self.data, "data"), (self.root, "")):
                for folder in (base, base.resolve()):
                    try:
                        rel = candidate.relative_to(folder).as_posix()
                    except ValueError:
                        continue
                    return f"{prefix}/{rel}".strip("/").removesuffix("/.") if prefix else rel
        return None

    def path_of(self, name: str) -> Path | None:
        """The file a name stands for; None for a name that points outside the project (not to be trusted)."""
        if not isinstance(name, str) or not name or "\\" in name:
            return None
        parts = name.split("/")
        if name.startswith("/") or ".." in parts or "" in parts or ":" in parts[0]:
            return None
        if parts[0] == "data":
            return self.data.joinpath(*parts[1:])
        return self.root.joinpath(*parts)

    def module_name(self, file: str) -> str | None:
        try:
            return "helpers/" + Path(file).resolve().relative_to(self.package).as_posix()
        except ValueError:
            return None

    def module_path(self, name: str) -> Path | None:
        parts = name.split("/") if isinstance(name, str) else []
        if len(parts) < 2 or parts[0] != "helpers" or ".." in parts or "" in parts:
            return None
        return self.package.joinpath(*parts[1:])
