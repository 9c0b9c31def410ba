"""The English edition: the same book, data and checks, in English conventions; one site for every edition."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, pdf_text, report, report_copy

from helpers.checks import parity
from helpers.core import config
from helpers.lang import fmt, i18n

CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]{2,}")


def test_english_number_and_float_conventions():
    assert fmt.number(17988, "en") == "17,988" and fmt.percent(51.4, "en") == "51.4%"
    assert fmt.quantity(2019, "year", "en") == "2019" and fmt.number(999, "en") == "999"
    assert fmt.Formatted("12%").to(fmt.Formatted("15%")) == "12–15%"
    assert fmt.Formatted("1").en("row", "rows") == "1\u00a0row" and fmt.Formatted("3").en("row", "rows") == "3\u00a0rows"
    assert i18n.caption_label("dgm", 1, "en") == "Figure 1" and i18n.reference_label("fig", 2, "en") == "Map\u00a02"
    assert i18n.reference_label("tbl", 3, "en") == "Table\u00a03"  # a reference is never parted from its number
    assert [i18n.appendix_letter(i, "en") for i in range(3)] == ["A", "B", "C"]
    assert i18n.series(["Almaty Region", "Atyrau Region"], ["", ""], "en") == "Almaty and Atyrau regions"


def test_english_pdf_and_site_carry_the_title_grouped_numbers_and_figures(built_report: Path):
    title = config.load(ROOT, "en").title
    flat = " ".join(pdf_text(built_report / "en/ngo-report-2019-en.pdf").split())
    assert " ".join(title.split()) in flat
    assert "17,988" in flat and "Figure 1." in flat and "Table 1." in flat and "Map 1." in flat
    assert "Appendix B." in flat and "17 988" not in flat and "Диаграмма" not in flat
    page = (built_report / "en/html/02-activity.html").read_text(encoding="utf-8")
    assert 'lang="en"' in page and "17,988" in page and "Figure 1" in page


class _VisibleText(HTMLParser):
    """The text a reader sees, without scripts and without text marked as another language's (``lang="kk"``:
    the source's quoted words, the Kazakh and Russian terms of the glossary)."""

    VOID = ("br", "img", "meta", "link", "input", "hr", "col", "wbr", "source")

    def __init__(self):
        super().__init__()
        self.hidden: list[bool] = []  # per open element
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hidden = tag in ("script", "style", "title") or dict(attrs).get("lang", "en") != "en"
        self.hidden.append(hidden or bool(self.hidden and self.hidden[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.hidden:
            self.hidden.pop()

    def handle_data(self, data):
        if not (self.hidden and self.hidden[-1]):
            self.text.append(data)


def test_the_english_site_has_no_cyrillic_outside_quotations_and_the_glossary(built_report: Path):
    found = []
    for page in sorted((built_report / "en/html").glob("*.html")):
        parser = _VisibleText()
        parser.feed(page.read_text(encoding="utf-8"))
        for line in "".join(parser.text).splitlines():
            if CYRILLIC_WORD.search(line):
                found.append(f"{page.name}: {line.strip()[:120]}")
    assert not found, "\n".join(found[:20])


def test_every_page_offers_every_other_edition_and_the_home_page_lists_them(built_report: Path):
    langs = config.langs(ROOT)
    for lang in langs:
        page = (built_report / f"{lang}/html/02-activity.html").read_text(encoding="utf-8")
        offered = re.findall(r'<a class="lang-switch" href="\.\./\.\./(\w+)/html/02-activity\.html" hreflang="\1"', page)
        assert offered == [x for x in langs if x != lang], lang
        assert len(re.findall(r'<link rel="alternate" hreflang="\w+"', page)) == len(langs) - 1
    home = (built_report / "index.html").read_text(encoding="utf-8")
    for lang in langs:
        assert f'href="{lang}/html/index.html"' in home and f'href="{lang}/ngo-report-2019-{lang}.pdf"' in home
        assert config.load(ROOT, lang).title in home


def test_a_missing_footnote_in_the_english_chapter_trips_the_parity_check(tmp_path: Path):
    book = report_copy(tmp_path)
    chapter = book / "chapters/en/02-activity.qmd"
    text = chapter.read_text(encoding="utf-8")
    start = text.index("^[")
    depth, end = 0, start + 1
    for end in range(start + 1, len(text)):  # the footnote's closing bracket
        depth += {"[": 1, "]": -1}.get(text[end], 0)
        if depth == 0:
            break
    chapter.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    problems = parity.check(book)
    assert any(p.startswith("EDITIONS-DIFFER in chapters/kk|en/02-activity.qmd: footnotes") for p in problems), problems
    res = report("check", cwd=book)
    assert "EDITIONS-DIFFER in chapters/kk|en/02-activity.qmd: footnotes" in res.stdout + res.stderr


def test_building_one_edition_builds_english_alone(tmp_path: Path):
    book = report_copy(tmp_path)
    res = report("build", "--lang", "en", "--to", "html", "--only", "01-preconditions", cwd=book)
    assert res.returncode == 0, res.stdout + res.stderr
    assert (book / "output/en/html/01-preconditions.html").exists() and not (book / "output/kk").exists()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_each_edition_is_declared_once_with_its_profile(lang: str):
    assert lang in config.langs(ROOT)
    edition = config.load(ROOT, lang)
    assert all(p.parent.name == lang for p in edition.files)


def test_make_book_builds_every_declared_edition():
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    plan = subprocess.run(["make", "-n", "book"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    [build] = [line for line in plan.splitlines() if "report build" in line]
    assert "--lang" not in build  # report build without --lang builds every edition _quarto.yml declares
    plan = subprocess.run(["make", "-n", "book", "LANGS=en"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    assert "report build --lang en" in plan
