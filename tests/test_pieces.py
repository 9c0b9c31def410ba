"""The print PDF is set from per-chapter pieces: one pandoc run for the chapters that changed, each piece cached.

The chapters are synthetic (made up for the test); the small test book's data is made up too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import pdf_text, report

from helpers.core.errors import BuildError
from helpers.engines import render

CHAPTERS = [
    "# Бірінші {#sec-one}\n\nБірінші тарау мәтіні[^a].\n\n[^a]: Ескерту.\n",
    "# Екінші {#sec-two}\n\n- тізім\n- элемент\n\nСоңғы абзац.\n",
    "# Үшінші\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
]


def test_a_piece_is_the_same_converted_alone_or_with_the_others(tmp_path: Path):
    args = render._hyphenation_filter("kk", tmp_path)
    together, _ = render.pandoc_pieces(CHAPTERS, "typst", args)
    alone = [render.pandoc_pieces([chapter], "typst", args)[0][0] for chapter in CHAPTERS]
    assert together == alone
    assert "Бірінші" in together[0] and "Екінші" in together[1] and "Үшінші" in together[2]


def test_html_and_tex_in_the_prose_are_text_on_the_web_and_in_print_alike():
    line = "Ставка <b>жоқ</b>, $5 және $6, \\emph{x}: <https://stat.gov.kz>."
    web, _ = render.pandoc(line, "html5", [])
    printed, _ = render.pandoc(line, "typst", [])
    assert "&lt;b&gt;жоқ&lt;/b&gt;" in web and "$5 және $6" in web and "\\emph{x}" in web
    assert "\\<b\\>жоқ" in printed and "\\$5" in printed and "\\\\emph{x}" in printed
    assert 'href="https://stat.gov.kz"' in web  # an autolink is still a link


def test_a_chapter_holding_the_boundary_line_is_refused():
    with pytest.raises(BuildError, match="boundary"):
        render.pandoc_pieces(["a\n\n```{=typst}\n" + render.BOUNDARY_LINE + "```\n", "b\n"], "typst", [])


def test_a_prose_edit_converts_one_chapter_again_and_shows_in_the_pdf(small_book: Path):
    assert report("build", cwd=small_book).returncode == 0
    chapter = small_book / "chapters" / "kk" / "one.qmd"
    text = chapter.read_text(encoding="utf-8")
    assert text.count("Жалпы саны") == 1
    chapter.write_text(text.replace("Жалпы саны", "Жалпы сан, өңделген"), encoding="utf-8")
    res = report("build", cwd=small_book)
    assert res.returncode == 0, res.stderr
    log = json.loads((small_book / "output" / ".build-kk.json").read_text(encoding="utf-8"))
    pages = len(list((small_book / "output" / "kk" / "html").glob("*.html")))
    # per page: its HTML, its piece of the PDF, its notebook's text; and the PDF's frame, converted with a
    # stand-in for the build id, which is new
    assert log["pandoc_reused"] == 3 * (pages - 1) + 1, log
    text = pdf_text(small_book / "output" / "kk" / "ngo-report-2019-kk.pdf")
    assert "Жалпы сан, өңделген" in text
    manifest = json.loads((small_book / "output" / "kk" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_id"][:16] in text and render.BUILD_ID_STAND_IN not in text
