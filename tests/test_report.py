"""The real report, both editions: what a reader of the PDF and of the site finds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from conftest import ROOT, pdf_text


def _chapter_files(lang: str) -> list[str]:
    """The chapter files of an edition in the running order (chapters, then appendices)."""
    profile = yaml.safe_load((ROOT / f"_quarto-{lang}.yml").read_text(encoding="utf-8"))
    return profile["book"]["chapters"] + profile["book"]["appendices"]


def _titles(lang: str) -> list[str]:
    out = []
    for rel in _chapter_files(lang):
        first = (ROOT / rel).read_text(encoding="utf-8").split("\n", 1)[0]
        out.append(re.sub(r"\s*\{.*\}\s*$", "", first.lstrip("# ")))
    return out


def test_kazakh_pdf_has_the_chapters_the_total_and_kazakh_captions(built_report: Path):
    text = pdf_text(built_report / "kk/ngo-report-2019-kk.pdf")
    flat = " ".join(text.split())
    for title in _titles("kk"):
        assert " ".join(title.split()) in flat, title
    assert "17 988" in flat
    assert "1-диаграмма." in flat and "1-кесте." in flat
    assert "Диаграмма 1" not in flat


def test_russian_pdf_has_russian_captions(built_report: Path):
    flat = " ".join(pdf_text(built_report / "ru/ngo-report-2019-ru.pdf").split())
    for title in _titles("ru"):
        assert " ".join(title.split()) in flat, title
    assert "17 988" in flat
    assert "Диаграмма 1." in flat and "Таблица 1." in flat


def test_both_editions_have_the_same_floats_in_the_same_order(built_report: Path):
    def floats(lang):
        reg = json.loads((built_report / lang / "registry.json").read_text(encoding="utf-8"))
        return sorted((v["kind"], int(v["num"]), k) for k, v in reg.items() if v["kind"] in ("dgm", "tbl", "fig"))

    kk, ru = floats("kk"), floats("ru")
    assert kk == ru
    assert [n for kind, n, _ in kk if kind == "dgm"] == list(range(1, len([1 for k, *_ in kk if k == "dgm"]) + 1))


def test_site_pages_link_to_the_other_language(built_report: Path):
    for lang, other in (("kk", "ru"), ("ru", "kk")):
        pages = sorted((built_report / lang / "html").glob("*.html"))
        assert len(pages) == len(_chapter_files(lang))
        for page in pages:
            html = page.read_text(encoding="utf-8")
            assert f'href="../../{other}/html/{page.name}"' in html
            assert (built_report / other / "html" / page.name).exists()


def test_every_printed_diagram_and_table_has_its_caption_in_both_editions(built_report: Path):
    kk = " ".join(pdf_text(built_report / "kk/ngo-report-2019-kk.pdf").split())
    ru = " ".join(pdf_text(built_report / "ru/ngo-report-2019-ru.pdf").split())
    assert sorted({int(x) for x in re.findall(r"(\d+)-диаграмма\.", kk)}) == list(range(1, 30))
    assert sorted({int(x) for x in re.findall(r"Диаграмма (\d+)\.", ru)}) == list(range(1, 30))
    assert sorted({int(x) for x in re.findall(r"(\d+)-кесте\.", kk)}) == list(range(1, 8))
    assert sorted({int(x) for x in re.findall(r"Таблица (\d+)\.", ru)}) == list(range(1, 8))
    assert sorted({int(x) for x in re.findall(r"(\d+)-сурет\.", kk)}) == [1, 2, 3]
    positions = [kk.index(f"{n}-диаграмма.") for n in range(1, 30)]
    assert positions == sorted(positions), "diagrams appear in their printed order"
