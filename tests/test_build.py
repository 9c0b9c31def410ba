"""The builtin engine end to end on the small synthetic book: PDF text, HTML pages, errors, old output kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import pdf_text, report


def test_pdf_has_titles_numbers_and_captions_in_each_convention(built_small_book: Path):
    kk = pdf_text(built_small_book / "output/kk/ngo-report-2019-kk.pdf")
    ru = pdf_text(built_small_book / "output/ru/ngo-report-2019-ru.pdf")
    assert "Түстер тарауы" in kk and "Глава о цветах" in ru
    assert "17 988" in kk and "17 988" in ru  # recomputed from its inputs, decimal comma, grouped thousands
    assert "1-диаграмма. Түстер бойынша ұйымдар" in kk
    assert "Диаграмма 1. Организации по цветам" in ru
    assert "1-кесте. Өңірлер мен түстер" in kk and "Таблица 1. Регионы и цвета" in ru
    assert "1-диаграммада" in kk and "на диаграмме 1" in ru  # the number-only reference
    assert "Дереккөз:" in kk and "Источник:" in ru
    assert "А қосымшасы. Әдістер қосымшасы" in kk and "Приложение А. Приложение о методах" in ru
    assert "ӘҒҚҢӨҰҮҺІ" in kk.replace(" ", "")


def test_html_pages_link_to_each_other_and_to_the_other_language(built_small_book: Path):
    site = built_small_book / "output/kk/html"
    pages = sorted(p.name for p in site.glob("*.html"))
    assert pages == ["app.html", "index.html", "one.html"]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="one.html#dgm-colours">1-диаграмма</a>' in index  # cross-page reference
    assert 'href="../../ru/html/index.html"' in index
    assert 'rel="next" href="one.html"' in index
    one = (site / "one.html").read_text(encoding="utf-8")
    assert re.search(r'<figure id="dgm-colours"[^>]*>', one)
    # the author's fig-alt, then the chart's own text alternative with the values (synthetic fixture data)
    assert re.search(r'<img src="figures/[^"]+\.svg" alt="alt\. [^"]*12\s000', one)
    assert "<table" in one and "17" in one
    csv_link = re.search(r'href="(data/[^"]+\.csv)"', one).group(1)
    assert "akmola,red,12000" in (site / csv_link).read_text(encoding="utf-8")
    assert (built_small_book / "output/ru/html/one.html").exists()


def test_notebooks_and_manifest_are_saved_for_reviewers(built_small_book: Path):
    nb = json.loads((built_small_book / "output/kk/notebooks/one.ipynb").read_text(encoding="utf-8"))
    assert any("b.chart" in "".join(c["source"]) for c in nb["cells"])
    manifest = json.loads((built_small_book / "output/kk/manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == "builtin" and "ngo-report-2019-kk.pdf" in manifest["files"]


def test_a_failing_cell_names_chapter_and_line_and_keeps_the_previous_output(small_book: Path):
    assert report("build", "--lang", "kk", "--to", "html", cwd=small_book).returncode == 0
    before = (small_book / "output/kk/html/one.html").read_text(encoding="utf-8")
    chapter = small_book / "chapters/kk/one.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace('b.chart("s01_colours"', 'b.chart("no_such_data"'),
                       encoding="utf-8")
    res = report("build", "--lang", "kk", "--to", "html", cwd=small_book)
    assert res.returncode == 1
    assert re.search(r"chapters/kk/one\.qmd:\d+: cell \d raised KeyError: .*no_such_data", res.stderr), res.stderr
    assert (small_book / "output/kk/html/one.html").read_text(encoding="utf-8") == before


def test_a_failing_inline_expression_is_located(small_book: Path):
    chapter = small_book / "chapters/ru/one.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("`{python} total`", "`{python} totl`"),
                       encoding="utf-8")
    res = report("build", "--lang", "ru", "--to", "html", cwd=small_book)
    assert res.returncode == 1
    assert "chapters/ru/one.qmd:11: inline expression `{python} totl` failed: NameError" in res.stderr


def test_prose_edit_uses_the_cache_and_data_edit_reexecutes(small_book: Path):
    assert report("build", "--lang", "kk", "--to", "html", cwd=small_book).returncode == 0
    chapter = small_book / "chapters/kk/one.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nҚосымша сөйлем.\n", encoding="utf-8")
    res = report("build", "--lang", "kk", "--to", "html", cwd=small_book)
    assert "0 chapter(s) executed, 3 cached" in res.stdout
    assert "Қосымша сөйлем." in (small_book / "output/kk/html/one.html").read_text(encoding="utf-8")
    csv = small_book / "data/s01_colours.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("akmola,green,5988", "akmola,green,5989"), encoding="utf-8")
    res = report("build", "--lang", "kk", "--to", "html", cwd=small_book)
    assert "1 chapter(s) executed, 2 cached" in res.stdout
    assert "17\u00a0989" in (small_book / "output/kk/html/one.html").read_text(encoding="utf-8")


def test_unknown_language_and_missing_chapter_are_one_line_errors(small_book: Path):
    res = report("build", "--lang", "de", cwd=small_book)
    assert res.returncode == 2 and "unknown language 'de'" in res.stderr
    (small_book / "chapters/ru/app.qmd").unlink()
    res = report("build", "--lang", "ru", cwd=small_book)
    assert res.returncode == 1 and "chapters/ru/app.qmd" in res.stderr and "do not exist" in res.stderr


def test_a_missing_caption_is_an_error(small_book: Path):
    chapter = small_book / "chapters/kk/one.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace('#| tbl-cap: "Өңірлер мен түстер"\n', ""),
                       encoding="utf-8")
    res = report("build", "--lang", "kk", "--to", "html", cwd=small_book)
    assert res.returncode == 1 and "'tbl-colours' has no caption" in res.stderr


def test_a_running_build_blocks_a_second_one(small_book: Path):
    import os

    out = small_book / "output"
    out.mkdir()
    (out / ".kk.lock").write_text(str(os.getppid()))  # a live process holds the lock
    res = report("build", "--lang", "kk", cwd=small_book)
    assert res.returncode == 1 and "another build of the kk edition is running" in res.stderr
    (out / ".kk.lock").write_text("999999999")  # left by a killed build: taken over
    assert report("build", "--lang", "kk", "--to", "html", cwd=small_book).returncode == 0


def test_an_edition_with_a_core_to_spare_makes_its_pages_and_notebooks_beside_its_pdf(small_book: Path, tmp_path: Path,
                                                                                        monkeypatch):
    """The stages stand in for themselves: the PDF waits for the notebooks, which come after the web pages, so
    one after the other it would wait in vain; the warnings still come in the stages' order."""
    import threading

    from helpers.core import config
    from helpers.engines import builtin, notebooks, render
    from helpers.engines.options import Options, Result

    notebooks_started = threading.Event()

    def pdf(*args, **kwargs):
        assert notebooks_started.wait(10), "the notebooks did not start while the PDF was being made"
        return ["pdf"]

    def write(*args, **kwargs):
        notebooks_started.set()
        return ["notebooks"]

    monkeypatch.setattr(render, "html_site", lambda *a, **k: ["html"])
    monkeypatch.setattr(render, "pdf", pdf)
    monkeypatch.setattr(notebooks, "write", write)
    book = config.load(small_book, "kk")
    opts = Options(langs=("kk",), cache=False, stage_threads=2)
    warnings = builtin._render(book, [], {}, tmp_path / "registry.json", tmp_path, opts, lambda line: None,
                               Result("kk"))
    assert warnings == ["html", "pdf", "notebooks"]
    # with no core to spare, one after the other: the stand-in PDF would wait for ever, so it is not asked to
    notebooks_started.clear()
    monkeypatch.setattr(render, "pdf", lambda *a, **k: ["pdf"])
    opts = Options(langs=("kk",), cache=False, stage_threads=1)
    order = []
    monkeypatch.setattr(render, "html_site", lambda *a, **k: order.append("html") or ["html"])
    monkeypatch.setattr(notebooks, "write", lambda *a, **k: order.append("notebooks") or ["notebooks"])
    assert builtin._render(book, [], {}, tmp_path / "registry.json", tmp_path, opts, lambda line: None,
                           Result("kk")) == ["html", "pdf", "notebooks"]
    assert order == ["html", "notebooks"]
