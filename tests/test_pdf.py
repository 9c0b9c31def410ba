"""The print PDFs of both editions, as the printer and a reader receive them: PDF/A-2a and PDF/UA-1, embedded fonts with the
Kazakh letters, bookmarks, metadata, contents with true page numbers, running headers and folios, vector
figures, a source line under every float, repeated table headers, text inside the margins, hyphenation."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from helpers.core import config
from helpers.lang import fmt, i18n

LANGS = config.langs(ROOT)
DRAFT = {"kk": "ЖОБА", "ru": "ЧЕРНОВИК", "en": "DRAFT"}
TOC_TITLE = {"kk": "Мазмұны", "ru": "Содержание", "en": "Contents"}
SOURCE = {"kk": "Дереккөз:", "ru": "Источник:", "en": "Source:"}
CONTINUED = {"kk": "{n}-кестенің жалғасы", "ru": "Продолжение таблицы {n}", "en": "Table {n} (continued)"}
APPENDIX = {"kk": "{letter} қосымшасы.", "ru": "Приложение {letter}.", "en": "Appendix {letter}."}
KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
MM = 72 / 25.4


def _pdf(built: Path, lang: str) -> Path:
    return built / lang / f"ngo-report-2019-{lang}.pdf"


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u00ad", "").split())


def _profile(lang: str) -> dict:
    return yaml.safe_load((ROOT / f"_quarto-{lang}.yml").read_text(encoding="utf-8"))


def _chapters(lang: str) -> list[str]:
    """The chapter titles as the book prints them: '1. Title' for chapters, 'А қосымшасы. Title' for appendices."""
    book = _profile(lang)["book"]
    out, number = [], 0
    for k, rel in enumerate(book["chapters"] + book.get("appendices", [])):
        first = next(line for line in (ROOT / rel).read_text(encoding="utf-8").splitlines() if line.startswith("# "))
        title = re.sub(r"\s*\{.*\}\s*$", "", first[2:]).strip()
        attrs = re.search(r"\{(.*)\}\s*$", first)
        if k >= len(book["chapters"]):
            letter = i18n.appendix_letter(k - len(book["chapters"]), lang)
            title = APPENDIX[lang].format(letter=letter) + " " + title
        elif not (attrs and ".unnumbered" in attrs.group(1)):
            number += 1
            title = f"{number}. {title}"
        out.append(_flat(title))
    return out


@lru_cache(maxsize=None)
def _reader(path: str):
    from pypdf import PdfReader

    return PdfReader(path)


@lru_cache(maxsize=None)
def _pages(path: str) -> tuple[str, ...]:
    return tuple(page.extract_text() or "" for page in _reader(path).pages)


def _lines(text: str, lang: str) -> list[str]:
    """A page's text lines without the draft watermark."""
    return [line.strip() for line in text.splitlines() if line.strip() and line.strip() != DRAFT[lang]]


def _openings(path: Path, lang: str) -> dict[str, int]:
    """Chapter title -> index of the page that opens with it (an opening has no running header)."""
    pages = _pages(str(path))
    found = {}
    for title in _chapters(lang):
        for i, text in enumerate(pages):
            head = _flat(" ".join(_lines(text, lang)[:4]))
            if head.startswith(title) and i not in found.values():
                # a running header also starts with the title: an opening has the title but no hairline header
                # before body text, so take the first page where the title starts the page
                found[title] = i
                break
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_a2a_and_ua1_are_declared_and_the_metadata_names_title_author_language(built_report: Path, lang: str):
    reader = _reader(str(_pdf(built_report, lang)))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")2", xmp), "XMP does not declare PDF/A part 2"
    assert re.search(r"pdfaid:conformance(>|=\")A", xmp), "XMP does not declare conformance A (accessible)"
    assert re.search(r"pdfuaid:part(>|=\")1", xmp), "XMP does not declare PDF/UA-1"
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root, "the PDF is not tagged"
    profile = _profile(lang)
    assert reader.metadata.title == profile["book"]["title"]
    assert reader.metadata.author == profile["book"]["author"]
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert f"<rdf:li>{lang}</rdf:li>" in xmp, "dc:language"
    assert "/OutputIntents" in reader.trailer["/Root"], "PDF/A needs an output intent"


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_every_font_is_embedded_and_the_text_has_the_kazakh_letters(built_report: Path, lang: str):
    out = subprocess.run(["pdffonts", str(_pdf(built_report, lang))], capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for row in rows:
        # name type encoding emb sub uni object ID: the 'emb' column is the fourth from the right
        assert row.split()[-5] == "yes", f"font not embedded: {row}"
    if lang == "kk":
        text = "".join(_pages(str(_pdf(built_report, lang))))
        present = {c for c in KAZAKH_LETTERS.lower() if c in text}
        assert present == set(KAZAKH_LETTERS.lower()), f"missing {set(KAZAKH_LETTERS.lower()) - present}"


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
def test_the_text_font_covers_every_kazakh_letter_without_a_fallback(tmp_path: Path):
    """Typeset all Kazakh letters with the template's first text font only: a missing glyph would make Typst
    take another font (or none), which pdffonts shows."""
    import typst

    from helpers.engines.render import DEFAULT_FONT as font  # the template's first text font (report: mainfont)

    src = tmp_path / "letters.typ"
    src.write_text(f'#set text(font: "{font}", lang: "kk")\n{KAZAKH_LETTERS} «Қазақ тілі» — №\n'
                   f'#text(weight: "bold")[{KAZAKH_LETTERS}] #emph[{KAZAKH_LETTERS}]\n', encoding="utf-8")
    pdf = tmp_path / "letters.pdf"
    typst.compile(str(src), output=str(pdf), ignore_system_fonts=True)
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    names = {row.split()[0].split("+")[-1] for row in rows}
    assert names and all(font.replace(" ", "") in n for n in names), names
    from pypdf import PdfReader

    assert KAZAKH_LETTERS in PdfReader(str(pdf)).pages[0].extract_text().replace(" ", "")


@pytest.mark.parametrize("lang", LANGS)
def test_bookmarks_list_the_chapters_in_order(built_report: Path, lang: str):
    reader = _reader(str(_pdf(built_report, lang)))
    top = [_flat(item.title) for item in reader.outline if not isinstance(item, list)]
    # Typst names a bookmark by the heading's plain text, where its typographic apostrophe is a straight one
    assert [t for t in top if t != TOC_TITLE[lang]] == [t.replace("’", "'") for t in _chapters(lang)]
    assert any(isinstance(item, list) and item for item in reader.outline), "sections nested under chapters"


@pytest.mark.parametrize("lang", LANGS)
def test_page_count_and_a4(built_report: Path, lang: str):
    reader = _reader(str(_pdf(built_report, lang)))
    assert 30 <= len(reader.pages) <= 150
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 210 * MM) < 1 and abs(h - 297 * MM) < 1


def _toc(path: Path, lang: str) -> list[tuple[str, str]]:
    """Entries of the printed contents: (title, page number as printed)."""
    entries, pending = [], ""
    for text in _pages(str(path)):
        lines = _lines(text, lang)
        if not lines or TOC_TITLE[lang] not in lines[:2]:
            if entries:
                break
            continue
        for line in lines[1:]:
            m = re.match(r"^(.*?)[\s.]*\.\s*\.[\s.]*(\w+)$", line)
            if m:
                entries.append((_flat(pending + " " + m.group(1)), m.group(2)))
                pending = ""
            elif not re.fullmatch(r"[ivxlc]+", line):  # a wrapped title, not the folio
                pending = (pending + " " + line).strip()
    return entries


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_contents_copy_without_invisible_characters(built_report: Path, lang: str):
    # pdftotext, as a reader's copy and paste: pypdf leaves out the word joiner
    text = subprocess.run(["pdftotext", str(_pdf(built_report, lang)), "-"], capture_output=True, text=True).stdout
    pages = [t for t in text.split("\f") if TOC_TITLE[lang] in _lines(t, lang)[:2]]
    assert pages, "no contents page"
    for number, text in enumerate(pages, 1):
        hidden = sorted({f"U+{ord(c):04X}" for c in text if c in "\u2060\u200b\u200c\u200d\ufeff\u00ad"})
        assert not hidden, f"contents page {number} copies with invisible characters {hidden}"


@pytest.mark.parametrize("lang", LANGS)
def test_contents_list_the_chapters_with_the_pages_they_open_on(built_report: Path, lang: str):
    path = _pdf(built_report, lang)
    toc = _toc(path, lang)
    chapters = _chapters(lang)
    listed, at = [], 0
    for title in chapters:  # in order: a section may share a chapter's title ('Қорытынды')
        k = next((j for j in range(at, len(toc)) if toc[j][0] == title), None)
        assert k is not None, f"{title!r} is not in the contents after {listed[-1:]}: {[t for t, _ in toc]}"
        listed.append(toc[k])
        at = k + 1
    labels = _reader(str(path)).page_labels
    pages = _pages(str(path))
    openings = _openings(path, lang)
    for title, number in listed:
        assert title in openings, f"no page opens with {title!r}"
        index = openings[title]
        assert labels[index] == number, f"{title!r}: contents say page {number}, it opens on page {labels[index]}"
        folio = _lines(pages[index], lang)[-1]
        assert folio == number, f"{title!r}: the folio printed on its opening page is {folio!r}, not {number}"


@pytest.mark.parametrize("lang", LANGS)
def test_running_headers_name_the_chapter_and_folios_count_on(built_report: Path, lang: str):
    path = _pdf(built_report, lang)
    pages = _pages(str(path))
    labels = _reader(str(path)).page_labels
    openings = sorted((i, t) for t, i in _openings(path, lang).items())
    assert len(openings) == len(_chapters(lang))
    checked = 0
    for k, (start, title) in enumerate(openings):
        end = openings[k + 1][0] if k + 1 < len(openings) else len(pages)
        for i in range(start + 1, end):
            lines = _lines(pages[i], lang)
            if not lines:
                continue
            head = _flat(" ".join(lines[:3]))
            assert head.startswith(title), f"page {labels[i]}: running header {lines[0]!r}, expected {title!r}"
            assert lines[-1] == labels[i], f"page {labels[i]}: folio {lines[-1]!r}"
            checked += 1
    assert checked >= 10
    body = [int(labels[i]) for i in range(openings[0][0], len(pages))]
    assert body == list(range(1, len(body) + 1)), "the body is numbered 1, 2, 3, ... without gaps"


@pytest.mark.parametrize("lang", LANGS)
def test_chapters_open_on_right_hand_pages_and_a_page_left_empty_is_blank(built_report: Path, lang: str):
    path = _pdf(built_report, lang)
    pages = _pages(str(path))
    openings = sorted(_openings(path, lang).values())
    assert openings and all(i % 2 == 0 for i in openings), \
        f"chapters open on PDF pages {[i + 1 for i in openings]}: each must be odd (a right-hand page)"
    before = [i - 1 for i in openings if not _lines(pages[i - 1], lang)]
    assert before, "no chapter needed an empty page before it: the check would prove nothing"
    for i in openings:
        if i - 1 not in before:  # the previous chapter ends on this left-hand page: it has its header and folio
            assert len(_lines(pages[i - 1], lang)) > 2


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_carries_its_text_alternative(built_report: Path, lang: str):
    """The tagged PDF's figures have /Alt texts: as many as the site has images, with the values of diagram 1."""
    from helpers.core import stats
    from helpers.lang import fmt

    reader = _reader(str(_pdf(built_report, lang)))
    alts, todo = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while todo:
        node = todo.pop()
        if hasattr(node, "get_object"):
            node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            todo.extend(kids if isinstance(kids, list) else [kids] if kids is not None else [])
        elif isinstance(node, list):
            todo.extend(node)
    site = built_report / lang / "html"
    images = sum(p.read_text(encoding="utf-8").count("<img ") for p in site.glob("*.html"))
    assert len(alts) == images > 20
    largest = stats.value("t01_registered_ngos", region="kz", legal_form="public_association")
    printed = fmt.number(largest.value, lang).replace("\u00a0", " ")  # a screen reader reads either space alike
    assert any(printed in a.replace("\u00a0", " ") for a in alts), "diagram 1's values are not in any /Alt"


@pytest.mark.parametrize("lang", LANGS)
def test_figures_are_vector_graphics(built_report: Path, lang: str):
    reader = _reader(str(_pdf(built_report, lang)))
    rasters = [(i + 1, img.name) for i, page in enumerate(reader.pages) for img in page.images]
    assert not rasters, f"raster images in the PDF: {rasters[:5]}"
    # and the pages with diagrams do carry drawings: a bar chart page has many path operators
    registry = json.loads((built_report / lang / "registry.json").read_text(encoding="utf-8"))
    assert sum(1 for v in registry.values() if v["kind"] == "dgm") >= 20


@pytest.mark.parametrize("lang", LANGS)
def test_the_text_of_a_chart_is_searchable_text_in_the_pdf(built_report: Path, lang: str):
    """Diagram 1: its bar labels and values are found as text on the page of its caption."""
    from helpers.core import data, stats
    from helpers.lang import fmt

    pages = _pages(str(_pdf(built_report, lang)))
    cap = re.compile(_caption_pattern("dgm", "1", lang))
    page = _flat(next(p for p in pages if cap.search(_flat(p))))
    page = page[:cap.search(page).start()]  # the chart stands above its caption (table 1 comes after it)
    frame = stats.resolved("t01_registered_ngos")  # the national row sums the regions
    rows = frame[(frame["region"] == "kz") & (frame["legal_form"] != "total")]
    labels = data.labels("legal_form", lang, short=True)
    assert len(rows) >= 4
    for _, row in rows.iterrows():
        assert _flat(fmt.number(row["value"], lang)) in page, f"the bar value of {row['legal_form']} is not text"
        assert _flat(labels[row["legal_form"]]) in page, f"the bar label of {row['legal_form']} is not text"


def _caption_pattern(kind: str, num: str, lang: str) -> str:
    from helpers.lang import i18n

    return re.escape(i18n.caption_label(kind, num, lang) + ".")


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_and_table_has_a_source_line_under_it(built_report: Path, lang: str):
    path = _pdf(built_report, lang)
    text = _flat(" ".join(_pages(str(path))))
    registry = json.loads((built_report / lang / "registry.json").read_text(encoding="utf-8"))
    floats = [(k, v) for k, v in registry.items() if v["kind"] in ("dgm", "tbl", "fig")]
    assert floats
    places = []
    for fid, item in floats:
        m = re.search(_caption_pattern(item["kind"], item["num"], lang) + r" \S", text)
        assert m, f"{fid}: caption not found"
        places.append((m.start(), fid))
    places.sort()
    for k, (at, fid) in enumerate(places):
        nxt = places[k + 1][0] if k + 1 < len(places) else len(text)
        assert SOURCE[lang] in text[at:nxt], f"{fid}: no source line between its caption and the next float"


@pytest.mark.parametrize("lang", LANGS)
def test_tables_that_run_on_repeat_their_header_under_a_continued_line(built_report: Path, lang: str):
    path = _pdf(built_report, lang)
    pages = [_flat(" ".join(_lines(t, lang))) for t in _pages(str(path))]
    site = built_report / lang / "html"
    registry = json.loads((built_report / lang / "registry.json").read_text(encoding="utf-8"))
    squeeze = lambda s: re.sub(r"\s+", "", s)
    run_on = 0
    for fid, item in registry.items():
        if item["kind"] != "tbl":
            continue
        page_html = (site / item["page"]).read_text(encoding="utf-8")
        m = re.search(rf'<figure id="{fid}".*?<thead>(.*?)</thead>', page_html, re.S)
        assert m, fid
        heads = [squeeze(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th[^>]*>(.*?)</th>", m.group(1), re.S)]
        heads = [h for h in heads if h and h != "%"]
        cap = re.compile(_caption_pattern(item["kind"], item["num"], lang) + r" \S")
        first = next(i for i, p in enumerate(pages) if cap.search(p))
        after = pages[first][cap.search(pages[first]).end():]
        last = first
        while SOURCE[lang] not in after and last + 1 < len(pages):
            last += 1
            after = pages[last]
        continued = CONTINUED[lang].format(n=item["num"])
        assert continued not in pages[first], f"{fid} says it is continued on the page where it starts"
        for i in range(first + 1, last + 1):
            run_on += 1
            for h in heads:
                assert h in squeeze(pages[i]), f"{fid} runs on to PDF page {i + 1} without its header {h!r}"
            assert continued in pages[i], f"{fid} runs on to PDF page {i + 1} without {continued!r} above it"
    assert run_on >= 1, "no table runs across a page: the check would prove nothing"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_no_text_outside_the_margins(built_report: Path, lang: str):
    """Every word lies inside the text area (inside 27 mm, outside 20 mm; header and folio within 24 mm)."""
    out = subprocess.run(["pdftotext", "-bbox", str(_pdf(built_report, lang)), "-"], capture_output=True,
                         text=True).stdout
    tol = 1 * MM  # Typst lets punctuation and hyphens hang a little into the margin (optical alignment)
    outside = []
    for k, page in enumerate(re.findall(r"<page (.*?)</page>", out, re.S)):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        odd = (k + 1) % 2 == 1  # the first page is a right-hand page: binding on the left
        left = (27 if odd else 20) * MM
        right = width - (20 if odd else 27) * MM
        for x0, y0, x1, y1, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page):
            if word == DRAFT[lang]:
                continue
            x0, y0, x1, y1 = map(float, (x0, y0, x1, y1))
            if x0 < left - tol or x1 > right + tol or y0 < 10 * MM or y1 > height - 10 * MM:
                outside.append((k + 1, word, round(x0 / MM, 1), round(x1 / MM, 1)))
    assert not outside, f"words outside the margins (page, word, x0 mm, x1 mm): {outside[:10]}"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_the_conclusions_numbered_points_have_one_hanging_indent(built_report: Path, lang: str):
    """Every line of every point of the Conclusion, continuation paragraphs included, starts where the text of
    the point's first line starts, whether the point's number has one digit or two; measured on the page."""
    first = next(line for line in (ROOT / f"chapters/{lang}/conclusion.qmd").read_text(encoding="utf-8").splitlines()
                 if line.startswith("# "))
    title = re.sub(r"\s*\{.*\}\s*$", "", first[2:]).strip()
    out = subprocess.run(["pdftotext", "-bbox", str(_pdf(built_report, lang)), "-"], capture_output=True,
                         text=True).stdout
    indents, numbers = set(), 0
    for page in re.findall(r"<page (.*?)</page>", out, re.S):
        lines: dict[int, list[tuple[float, str]]] = {}
        for x0, y0, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(.*?)</word>', page):
            if word != DRAFT[lang]:
                lines.setdefault(round(float(y0)), []).append((float(x0), word))
        rows = [sorted(words) for _, words in sorted(lines.items())]
        if not rows or " ".join(w for _, w in rows[0]) != title:  # the running header, or the opening's title
            if not any(" ".join(w for _, w in row) == title for row in rows[:3]):
                continue
        body = rows[1:-1]  # without the running header (or title) and the folio
        margin = min(row[0][0] for row in body)
        points = [row for row in body if re.fullmatch(r"\d+\.", row[0][1])]
        numbers += len(points)
        texts = {round(row[1][0] - margin, 1) for row in points}
        others = {round(row[0][0] - margin, 1) for row in body if row not in points} - {0.0}
        assert len(texts | others) <= 1, f"a page of the Conclusion has points' lines starting at {texts | others} pt"
        indents |= texts | others
    assert numbers >= 10, "the Conclusion's numbered points were not found: the check would prove nothing"
    assert len(indents) == 1, f"the points' text starts at {sorted(indents)} pt from the margin on different pages"


def test_both_editions_are_hyphenated(built_report: Path):
    """Typst hyphenates Russian by its patterns; the Kazakh prose brings its syllable breaks as soft hyphens."""
    def soft_breaks(lang: str) -> int:
        # pdftotext keeps a hyphenation point as a soft hyphen at the end of the line
        out = subprocess.run(["pdftotext", str(_pdf(built_report, lang)), "-"], capture_output=True, text=True).stdout
        return sum(1 for line in out.splitlines() if line.rstrip().endswith("\u00ad"))

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    assert soft_breaks("ru") >= 20
    assert soft_breaks("kk") >= 100


def test_the_kazakh_text_layer_has_whole_words(built_report: Path):
    """Search, copy and screen readers get "баяндама", not "ба­ян­да­ма": a soft hyphen is left only where a line
    breaks, so each word is counted as often in the text layer (its hyphenated line ends joined) as in the text."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    text = subprocess.run(["pdftotext", str(_pdf(built_report, "kk")), "-"], capture_output=True, text=True).stdout
    inside = re.findall(r"\w\u00ad+\w", text)
    assert not inside, f"{len(inside)} soft hyphens inside words, e.g. {inside[:5]}"
    joined = re.sub(r"\u00ad+\n+\f?", "", text)  # a word hyphenated at a line end (or a page's) is one word
    words = re.sub(r"[\u00ad\n\f]+", " ", text)  # every break point removed, the line ends as spaces
    for word in ("баяндама", "ұйымдар", "мемлекеттік", "азаматтық", "қоғамдық", "әлеуметтік"):
        expected = len(re.findall(word, text.replace("\u00ad\n", "").replace("\u00ad", ""), re.I))
        assert len(re.findall(word, joined, re.I)) == expected >= 10, word
        assert len(re.findall(word, words, re.I)) <= expected, word


@pytest.mark.parametrize("lang", LANGS)
def test_thousands_are_grouped_alike_in_charts_tables_and_prose(built_report: Path, lang: str):
    """9 121 in diagram 1, table 1 and the text; 1 317 in table 1 and heat map Б.1: four-digit numbers are
    grouped everywhere (years, ids and the licence's version apart)."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    text = subprocess.run(["pdftotext", str(_pdf(built_report, lang)), "-"], capture_output=True, text=True).stdout
    text = text.replace("\u00a0", " ")
    ungrouped = [m.group(0) for m in re.finditer(r"(?<![\w,.\u00a0 -])\d{4}(?![\w,])", text)
                 if not re.fullmatch(r"(19|20)\d\d", m.group(0))]
    assert not ungrouped, f"four-digit numbers without their thousands grouped: {ungrouped[:10]}"
    for value in (9121, 4900, 1317, 17988):
        number = fmt.number(value, lang).replace("\u00a0", " ")
        assert text.count(number) >= 2, f"{number} should be printed grouped in a chart or table and elsewhere"


@pytest.mark.parametrize("lang", LANGS)
def test_the_draft_mark_is_not_in_the_text_layer(built_report: Path, lang: str):
    """The draft's pages carry the mark as a drawing: copied text, search and screen readers do not get its letters."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    path = _pdf(built_report, lang)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    letters = set(DRAFT[lang])
    lone = [line for line in text.splitlines() if line.split() and all(w in letters for w in line.split())]
    assert not lone, f"lines of draft-mark letters in the text layer: {lone[:5]}"
    bbox = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True).stdout
    tall = [m.group(3) for m in re.finditer(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">'
                                            r"([^<]*)</word>", bbox) if float(m.group(2)) - float(m.group(1)) > 40]
    assert not tall, f"letters of the draft mark's size in the text layer: {tall[:5]}"
