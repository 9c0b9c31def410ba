"""The web edition in Debian's Chromium (driven by Playwright): every page of both editions."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

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
    for lang in ("kk", "ru"):
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
