"""The quarto engine: the same sources rendered by the Quarto CLI (1.9+), for those who have it.

Quarto cannot be installed from the package registries, so this engine only runs a ``quarto`` found on PATH
or named by ``QUARTO_PATH``. Each edition is one ``quarto render --profile <lang>`` of all the formats asked
for (Quarto empties a book's output folder when it renders it, so the formats are rendered together), into
``output/quarto/<lang>/`` (the profile's ``output-dir``), apart from the builtin engine's ``output/<lang>/``.
The chapters run in the Python that runs this engine (``QUARTO_PYTHON``, unless set), so they import
``helpers``. Its limits against the builtin engine are listed in the README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers.core.processes import child_setup
from helpers.core.errors import BuildError

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


def commands(langs, formats, output: Path | None = None) -> list[list[str]]:
    """One ``quarto render`` per edition: of one format, or of all the book's formats (html and typst)."""
    to = [] if set(formats) == set(FORMATS) else ["--to", FORMATS[formats[0]]]
    extra = lambda lang: ["--output-dir", str(output / "quarto" / lang)] if output else []  # noqa: E731
    return [["render", "--profile", lang, *to, *extra(lang)] for lang in langs]


def environment() -> dict:
    """Quarto's environment: the chapters' kernel runs in this Python, which has the ``helpers`` package."""
    env = dict(os.environ, REPORT_ENGINE="quarto")  # the chapters' displays give Quarto their Markdown only
    if not env.get("QUARTO_PYTHON"):
        env["QUARTO_PYTHON"] = sys.executable
    return env


def build(root: Path, langs, formats, progress=print, output: Path | None = None) -> None:
    quarto = find_quarto()
    env = environment()
    for args in commands(langs, formats, output):
        progress("quarto " + " ".join(args), flush=True)
        proc = subprocess.run([quarto, *args], cwd=root, env=env, preexec_fn=child_setup())
        if proc.returncode != 0:
            raise BuildError(f"quarto {' '.join(args)} failed with exit code {proc.returncode}")
