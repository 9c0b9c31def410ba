"""The real report, both editions: what a reader of the PDF and of the site finds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from conftest import ROOT, pdf_text, report

from helpers.core import config
from helpers.lang import fmt


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


# --- every number says where it comes from ---------------------------------------------------------------

def _numbers(built_report: Path, lang: str) -> list[dict]:
    import csv

    with open(built_report / lang / "numbers.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_register_of_numbers_lists_every_inline_value_in_reading_order(built_report: Path):
    for lang in config.langs(ROOT):
        rows = _numbers(built_report, lang)
        expected = sum(len(re.findall(r"(?<!`)`\{python\} [^`\n]+`", (ROOT / rel).read_text(encoding="utf-8")))
                       for rel in _chapter_files(lang))
        assert len(rows) == expected
        assert [r["chapter"] for r in rows][0].endswith("index.qmd")
        assert any(r["text"] == fmt.number(17988, lang) and "t01_registered_ngos.csv" in r["rows"] for r in rows)


def test_every_number_in_the_prose_is_traced_to_rows_of_the_data_that_hold_it(built_report: Path):
    """A value with a digit names its data rows; each named row exists and is the row the note describes."""
    import csv

    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    keys = {r["path"]: [r["schema"]["primaryKey"]] if isinstance(r["schema"]["primaryKey"], str)
            else r["schema"]["primaryKey"] for r in package["resources"]}
    files: dict[str, list[dict]] = {}
    traced = 0
    for lang in config.langs(ROOT):
        for r in _numbers(built_report, lang):
            if not re.search(r"\d", r["text"]):
                continue
            where = f"{r['chapter']}:{r['line']} `{r['expression']}`"
            assert r["rows"], f"{where} prints {r['text']!r} without saying where it comes from"
            for ref in r["rows"].split():
                if ref == "datapackage.json":  # counted over the whole package (data files, gaps, audit)
                    continue
                name, row = ref.rsplit(":", 1)
                if name not in files:
                    files[name] = list(csv.DictReader(open(ROOT / "data" / name, encoding="utf-8")))
                record = files[name][int(row) - 2]  # row 1 is the header
                key = ", ".join(f"{k}={record[k]}" for k in keys[name])
                assert f"{name}" in r["origin"] and f"({key})" in r["origin"], f"{where}: {ref} is not ({key})"
                traced += 1
    assert traced > 500


def test_a_number_on_the_web_page_names_its_data_row_and_the_source(built_report: Path):
    for lang, word in (("kk", "Дереккөз"), ("ru", "Источник")):
        page = (built_report / lang / "html" / "02-activity.html").read_text(encoding="utf-8")
        span = re.search(r'<span class="num" title="([^"]*)" data-rows="t01_registered_ngos\.csv:(\d+)">17\u00a0988</span>',
                         page)
        assert span, f"{lang}: the national total has no trace"
        line = (ROOT / "data" / "t01_registered_ngos.csv").read_text(encoding="utf-8").splitlines()[int(span[2]) - 1]
        assert line.startswith("kz,total,17988")
        assert "region=kz, legal_form=total" in span[1] and word in span[1]


# --- values obtained later drop into data/ and the diagram regenerates ------------------------------------

def test_values_dropped_into_a_gap_regenerate_the_diagram(tmp_path: Path):
    """Diagram 16 has only the names of its answers in the source. In a copy of the project, its five values
    are filled in with made-up numbers (a test fixture, not the report's data): the gap register shrinks by
    five, the chart is drawn from the values, its text alternative and CSV carry them, and the build no
    longer warns about a gap panel there."""
    import csv
    import shutil

    from helpers.lang import fmt

    book = tmp_path / "book"
    shutil.copytree(ROOT, book, ignore=shutil.ignore_patterns(".git", ".venv", "output", ".cache", "tests", "bench",
                                                              "src", "*.egg-info"))
    before = int(re.search(r"(\d+) missing value", report("gaps", cwd=book).stdout)[1])
    path = book / "data" / "d16_material_equipment.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    made_up = [40.0, 50.0, 30.0, 20.0, 10.0]  # synthetic
    for row, v in zip(rows, made_up):
        row.update(value=str(v), status="published")
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        out.writeheader()
        out.writerows(rows)

    after = int(re.search(r"(\d+) missing value", report("gaps", cwd=book).stdout)[1])
    assert after == before - len(made_up)
    res = report("build", "--lang", "kk", "--to", "html", cwd=book)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = (book / "chapters/kk/03-capacity.qmd").read_text(encoding="utf-8").splitlines()
    cell = next(i for i, line in enumerate(lines) if "#dgm-material-equipment" in line) + 2  # its code cell
    panels = re.findall(r"GAP-PANEL at chapters/kk/03-capacity\.qmd:(\d+)", res.stdout + res.stderr)
    assert panels and str(cell) not in panels, f"the filled diagram (line {cell}) is still a gap panel: {panels}"
    page = (book / "output/kk/html/03-capacity.html").read_text(encoding="utf-8")
    block = re.search(r'<div class="float-block dgm">\s*<figure id="dgm-material-equipment".*?</div>\s*</div>',
                      page, re.S)[0]
    assert "gap-note" not in block
    alt = re.search(r'alt="([^"]*)"', block)[1]
    assert all(fmt.quantity(v, "percent", "kk") in alt for v in made_up), alt
    csv_name = re.search(r'href="(data/[^"]+\.csv)"', block)[1]
    assert "50" in (book / "output/kk/html" / csv_name).read_text(encoding="utf-8")


def test_report_trace_finds_a_number_in_the_prose_and_in_the_data(built_report: Path):
    res = report("trace", "17 988", "--output", str(built_report))
    assert res.returncode == 0, res.stderr
    assert "prose (kk) chapters/kk/02-activity.qmd:" in res.stdout and "prose (ru) chapters/ru/02-activity.qmd:" in res.stdout
    assert "from t01_registered_ngos.csv:91" in res.stdout
    assert "data t01_registered_ngos.csv, row 91 (region=kz, legal_form=total)" in res.stdout
    assert "section 2, table 1" in res.stdout
    share = report("trace", "50,7%", "--output", str(built_report))  # a computed share: prose only, with both rows
    assert "t01_registered_ngos.csv:87 t01_registered_ngos.csv:91" in share.stdout and "\n  data " not in share.stdout
    missing = report("trace", "123 456,7", "--output", str(built_report))
    assert missing.returncode == 1 and "not found" in missing.stdout
    assert report("trace", "nothing").returncode == 2
