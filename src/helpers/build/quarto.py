"""The quarto engine: the same sources rendered by the Quarto CLI (1.9+), for those who have it.

Quarto cannot be installed from the package registries, so this engine only runs a ``quarto`` found on PATH
or named by ``QUARTO_PATH``. Its limits against the builtin engine are listed in the README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from . import BuildError

FORMATS = {"html": "html", "pdf": "typst"}


def find_quarto() -> str:
    env = os.environ.get("QUARTO_PATH", "").strip()
    if env:
        if Path(env).is_file() and os.access(env, os.X_OK):
            return env
        raise BuildError(f"QUARTO_PATH={env} is not an executable file; point it at the quarto binary")
    found = shutil.which("quarto")
    if not found:
        raise BuildError("the quarto engine needs the Quarto CLI 1.9+ on PATH (or QUARTO_PATH); "
                         "without it use the default engine: report build --engine builtin")
    return found


def commands(langs, formats) -> list[list[str]]:
    """One ``quarto render`` per edition and format."""
    return [["render", "--profile", lang, "--to", FORMATS[fmt]] for lang in langs for fmt in formats]


def build(root: Path, langs, formats, progress=print) -> None:
    quarto = find_quarto()
    for args in commands(langs, formats):
        progress("quarto " + " ".join(args))
        proc = subprocess.run([quarto, *args], cwd=root)
        if proc.returncode != 0:
            raise BuildError(f"quarto {' '.join(args)} failed with exit code {proc.returncode}")
