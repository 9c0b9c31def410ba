"""Numbers of the sources in the printed books: each in its chapter, in each edition's own format.

The expected values are facts of the two source documents (the place is given for each), not values read
back from data/. They are formatted with ``helpers.fmt`` as the edition prints them (decimal comma, no-break
space between thousands, units in words) and looked for in the PDF text of the chapter they belong to, so a
number that is wrong, formatted the English way, or printed in another chapter fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_report import _chapter_files, _titles

from helpers.lang import fmt

NBSP = "\u00a0"

# chapters by file name (the running order and any further appendix come from _quarto-<lang>.yml)
INTRO, CH1, CH2, CH3, CH4, CH5 = ("index", "01-preconditions", "02-activity", "03-capacity", "04-social-capital",
                                  "05-participation")
CONCL, APP_A, APP_B = "conclusion", "appendix-a-beneficiaries", "appendix-b-data-methods"

# (chapter, value, unit, place in the source)
# NR = national-report-2019.kk.txt, BS = beneficiary-survey-2019.kk.txt
SOURCE_NUMBERS = [
    (INTRO, 2019, "year", "NR, introduction: the draft Concept discussed throughout 2019 (section 1)"),
    (CH1, 85, "percent", "NR, section 1: 85% of NGOs surveyed in 2013 for a new Concept"),
    (CH1, 13, "percent", "NR, section 1: only 13% against"),
    (CH1, 2001, "year", "NR, section 1: Law on non-commercial organisations, 2001"),
    (CH1, 2018, "year", "NR, section 1: 'seven years later, in 2018' the question raised again"),
    (CH2, 17988, "organisation", "NR, section 2: 17988 non-commercial organisations registered on 1 October 2019"),
    (CH2, 3013, "organisation", "NR, section 2, table 1: Nur-Sultan, total"),
    (CH2, 51.4, "percent", "NR, section 2, diagram 2: activity within one oblast"),
    (CH2, 25.7, "percent", "NR, section 2, diagram 2: one district or town"),
    (CH2, 2.67, "count", "NR, section 2, diagram 3: mean number of projects a year"),
    (CH2, 15.7, "percent", "NR, section 2, diagram 3: no project in the year"),
    (CH2, 3.81, "count", "NR, section 2, figure 1: Kostanay oblast, mean projects"),
    (CH2, 84.3, "percent", "NR, section 2, diagram 8: combined share of non-participants"),
    (CH2, 36.6, "percent", "NR, section 2, diagram 9: rather trust charities"),
    (CH2, 60.2, "percent", "NR, section 2, diagram 10: no experience of NGO services"),
    (CH2, 74.8, "percent", "NR, section 2, diagram 11: positive answers on service quality"),
    (CH2, 448, "person", "NR, section 2, diagram 12: mean target audience"),
    (CH3, 72.6, "percent", "NR, section 3, diagram 14: staff up to five"),
    (CH3, 4.3, "count", "NR, section 3: mean staff of NGOs with a permanent staff"),
    (CH3, 29.3, "percent", "NR, section 3, table 2: state social order as the main source"),
    (CH3, 12.7, "billion_kzt", "NR, section 3: SSO funding 2017, 12,7 bn tenge"),
    (CH3, 314.7, "million_kzt", "NR, section 3: SSO 2017 through central bodies, 314.7 mln tenge"),
    (CH3, 2333, "project", "NR, section 3: 2333 social projects in 2017"),
    (CH3, 618.5, "million_kzt", "NR, section 3, table 3: state grants 2017, 618,5 mln tenge"),
    (CH3, 20.2, "billion_kzt", "NR, section 3: SSO funding 2018, 20,2 bn tenge"),
    (CH3, 1023.9, "million_kzt", "NR, section 3, table 4: state grants 2018, 1 023,9 mln tenge"),
    (CH3, 764.3, "million_kzt", "NR, section 3: 57 projects of 7 central bodies in 2019, 764,3 mln tenge"),
    (CH3, 16.3, "billion_kzt", "NR, section 3: SSO of local executive bodies 2019, 16,3 bn tenge"),
    (CH3, 6.4, "million_kzt", "NR, section 3, diagram 15: mean annual budget 6,4 mln tenge"),
    (CH3, 60.9, "percent", "NR, section 3, diagram 15: budget up to four million"),
    (CH3, 65.7, "percent", "NR, section 3: NGOs with a strategic plan"),
    (CH4, 57.6, "percent", "NR, section 4, diagram 18: positive assessments of relations with the state"),
    (CH4, 38.9, "percent", "NR, section 4, diagram 19: at least monthly interaction with the state"),
    (CH4, 42.4, "percent", "NR, section 4, diagram 20: positive assessments of relations with business"),
    (CH4, 44.8, "percent", "NR, section 4, diagram 22: developed partnership between NGOs"),
    (CH4, 45.7, "percent", "NR, section 4: the state as the main project partner"),
    (CH4, 58.1, "percent", "NR, section 4: NGOs receiving mailouts"),
    (CH4, 48.1, "percent", "NR, section 4: members of coalitions and networks"),
    (CH5, 66.7, "percent", "NR, section 5, diagram 24: fully responsible for one's home"),
    (CH5, 89.1, "percent", "NR, section 5, diagram 25: confident of influence at home"),
    (CH5, 39.8, "percent", "NR, section 5: took part in volunteering"),
    (CH5, 1.5, "percent", "NR, section 5, diagram 27: protests and rallies"),
    (CH5, 2.3, "score_5", "NR, section 5: experts' mean score of civic activity"),
    (CH5, 210, "organisation", "NR, section 5, table 7: total of organisations"),
    (CH5, 163, "organisation", "NR, section 5, table 7: staff up to five, total"),
    (CONCL, 6.4, "million_kzt", "NR, conclusion 1: annual budget of about 6,4 mln tenge"),
    (CONCL, 17.2, "percent", "NR, conclusion 4: own office"),
    (CONCL, 65.7, "percent", "NR, conclusion 6: positive relations with the population"),
    (CONCL, 500, "person", "NR, conclusion 6: mean number of beneficiaries 500"),
    (CONCL, 38.2, "percent", "NR, conclusion 8: low awareness as an obstacle"),
    (APP_A, 77, "percent", "BS: know or heard that NGOs implement the SSO"),
    (APP_A, 47, "percent", "BS: low awareness as a problem of interaction"),
    (APP_A, 64.5, "percent", "BS: the SSO is based on real needs"),
    (APP_A, 51.4, "percent", "BS: experience and qualification decide"),
    (APP_B, 210, "organisation", "NR, table 7: base of the NGO survey, in the list of datasets"),
]

# the printed form, typed out, for some of them: the formatter itself must give these
LITERAL = {
    ("kk", 17988): "17\u00a0988",
    ("ru", 17988): "17\u00a0988",
    ("kk", 51.4): "51,4%",
    ("ru", 51.4): "51,4%",
    ("kk", 12.7): "12,7\u00a0млрд теңге",
    ("ru", 12.7): "12,7\u00a0млрд тенге",
    ("kk", 1023.9): "1\u00a0023,9\u00a0млн теңге",  # grouped from four digits, as the source prints it
    ("ru", 314.7): "314,7\u00a0млн тенге",
    ("kk", 6.4): "6,4\u00a0млн теңге",
    ("ru", 2.67): "2,67",
}

PDF = {"kk": "kk/ngo-report-2019-kk.pdf", "ru": "ru/ngo-report-2019-ru.pdf"}


def _normalised(text: str) -> str:
    """One line of text; the no-break spaces of the numbers are kept (justification may add a space)."""
    text = re.sub(NBSP + r"\s+", NBSP, text)
    return re.sub(r"[ \t\r\n]+", " ", text)


def chapters_of(pdf: Path, lang: str) -> dict[str, str]:
    """The text of each chapter by file name, split at the chapter titles in the running order (after the
    contents)."""
    text = _normalised("\n".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages))
    titles = [" ".join(t.split()) for t in _titles(lang)]
    flat = text.replace(NBSP, " ")  # titles are searched in a copy of the same length
    start = flat.index(titles[-1]) + len(titles[-1])  # the last entry of the contents
    starts = []
    for title in titles:
        start = flat.index(title, start)
        starts.append(start)
        start += len(title)
    stems = [Path(rel).stem for rel in _chapter_files(lang)]
    return {stem: text[a:b] for stem, a, b in zip(stems, starts, starts[1:] + [len(text)])}


def printed(value: float, unit: str, lang: str) -> str:
    """As the edition prints it: ``17 988``, ``51,4%``, ``12,7 млрд теңге``."""
    return fmt.quantity(value, unit, lang)


def _found(needle: str, haystack: str) -> bool:
    return re.search(r"(?<![\d,])" + re.escape(needle) + r"(?![\d]|,\d)", haystack) is not None


@pytest.fixture(scope="module")
def chapters(built_report: Path) -> dict[str, dict[str, str]]:
    return {lang: chapters_of(built_report / rel, lang) for lang, rel in PDF.items()}


def test_the_sample_covers_every_chapter_and_appendix():
    assert len(SOURCE_NUMBERS) >= 30
    assert {c for c, *_ in SOURCE_NUMBERS} == {INTRO, CH1, CH2, CH3, CH4, CH5, CONCL, APP_A, APP_B}


@pytest.mark.parametrize(("lang", "value"), sorted(LITERAL))
def test_the_formatter_gives_the_printed_form(lang: str, value: float):
    unit = next(u for _, v, u, _ in SOURCE_NUMBERS if v == value)
    assert printed(value, unit, lang) == LITERAL[(lang, value)]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_chapters_are_found_in_the_pdf(chapters, lang: str):
    parts = chapters[lang]
    assert list(parts) == [Path(rel).stem for rel in _chapter_files(lang)]
    assert all(len(p) > 500 for p in parts.values()), "a chapter title was not found where it starts"


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize(("chapter", "value", "unit", "place"), SOURCE_NUMBERS,
                         ids=[f"{c}-{v}" for c, v, *_ in SOURCE_NUMBERS])
def test_source_number_is_printed_in_its_chapter(chapters, lang, chapter, value, unit, place):
    text = chapters[lang][chapter]
    expected = printed(value, unit, lang)
    assert _found(expected, text), f"{place}: '{expected}' not in chapter {chapter} of the {lang} edition"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_numbers_are_not_printed_the_english_way(chapters, lang):
    body = " ".join(chapters[lang].values())
    assert not _found("17,988", body) and not _found("17988", body)
    assert not re.search(r"\b\d+\.\d+\s?%", body), "a decimal point instead of a decimal comma"
