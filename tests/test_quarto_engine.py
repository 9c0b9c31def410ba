"""The quarto engine, run against a STAND-IN `quarto` executable that records its arguments (the Quarto CLI
cannot be installed from the package registries this project uses)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from conftest import report

STAND_IN = """#!/bin/sh
# stand-in for the Quarto CLI: records how it was called
echo "$@" >> "{log}"
"""


def _stand_in(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "calls.log"
    exe = tmp_path / "bin" / "quarto"
    exe.parent.mkdir()
    exe.write_text(STAND_IN.format(log=log))
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe, log


def test_quarto_render_is_called_once_per_profile_with_all_formats(small_book: Path, tmp_path: Path):
    exe, log = _stand_in(tmp_path)
    res = report("build", "--engine", "quarto", cwd=small_book, env={"QUARTO_PATH": str(exe)})
    assert res.returncode == 0, res.stderr
    # one render per edition: Quarto empties a book's output folder whenever it renders it
    assert log.read_text().splitlines() == ["render --profile kk", "render --profile ru"]


def test_quarto_renders_into_the_output_folder_given(small_book: Path, tmp_path: Path):
    exe, log = _stand_in(tmp_path)
    out = tmp_path / "out"
    res = report("build", "--engine", "quarto", "--lang", "kk", "--to", "html", "--output", str(out), cwd=small_book,
                 env={"QUARTO_PATH": str(exe)})
    assert res.returncode == 0, res.stderr
    assert log.read_text().strip() == f"render --profile kk --to html --output-dir {out / 'quarto' / 'kk'}"


def test_the_chapters_run_in_the_python_that_has_the_helpers(small_book: Path, tmp_path: Path):
    exe, log = _stand_in(tmp_path)
    exe.write_text(f'#!/bin/sh\necho "$QUARTO_PYTHON" >> "{log}"\n')
    res = report("build", "--engine", "quarto", "--lang", "ru", cwd=small_book,
                 env={"QUARTO_PATH": str(exe), "QUARTO_PYTHON": ""})
    assert res.returncode == 0, res.stderr
    python = Path(log.read_text().strip())
    assert subprocess.run([python, "-c", "import helpers"]).returncode == 0


def test_quarto_found_on_path(small_book: Path, tmp_path: Path):
    exe, log = _stand_in(tmp_path)
    env = {"PATH": f"{exe.parent}{os.pathsep}{os.environ['PATH']}", "QUARTO_PATH": ""}
    res = report("build", "--engine", "quarto", "--lang", "ru", "--to", "pdf", cwd=small_book, env=env)
    assert res.returncode == 0, res.stderr
    assert log.read_text().strip() == "render --profile ru --to typst"  # --to pdf: the PDF alone


def test_without_quarto_the_message_says_what_to_do(small_book: Path, tmp_path: Path):
    env = {"PATH": "/usr/bin:/bin", "QUARTO_PATH": ""}
    res = report("build", "--engine", "quarto", cwd=small_book, env=env)
    assert res.returncode == 1
    assert "needs the Quarto CLI" in res.stderr and "--engine builtin" in res.stderr


def test_the_sources_declare_what_quarto_needs():
    import yaml
    from conftest import ROOT

    base = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    assert base["project"]["type"] == "book"
    for lang in ("kk", "ru"):
        profile = yaml.safe_load((ROOT / f"_quarto-{lang}.yml").read_text(encoding="utf-8"))
        assert profile["book"]["author"], "Quarto's typst book fails without book.author"
        assert profile["crossref"]["custom"][0]["key"] == "dgm"
        for chapter in profile["book"]["chapters"] + profile["book"]["appendices"]:
            assert (ROOT / chapter).exists()
    assert base["format"]["typst"]["papersize"] == "a4"
    assert (ROOT / "_language-kk.yml").exists()


def test_quartos_home_page_is_not_a_chapter_of_the_builtin_edition():
    import yaml
    from conftest import ROOT

    from helpers.core import config

    base = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    assert base["book"]["chapters"] == ["index.qmd"]  # Quarto joins it with each profile's chapters
    for lang in ("kk", "ru"):
        book = config.load(ROOT, lang)
        assert book.chapters[0] == ROOT / "chapters" / lang / "index.qmd"
        assert ROOT / "index.qmd" not in book.files
