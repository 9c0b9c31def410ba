"""Hyphenation that shapes the page and stays out of the text layer: a narrow-column document of synthetic
Kazakh prose (made up for the test, not the report's) typeset by Typst with the print template's rules."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import typst

from helpers.engines import linebreaks
from helpers.engines.render import resource_path
from helpers.lang import kk_hyphenation

SOFT = "\u00ad"
# synthetic sentences: compounds with a hard hyphen, long words before "." and ":", quotes and brackets
PROSE = ("Азаматтық қоғам институттарының мемлекеттік органдармен іс-қимылы жақсарды, іс-қимылдары жиілеп, "
         "іс-тәжірибесі артты. Ұйымдар "
         "(іс-шаралар мен кездесулер туралы) ақпаратты әлеуметтік желілерде таратады: баяндамада көрсетілгендей, "
         "материалдық-техникалық жабдықтау қиындықтары сақталады. Мемлекеттік әлеуметтік тапсырыс «үкіметтік емес "
         "ұйымдардың» тұрақтылығын қамтамасыз етеді, сондай-ақ волонтерлердің белсенділігін арттырады. Респонденттердің "
         "көпшілігі ынтымақтастықты жоғары бағалады.")


def _compound_rule() -> str:
    """The print template's rule that keeps a short-first-part compound in one box (one place: book.typ)."""
    return next(line for line in resource_path("book.typ").read_text(encoding="utf-8").splitlines()
                if line.startswith("#show regex("))


@pytest.fixture(scope="module")
def narrow(tmp_path_factory) -> tuple[Path, str, linebreaks.Report]:
    folder = tmp_path_factory.mktemp("narrow")
    paragraphs = [" ".join(PROSE.split()[k:] + PROSE.split()[:k]) for k in range(0, 44)]
    body = "\n\n".join(kk_hyphenation.hyphenate_text(p) for p in paragraphs)
    typ = folder / "narrow.typ"
    typ.write_text(f'#set page(width: 62mm, height: 150mm, margin: 6mm)\n'
                   f'#set text(font: "Libertinus Serif", size: 10pt, lang: "kk", hyphenate: false)\n'
                   f'#set par(justify: true)\n{_compound_rule()}\n{body}\n', encoding="utf-8")

    def compile_to(out: Path) -> list:
        typst.compile(str(typ), output=str(out), root=str(folder))
        return []

    _, report, _ = linebreaks.typeset(compile_to, typ, folder / "narrow.pdf")
    return folder / "narrow.pdf", "\n\n".join(paragraphs), report


def _pdftotext(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_text_layer_has_whole_words(narrow):
    pdf, prose, report = narrow
    text = _pdftotext(pdf)
    assert report.breaks >= 20, "the column broke too few words for the test to prove anything"
    inside = [m.group(0) for m in re.finditer(rf"\w{SOFT}+\w", text)]
    assert not inside and report.inside_words == 0, f"soft hyphens inside words: {inside[:5]}"
    joined = re.sub(rf"{SOFT}+\n+\f?", "", text)  # a hyphenated line end joins its word again
    plain = r"(?<![\w-])\w{6,}(?![\w-])"  # a compound's parts are left out (pdftotext joins a compound broken
    words = Counter(re.findall(plain, prose.lower()))  # at its hyphen and drops the hyphen)
    found = Counter(re.findall(plain, joined.lower()))
    assert {w: found[w] for w in words} == words


def test_no_word_is_broken_without_a_hyphen(narrow):
    pdf, prose, _ = narrow
    text = re.sub(rf"{SOFT}+\n+\f?", "", _pdftotext(pdf)).replace("\f", "\n")  # words hyphenated at a line end
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # pdftotext joins a compound broken at its hyphen and drops the hyphen: "материалдықтехникалық"
    known = set(re.findall(r"\w+", prose)) | {c.replace("-", "") for c in re.findall(r"\w+(?:-\w+)+", prose)}
    broken = []
    for line, nxt in zip(lines, lines[1:]):
        last, first = re.findall(r"\w+", line)[-1], re.findall(r"\w+", nxt)[0]
        if last not in known or first not in known:
            broken.append(f"{line[-20:]} / {nxt[:20]}")
    assert not broken, f"words broken at a line end with no hyphen: {broken}"


def test_no_hyphenated_word_ends_a_page(narrow):
    pdf, _, report = narrow
    pages = _pdftotext(pdf).split("\f")
    assert len(pages) >= 3, "the test document should run over several pages"
    ends = [page.rstrip().splitlines()[-1] for page in pages if page.strip()]
    assert report.page_end == 0 and not [e for e in ends if e.endswith(SOFT)], ends


def test_break_points_are_found_in_the_source_by_their_context():
    """Two occurrences of one word: the break goes to the one whose neighbours match (synthetic source)."""
    source = "бі\u00adрін\u00adші мем\u00adле\u00adкет\u00adтік ор\u00adган, екін\u00adші мем\u00adле\u00adкет\u00adтік қор"
    brk = linebreaks.Break("мемлекеттік", 5, ("екінші",), ("қор",))
    [place] = linebreaks.match([brk], source)
    kept = linebreaks.rewrite(source, keep={place})
    assert kept == "бірінші мемлекеттік орган, екінші мемле\u00adкеттік қор"


def _book(folder: Path, parts: list[str]) -> tuple[Path, list[tuple[int, int]]]:
    """A narrow-column book of ``parts``, each opening a page as a chapter does; their spans in the source."""
    head = (f'#set page(width: 62mm, height: 150mm, margin: 6mm)\n'
            f'#set text(font: "Libertinus Serif", size: 10pt, lang: "kk", hyphenate: false)\n'
            f'#set par(justify: true)\n{_compound_rule()}\n')
    texts = ["#pagebreak(weak: true)\n\n" + "\n\n".join(kk_hyphenation.hyphenate_text(p) for p in part)
             for part in parts]
    spans, at = [], len(head)
    for text in texts:
        spans.append((at, at + len(text)))
        at += len(text) + 2
    typ = folder / "book.typ"
    typ.write_text(head + "\n\n".join(texts) + "\n", encoding="utf-8")
    return typ, spans


def _set(folder: Path, parts: list[str], memory: dict | None) -> tuple[str, linebreaks.Report, dict]:
    """The book typeset with the breaks remembered in ``memory`` (None: without chapters); its final source."""
    typ, spans = _book(folder, parts)

    def compile_to(out: Path) -> list:
        typst.compile(str(typ), output=str(out), root=str(folder))
        return []

    if memory is None:
        _, report, learned = linebreaks.typeset(compile_to, typ, folder / "book.pdf")
    else:
        _, report, learned = linebreaks.typeset(compile_to, typ, folder / "book.pdf", spans, memory.get)
    return typ.read_text(encoding="utf-8"), report, learned


def test_remembered_breaks_spare_passes_and_change_nothing(tmp_path):
    """Three chapters of synthetic prose set again: unchanged, in one pass; the second one edited: the chapters
    that did not change start from their remembered breaks, and the book comes out as set from nothing."""
    words = PROSE.split()
    chapter = lambda k: [" ".join(words[i:] + words[:i]) for i in range(k, k + 9)]  # noqa: E731
    parts = [chapter(0), chapter(9), chapter(18)]
    plain, scratch, learned = _set(tmp_path, parts, None)
    assert learned == {} and scratch.rounds >= 3  # one part (no chapters): nothing to remember
    by_chapters, first, learned = _set(tmp_path, parts, {})
    assert by_chapters == plain and first.rounds == scratch.rounds and len(learned) == 3

    again, report, relearned = _set(tmp_path, parts, dict(learned))
    assert again == plain and report.rounds == 1 and relearned == learned

    edited = [parts[0], [p.replace("жоғары", "өте жоғары") for p in parts[1]], parts[2]]
    from_nothing, scratch_edit, _ = _set(tmp_path, edited, {})
    remembered, edit_report, _ = _set(tmp_path, edited, dict(learned))
    assert remembered == from_nothing
    # the edited chapter needs its own passes; the others none beyond them
    assert edit_report.rounds <= scratch_edit.rounds, (edit_report.rounds, scratch_edit.rounds)


def test_remembered_breaks_that_do_not_hold_are_set_again_from_all_points(tmp_path):
    """A remembered entry that keeps a break point no line uses (as if the chapter's page came out otherwise):
    the whole book is set again from all its points and comes out as set from nothing."""
    words = PROSE.split()
    parts = [[" ".join(words[i:] + words[:i]) for i in range(k, k + 9)] for k in (0, 9)]
    plain, _, learned = _set(tmp_path, parts, {})
    first_key = next(iter(learned))
    source = _book(tmp_path, parts)[0].read_text(encoding="utf-8")
    every = [[j, n] for j, w in enumerate(linebreaks._source_words(source[_book(tmp_path, parts)[1][0][0]:]))
             for n in w.offsets][:40]
    wrong = {**learned, first_key: every}
    again, report, relearned = _set(tmp_path, parts, wrong)
    assert again == plain and relearned == learned
