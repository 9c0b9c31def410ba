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

    _, report = linebreaks.typeset(compile_to, typ, folder / "narrow.pdf")
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
