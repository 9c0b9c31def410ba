"""The same sources rendered by a real Quarto CLI and by the builtin engine: both editions, HTML and PDF.

These tests run wherever QUARTO_PATH points to a Quarto CLI (1.9+); elsewhere (CI has none) they are skipped.
Quarto renders a copy of the project in a temporary folder, so its intermediate files never touch the sources.
"""

from __future__ import annotations

import csv
import html
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, pdf_text, report

from helpers.core import config

LANGS = config.langs(ROOT)  # every edition the book declares


def _real_quarto() -> str | None:
    """QUARTO_PATH, if it names a Quarto CLI that answers --version (not a stand-in)."""
    path = os.environ.get("QUARTO_PATH", "").strip()
    if not path or not os.access(path, os.X_OK):
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if re.fullmatch(r"\d+\.\d+\.\d+\S*", out.strip()) else None


QUARTO = _real_quarto()
pytestmark = pytest.mark.skipif(QUARTO is None, reason="needs a real Quarto CLI: set QUARTO_PATH to one "
                                "(none is installed here)")

SKIP = shutil.ignore_patterns(".venv", "venv", ".git", ".cache", ".quarto", "output", "__pycache__", "*.pyc",
                              ".pytest_cache", "*.egg-info", "*.quarto_ipynb")


@pytest.fixture(scope="module")
def quarto_book(tmp_path_factory) -> Path:
    """A copy of the project, both editions rendered by `report build --engine quarto` (HTML and PDF)."""
    project = tmp_path_factory.mktemp("quarto") / "book"
    shutil.copytree(ROOT, project, ignore=SKIP, symlinks=True)
    res = report("build", "--engine", "quarto", cwd=project, env={"QUARTO_PATH": QUARTO}, timeout=3600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "Could not load translations" not in res.stdout + res.stderr
    return project / "output" / "quarto"


def _chapters(lang: str) -> list[str]:
    profile = yaml.safe_load((ROOT / f"_quarto-{lang}.yml").read_text(encoding="utf-8"))
    return profile["book"]["chapters"] + profile["book"]["appendices"]


def _quarto_page(out: Path, lang: str, chapter: str) -> str:
    return (out / lang / Path(chapter).with_suffix(".html")).read_text(encoding="utf-8")


def _text(page: str) -> str:
    """The page's text: tags (and their attributes, such as the tooltips) removed, spaces made plain."""
    body = page.split("<main", 1)[-1]
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.mark.parametrize("lang", LANGS)
def test_every_edition_renders_every_chapter_as_a_page_and_the_pdf(quarto_book: Path, lang: str):
    assert (quarto_book / lang / "index.html").exists()
    for chapter in _chapters(lang):
        assert (quarto_book / lang / Path(chapter).with_suffix(".html")).exists(), chapter
    pdf = quarto_book / lang / f"ngo-report-2019-{lang}.pdf"
    title = yaml.safe_load((ROOT / f"_quarto-{lang}.yml").read_text(encoding="utf-8"))["book"]["title"]
    assert " ".join(title.split()) in " ".join(pdf_text(pdf).split())


@pytest.mark.parametrize("lang", LANGS)
def test_every_number_of_the_prose_is_in_quartos_page_of_its_chapter(quarto_book: Path, built_report: Path,
                                                                     lang: str):
    with open(built_report / lang / "numbers.csv", encoding="utf-8", newline="") as fh:
        numbers = list(csv.DictReader(fh))
    assert len(numbers) > 100
    pages: dict[str, str] = {}
    missing = []
    for row in numbers:
        chapter = row["chapter"]
        if chapter not in pages:
            pages[chapter] = _text(_quarto_page(quarto_book, lang, chapter))
        printed = " ".join(row["text"].replace("\u00a0", " ").replace("\u202f", " ").split())
        if printed not in pages[chapter]:
            missing.append(f"{chapter}:{row['line']} {row['expression']} = {printed!r}")
    assert not missing, "numbers of the builtin edition not in Quarto's page:\n" + "\n".join(missing)


def _builtin_floats(page: str) -> Counter:
    return Counter(re.findall(r'<figure\b[^>]*class="float (dgm|fig|tbl)"', page))


def _quarto_floats(page: str) -> Counter:
    """Quarto's own floats, and the charts that carry their own caption (written as the builtin's figures,
    to which Quarto adds its class "figure")."""
    own = re.findall(r'<figure\b[^>]*class="[^"]*\bquarto-float-(dgm|fig|tbl)\b', page)
    raw = re.findall(r'<figure\b[^>]*class="float (dgm|fig|tbl)\b', page)
    return Counter(own) + Counter(raw)


@pytest.mark.parametrize("lang", LANGS)
def test_each_chapter_has_as_many_figures_and_tables_as_in_the_builtin_edition(quarto_book: Path,
                                                                                built_report: Path, lang: str):
    for chapter in _chapters(lang):
        stem = Path(chapter).stem
        builtin = _builtin_floats((built_report / lang / "html" / f"{stem}.html").read_text(encoding="utf-8"))
        quarto = _quarto_floats(_quarto_page(quarto_book, lang, chapter))
        assert quarto == builtin, f"{chapter}: builtin {dict(builtin)}, quarto {dict(quarto)}"


def test_the_kazakh_pdf_has_the_title_and_the_number_of_registered_organisations(quarto_book: Path):
    text = " ".join(pdf_text(quarto_book / "kk" / "ngo-report-2019-kk.pdf").split())
    assert "Қазақстан Республикасындағы үкіметтік емес сектордың даму үрдістері туралы Ұлттық баяндама" in text
    assert "17 988" in text or "17988" in text
    assert "1-диаграмма." in text and "1-кесте." in text


def test_the_english_pdf_has_english_numbers_and_captions(quarto_book: Path):
    text = " ".join(pdf_text(quarto_book / "en" / "ngo-report-2019-en.pdf").split())
    assert "17,988" in text and "Figure 1" in text and "Table 1" in text
