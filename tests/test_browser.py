"""The web edition in Debian's Chromium (driven by Playwright): every page of both editions."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from helpers.core import config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--allow-file-access-from-files"])
        yield b
        b.close()


def _open(browser, url: str, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, problems, requests


def test_every_page_loads_cleanly_offline(browser, built_report: Path):
    for lang in config.langs(ROOT):
        for path in sorted((built_report / lang / "html").glob("*.html")):
            page, problems, requests = _open(browser, path.as_uri())
            assert not problems, f"{path.name}: {problems}"
            external = [u for u in requests if not u.startswith("file://")]
            assert not external, f"{path.name} requests {external}"
            broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                                   ".map(i => i.src)")
            assert not broken, f"{path.name}: images not loaded {broken}"
            alts = page.evaluate("Array.from(document.images).map(i => i.alt)")
            assert all(alts), f"{path.name}: an image without alt text"
            page.close()


def test_language_switch_lands_on_the_counterpart(browser, built_report: Path):
    page, _, _ = _open(browser, (built_report / "kk/html/02-activity.html").as_uri())
    page.click("a.lang-switch")
    page.wait_for_load_state("load")
    assert page.url.endswith("/ru/html/02-activity.html")
    assert page.evaluate("document.documentElement.lang") == "ru"
    page.close()


def test_search_finds_a_kazakh_word(browser, built_report: Path):
    page, _, _ = _open(browser, (built_report / "kk/html/index.html").as_uri())
    page.fill("#search-input", "қоғамдық бірлестік")
    results = page.locator("#search-results a")
    assert results.count() >= 1
    assert "02-activity.html" in [results.nth(i).get_attribute("href") for i in range(results.count())]
    page.close()


def test_csv_link_downloads_the_figure_data(browser, built_report: Path):
    page, _, _ = _open(browser, (built_report / "kk/html/02-activity.html").as_uri())
    link = page.locator("#dgm-legal-forms ~ .data-link a, .data-link a").first
    with page.expect_download() as info:
        link.click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    values = {r["legal_form"]: float(r["value"]) for r in rows if r.get("region") == "kz"}
    assert values["public_association"] == 9121 and values["foundation"] == 4900
    page.close()


def test_phone_width_hides_the_sidebar_behind_a_menu(browser, built_report: Path):
    page, problems, _ = _open(browser, (built_report / "ru/html/03-capacity.html").as_uri(), width=390)
    assert not page.is_visible("#sidebar")
    page.click(".menu-toggle")
    assert page.is_visible("#sidebar")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.close()


def test_every_float_has_its_source_line_before_the_csv_link(browser, built_report: Path):
    words = {"kk": "Дереккөз:", "ru": "Источник:", "en": "Source:"}
    for lang in config.langs(ROOT):
        for path in sorted((built_report / lang / "html").glob("*.html")):
            page, _, _ = _open(browser, path.as_uri())
            blocks = page.evaluate("""() => Array.from(document.querySelectorAll('figure.float[id]')).map(f => {
                const box = f.closest('.float-block') || f.parentElement;
                const kids = Array.from(box.children);
                const source = kids.findIndex(k => k.classList.contains('source'));
                const link = kids.findIndex(k => k.classList.contains('data-link'));
                return {id: f.id, source: source, link: link,
                        text: source >= 0 ? kids[source].textContent.trim() : '',
                        svg: Array.from(f.querySelectorAll('img')).every(i => i.src.endsWith('.svg') && i.alt),
                        table: f.classList.contains('tbl') ? f.querySelectorAll('table thead th').length : -1};
            })""")
            for b in blocks:
                assert b["source"] >= 0, f"{path.name} {b['id']}: no source line"
                assert b["text"].startswith(words[lang]), f"{path.name} {b['id']}: {b['text']!r}"
                if b["link"] >= 0:
                    assert b["source"] < b["link"], f"{path.name} {b['id']}: the CSV link comes before the source"
                assert b["svg"], f"{path.name} {b['id']}: a figure that is not an SVG with alt text"
                if b["id"].startswith("tbl-"):
                    assert b["table"] > 0, f"{path.name} {b['id']}: not a real HTML table with a header row"
            page.close()


def test_sidebar_lists_every_page_and_the_pager_walks_them(browser, built_report: Path):
    names = [p.name for p in sorted((built_report / "ru/html").glob("*.html"))]
    page, _, _ = _open(browser, (built_report / "ru/html/index.html").as_uri())
    toc = page.evaluate("Array.from(document.querySelectorAll('#sidebar .toc a')).map(a => a.getAttribute('href'))")
    assert sorted(toc) == names
    seen = [page.url.rsplit("/", 1)[-1]]
    while page.locator("a[rel=next]").count():
        page.click("a[rel=next]")
        page.wait_for_load_state("load")
        seen.append(page.url.rsplit("/", 1)[-1])
        assert page.locator("#sidebar .toc a[aria-current=page]").get_attribute("href") == seen[-1]
    assert seen == toc, "next links follow the table of contents"
    page.click("a[rel=prev]")
    page.wait_for_load_state("load")
    assert page.url.endswith(toc[-2])
    page.close()


def test_phone_width_every_page_fits_and_the_search_box_stays(browser, built_report: Path):
    for lang in config.langs(ROOT):
        for name in ("index.html", "02-activity.html", "appendix-b-data-methods.html"):
            page, problems, _ = _open(browser, (built_report / lang / "html" / name).as_uri(), width=390)
            assert not problems
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{lang}/{name}: {overflow}px wider than the phone"
            assert page.is_visible("#search-input") and page.is_visible("a.lang-switch")
            box = page.locator("#search-input").bounding_box()
            assert box["width"] >= 120, "the search box is usable on a phone"
            page.close()


def test_print_stylesheet_hides_navigation_and_keeps_diagrams_whole(browser, built_report: Path):
    page, _, _ = _open(browser, (built_report / "kk/html/02-activity.html").as_uri())
    page.emulate_media(media="print")
    for selector in (".topbar", "#sidebar", ".pager", ".data-link"):
        assert not page.locator(selector).first.is_visible(), f"{selector} is printed"
    assert page.locator("main").is_visible()
    styles = page.evaluate("""() => {
        const dgm = document.querySelector('.float-block.dgm');
        const row = document.querySelector('figure.tbl tbody tr');
        const h2 = document.querySelector('main h2');
        return {dgm: getComputedStyle(dgm).breakInside, row: getComputedStyle(row).breakInside,
                h2: getComputedStyle(h2).breakAfter,
                thead: getComputedStyle(document.querySelector('figure.tbl thead')).display};
    }""")
    assert styles["dgm"] == "avoid" and styles["row"] == "avoid" and styles["h2"] == "avoid"
    assert styles["thead"] == "table-header-group"
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 10000
    page.close()


def test_a_number_and_its_case_ending_stay_on_one_line(browser, built_report: Path):
    """"1-диаграммада" in the prose and "14-диаграмма" in a table cell are never parted at the hyphen."""
    for name, text in (("02-activity.html", "-диаграмма"), ("appendix-c-audit.html", "-диаграмма")):
        page, _, _ = _open(browser, (built_report / "kk/html" / name).as_uri(), width=420)
        spans = page.evaluate("""t => Array.from(document.querySelectorAll('span.nowrap'))
            .filter(s => s.textContent.includes(t))
            .map(s => [s.textContent, getComputedStyle(s).whiteSpace,
                       new Set(Array.from(s.getClientRects()).map(r => Math.round(r.top))).size])""", text)
        page.close()
        assert spans, f"{name}: no numbered reference is marked"
        for content, white_space, lines in spans:
            assert white_space == "nowrap" and lines == 1, f"{name}: {content!r} breaks ({white_space}, {lines} lines)"


def test_pointing_at_a_number_shows_where_it_comes_from(browser, built_report: Path):
    page, _, _ = _open(browser, (built_report / "ru/html/02-activity.html").as_uri())
    number = page.locator("span.num", has_text="17\u00a0988").first
    title = number.get_attribute("title")
    cursor = number.evaluate("n => getComputedStyle(n).cursor")
    page.close()
    assert "t01_registered_ngos.csv" in title and "Источник:" in title and cursor == "help"


def test_every_page_passes_the_accessibility_rules_of_axe(browser, built_report: Path):
    """axe-core (WCAG 2 A/AA rules and best practices) finds nothing on any page of either edition."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for lang in config.langs(ROOT):
        for path in sorted((built_report / lang / "html").glob("*.html")):
            page, _, _ = _open(browser, path.as_uri())
            for v in axe.run(page).response["violations"]:
                problems.append(f"{lang}/{path.name}: {v['id']} ({v['impact']}) {v['nodes'][0]['html'][:80]}")
            page.close()
    assert not problems, "\n".join(problems)


def test_a_table_cell_names_its_data_row(browser, built_report: Path):
    """Table 1, first body cell: its tooltip names the row of t01_registered_ngos.csv that holds the number."""
    page, _, _ = _open(browser, (built_report / "kk/html/02-activity.html").as_uri())
    cell = page.locator("#tbl-registered-by-region tbody td span.num").first
    text, title, rows = cell.inner_text(), cell.get_attribute("title"), cell.get_attribute("data-rows")
    page.close()
    name, row = rows.split(":")
    record = list(csv.reader(open(ROOT / "data" / name, encoding="utf-8")))[int(row) - 1]
    assert name == "t01_registered_ngos.csv" and record[2] == text.replace("\u00a0", "")
    assert f"{row}-жол" in title and "Дереккөз:" in title
