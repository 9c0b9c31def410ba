"""The printer's build: the editors' decisions for gap panels, the imprint page, the print file and its preflight.

The PDFs made inside the tests (an unembedded font, a low-resolution image) are synthetic fixtures."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT, pdf_text, report
from pypdf import PdfReader

from helpers.core import config, qmd
from helpers.lang import i18n

LANGS = ("kk", "ru")
MM = 72 / 25.4


def _print_pdf(out: Path, lang: str) -> Path:
    return out / lang / f"ngo-report-2019-{lang}-print.pdf"


def _project_copy(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    shutil.copytree(ROOT, book, ignore=shutil.ignore_patterns(".git", ".venv", "output", ".cache", "tests", "bench",
                                                              "src", "*.egg-info"))
    return book


def _cell_line(chapter: Path, call: str) -> int:
    return next(c.line for c in qmd.parse(chapter).cells if call in c.code)


@pytest.mark.slow
def test_the_strict_build_of_both_editions_writes_print_files_that_pass_preflight(strict_report: Path):
    res = report("preflight", "--output", str(strict_report))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count("preflight: passed") == len(config.langs(ROOT))
    for lang in LANGS:
        path = _print_pdf(strict_report, lang)
        pdf = pikepdf.open(path)
        page = pdf.pages[0]
        trim, bleed = [float(v) for v in page.trimbox], [float(v) for v in page.bleedbox]
        assert round((trim[2] - trim[0]) / MM) == 210 and round((trim[3] - trim[1]) / MM) == 297, "A4 trim"
        assert round((trim[0] - bleed[0]) / MM, 1) == 3.0, "3 mm bleed"
        assert float(page.mediabox[2]) > bleed[2], "room for the crop marks beyond the bleed"
        assert len(pdf.pages) % 2 == 0
        assert "draft" not in str(pdf.docinfo.get("/Keywords", ""))
        assert pdf.Root.get("/StructTreeRoot") is not None, "the print file is tagged (PDF/A-2a, PDF/UA-1)"
        text = pdf_text(path)
        assert i18n.word("draft", lang) not in text
        # the editors' decision for the three gap panels: a note in place of each, the diagram's caption kept
        note = " ".join(i18n.word("gap_decision_note", lang).split()[:6])
        assert " ".join(text.split()).count(note) == 3
        assert i18n.word("not_published", lang) not in text, "no gap panel in the print file"
        # the archival A4 copy is there too, without the marks
        archival = pikepdf.open(strict_report / lang / f"ngo-report-2019-{lang}.pdf")
        assert round(float(archival.pages[0].mediabox[2]) / MM) == 210


@pytest.mark.slow
def test_the_imprint_page_names_the_commissioner_the_citation_the_licence_the_codes_and_the_build(
        strict_report: Path):
    for lang in LANGS:
        verso = PdfReader(str(_print_pdf(strict_report, lang))).pages[1].extract_text()
        verso = " ".join(verso.replace("\u00a0", " ").split())
        words = i18n.WORDS[lang]["imprint"]
        for code in ("udc", "bbk", "isbn"):
            assert f"{words[code]} {words['not_assigned']}" in verso, (code, verso)
        assert "Азаматтық бастамаларды қолдау орталығы" in verso or "Центр поддержки гражданских инициатив" in verso
        assert words["citation"] in verso and "CC BY 4.0" in verso
        manifest = json.loads((strict_report / lang / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["strict"] is True and manifest["build_id"][:16] in verso.replace(" ", "")


def test_the_draft_shows_the_gap_panels_the_editors_decided_on(built_report: Path):
    text = pdf_text(built_report / "kk" / "ngo-report-2019-kk.pdf")
    assert i18n.word("not_published", "kk") in text
    assert " ".join(i18n.word("gap_decision_note", "kk").split()[:6]) not in " ".join(text.split())
    assert not _print_pdf(built_report, "kk").exists(), "the draft writes no print file"


def test_a_gap_without_a_decision_stops_the_strict_build_naming_its_chapter_and_line(tmp_path: Path):
    book = _project_copy(tmp_path)
    register = book / "data" / "gap-decisions.csv"
    rows = list(csv.DictReader(register.open(encoding="utf-8")))
    kept = [r for r in rows if r["dataset"] != "d16_material_equipment"]
    assert len(kept) == len(rows) - 1
    with register.open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        out.writeheader()
        out.writerows(kept)
    res = report("build", "--strict", "--lang", "kk", "--to", "html", "--only", "03-capacity", cwd=book)
    assert res.returncode == 1
    line = _cell_line(book / "chapters/kk/03-capacity.qmd", '"d16_material_equipment"')
    assert f"GAP-PANEL at chapters/kk/03-capacity.qmd:{line}" in res.stderr, res.stderr
    assert "(d16_material_equipment)" in res.stderr and "has no decision" in res.stderr
    decided = _cell_line(book / "chapters/kk/03-capacity.qmd", '"d17_organisational_practices"')
    assert f"03-capacity.qmd:{decided}" not in res.stderr, "a decided gap is not a problem"


def test_a_malformed_decision_is_an_error_naming_file_row_and_column(tmp_path: Path):
    book = _project_copy(tmp_path)
    register = book / "data" / "gap-decisions.csv"
    register.write_text(register.read_text(encoding="utf-8").replace(",note,", ",blur,", 1), encoding="utf-8")
    res = report("check", cwd=book)
    assert res.returncode == 1
    assert "gap-decisions.csv, row 2, column 'decision'" in res.stderr, res.stderr


def _without(config: Path, field: str) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(rf"(?m)^  {field}:.*\n", "", text), encoding="utf-8")


def test_an_unset_imprint_field_fails_strict_and_warns_in_draft(small_book: Path):
    _without(small_book / "_quarto-kk.yml", "isbn")
    draft = report("build", "--lang", "kk", "--to", "pdf", cwd=small_book)
    assert draft.returncode == 0, draft.stderr
    assert "warning: IMPRINT-FIELD report.isbn is not set" in draft.stderr
    strict = report("build", "--lang", "kk", "--to", "pdf", "--strict", cwd=small_book)
    assert strict.returncode == 1
    assert "IMPRINT-FIELD report.isbn is not set in _quarto-kk.yml" in strict.stderr
    assert "'isbn: not assigned'" in strict.stderr


# --- preflight on synthetic PDFs ------------------------------------------------------------------------

def _synthetic_pdf(path: Path, *, font: bool = False, image_px: int = 0, image_mm: float = 100) -> Path:
    """A synthetic two-page A4 PDF made for the test: text in an unembedded Helvetica, or a grey image of
    ``image_px`` square pixels printed ``image_mm`` wide."""
    pdf = pikepdf.new()
    for _ in range(2):
        pdf.add_blank_page(page_size=(210 * MM, 297 * MM))
        pdf.pages[-1].obj.Contents = pdf.make_stream(b"q Q")  # Ghostscript reports an empty content stream
    page = pdf.pages[0]
    if font:
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)))
        page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (Synthetic test page) Tj ET")
    if image_px:
        image = pdf.make_stream(bytes([128]) * image_px * image_px, Type=pikepdf.Name.XObject,
                                Subtype=pikepdf.Name.Image, Width=image_px, Height=image_px,
                                ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8)
        page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im1=image))
        size = image_mm * MM
        page.obj.Contents = pdf.make_stream(f"q {size:.2f} 0 0 {size:.2f} 72 300 cm /Im1 Do Q".encode())
    pdf.save(path)
    return path


def test_preflight_fails_on_an_unembedded_font(tmp_path: Path):
    res = report("preflight", str(_synthetic_pdf(tmp_path / "font.pdf", font=True)))
    assert res.returncode == 1
    assert "FAIL page 1: font /F1 (Helvetica) is not embedded" in res.stderr, res.stderr


def test_preflight_fails_on_a_low_resolution_image_and_passes_a_sharp_one(tmp_path: Path):
    low = report("preflight", str(_synthetic_pdf(tmp_path / "low.pdf", image_px=100, image_mm=100)))
    assert low.returncode == 1
    assert "FAIL page 1: image /Im1 (100 × 100 px) is printed at 100 × 100 mm: 25 dpi, below 300" in low.stderr
    sharp = report("preflight", str(_synthetic_pdf(tmp_path / "sharp.pdf", image_px=1200, image_mm=100)))
    assert sharp.returncode == 0, sharp.stdout + sharp.stderr
    assert "the lowest 305 dpi" in sharp.stdout and "preflight: passed" in sharp.stdout


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (Debian: ghostscript) is not installed")
def test_preflight_fails_on_a_page_an_interpreter_cannot_run(tmp_path: Path):
    """A synthetic page whose text uses a font its resources do not have: pikepdf reads the file, Ghostscript
    (as a printing house's RIP) stops on it."""
    path = _synthetic_pdf(tmp_path / "broken.pdf")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.Contents = pdf.make_stream(b"BT /F9 12 Tf 72 720 Td (Synthetic) Tj ET")
        pdf.save(path)
    res = report("preflight", str(path))
    assert res.returncode == 1
    assert "FAIL Ghostscript" in res.stderr and "find named resource" in res.stderr, res.stderr
    good = report("preflight", str(_synthetic_pdf(tmp_path / "blank.pdf")))
    assert good.returncode == 0 and "interpreted: every page by Ghostscript" in good.stdout, good.stdout + good.stderr


def test_preflight_fails_on_the_draft_pdf(built_report: Path):
    res = report("preflight", str(built_report / "ru" / "ngo-report-2019-ru.pdf"))
    assert res.returncode == 1
    assert "document keywords: 'draft'" in res.stderr


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (Debian: ghostscript) is not installed")
def test_the_pdf_x_profile_converts_the_print_file_with_ghostscript(small_book: Path):
    config = small_book / "_quarto.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  print:\n    profile: pdf-x-3\n", encoding="utf-8")
    res = report("build", "--lang", "ru", "--to", "pdf", "--strict", cwd=small_book)
    assert res.returncode == 0, res.stdout + res.stderr
    path = _print_pdf(small_book / "output", "ru")
    pdf = pikepdf.open(path)
    assert [str(i.S) for i in pdf.Root.OutputIntents] == ["/GTS_PDFX"]
    assert str(pdf.docinfo.get("/GTS_PDFXVersion", "")).startswith("PDF/X-3")
    assert "Test book ru" in pdf_text(path) or "Synthetic" in pdf_text(path)
    assert report("preflight", str(path)).returncode == 0


def test_an_omitted_gap_panel_leaves_the_book_numbered_on_and_a_reference_to_it_stops_the_print(
        small_book: Path):
    """In the synthetic test book: a gap panel whose dataset the editors decided to omit, and a diagram after it."""
    chapter, russian = small_book / "chapters/kk/one.qmd", small_book / "chapters/ru/one.qmd"
    with russian.open("a", encoding="utf-8") as fh:  # the editions stay equal (parity)
        fh.write('\n::: {#dgm-empty}\n```{python}\nfrom helpers.present.charts import draw as figures\n'
                 'figures.gap_panel("Нет", dataset="s01_colours")\n```\n\nДиаграмма без значений\n:::\n\n'
                 "Далее: диаграмма [-@dgm-after].\n\n::: {#dgm-after}\n```{python}\n#| fig-alt: \"alt\"\n"
                 'b.chart("s01_colours", kind="bars", where={"region": "akmola"}, exclude=["total"])\n```\n\n'
                 "Следующая диаграмма\n:::\n")
    with chapter.open("a", encoding="utf-8") as fh:
        fh.write('\n::: {#dgm-empty}\n```{python}\nfrom helpers.present.charts import draw as figures\n'
                 'figures.gap_panel("Жоқ", dataset="s01_colours")\n```\n\nМәні берілмеген диаграмма\n:::\n\n'
                 "Кейінгі: [-@dgm-after]-диаграмма.\n\n::: {#dgm-after}\n```{python}\n#| fig-alt: \"alt\"\n"
                 'b.chart("s01_colours", kind="bars", where={"region": "akmola"}, exclude=["total"])\n```\n\n'
                 "Кейінгі диаграмма\n:::\n")
    (small_book / "data" / "gap-decisions.csv").write_text(
        "dataset,decision,reason,decided_by\ns01_colours,omit,synthetic test decision,test\n", encoding="utf-8")
    draft = report("build", "--lang", "kk", "--to", "pdf", cwd=small_book)
    assert "the print build follows data/gap-decisions.csv: omit" in draft.stderr, draft.stderr
    strict = report("build", "--lang", "kk", "--to", "pdf", "--strict", cwd=small_book)
    assert strict.returncode == 0, strict.stdout + strict.stderr
    text = " ".join(pdf_text(_print_pdf(small_book / "output", "kk")).split())
    assert "«Мәні берілмеген диаграмма» диаграммасы берілмейді" in text
    assert "Жоқ" not in text
    assert "Кейінгі: 2-диаграмма" in text and "2-диаграмма. Кейінгі диаграмма" in text
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("Кейінгі: ", "Жоқ: @dgm-empty. Кейінгі: "),
                       encoding="utf-8")
    russian.write_text(russian.read_text(encoding="utf-8").replace("Далее: ", "Нет: @dgm-empty. Далее: "),
                       encoding="utf-8")
    strict = report("build", "--lang", "kk", "--to", "pdf", "--strict", cwd=small_book)
    assert strict.returncode == 1 and "UNRESOLVED-REFERENCE dgm-empty" in strict.stderr
