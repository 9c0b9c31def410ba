"""Kazakh hyphenation by syllables: a list of words with their known break points ('-' marks a break)."""

import pytest

from helpers.lang import kk_hyphenation as kh

WORDS = """
бала мек-теп мем-ле-кет-тік әлеу-мет-тік ұйым-дас-ты-ру аза-мат-тық қо-ғам-дық ба-ян-да-ма ын-ты-мақ-тас-тық
қыз-мет-кер-лер тір-кел-ген об-лыс-тық жұ-мыс өңір-лер-дің бір-лес-тік ми-нистр-лі-гі са-уал-на-ма
ауыл да-уыс-ты киім бағ-дар-ла-ма Рес-пуб-ли-ка-сы диа-грам-ма-да қа-ты-су-шы-лар ке-ңес-тік
"""


@pytest.mark.parametrize("expected", WORDS.split())
def test_words_break_between_their_syllables(expected):
    assert kh.hyphenate_word(expected.replace("-", ""), "-") == expected


def test_syllables_follow_the_vowels():
    assert kh.syllables("ұйымдастыру") == ["ұ", "йым", "дас", "ты", "ру"]
    assert kh.syllables("тауы") == ["та", "уы"]  # "у" after a vowel is a consonant
    assert kh.syllables("киім") == ["ки", "ім"]


@pytest.mark.parametrize("token", [
    "ҮЕҰ-ның", "АҚДМ", "МӘТ-тің", "17\u00a0988", "48,1%\u2011ы", "data/labels.csv", "https://data.egov.kz/мемлекеттік",
    "t01_registered_ngos", "sec-readings", "Typst", "2019"])
def test_abbreviations_numbers_ids_and_addresses_are_left_alone(token):
    assert kh.hyphenate_text(token, "-") == token


def test_running_text_gets_soft_hyphens_in_its_words_only():
    text = "ҮЕҰ-ның мемлекеттік органдармен 2019 жылғы ынтымақтастығы"
    out = kh.hyphenate_text(text)
    assert out.replace(kh.SOFT_HYPHEN, "") == text
    assert out.split()[:2] == ["ҮЕҰ-ның", "мем\u00adле\u00adкет\u00adтік"]
    assert "ын\u00adты\u00adмақ\u00adтас\u00adты\u00adғы" in out


def test_the_filter_leaves_code_links_numbers_and_floats_alone():
    doc = {"pandoc-api-version": [1, 23], "meta": {}, "blocks": [
        {"t": "Para", "c": [{"t": "Str", "c": "мемлекеттік"}, {"t": "Space"},
                            {"t": "Code", "c": [["", [], []], "мемлекеттік"]},
                            {"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "мемлекеттік"}], ["https://x", ""]]},
                            {"t": "Span", "c": [["", ["num"], []], [{"t": "Str", "c": "мемлекеттік"}]]}]},
        {"t": "Div", "c": [["dgm-x", [], []], [{"t": "Para", "c": [{"t": "Str", "c": "мемлекеттік"}]}]]}]}
    out = kh.filter_document(doc)
    para = out["blocks"][0]["c"]
    assert para[0]["c"] == "мем\u00adле\u00adкет\u00adтік"
    assert para[2]["c"][1] == "мемлекеттік" and para[3]["c"][1][0]["c"] == "мемлекеттік"
    assert para[4]["c"][1][0]["c"] == "мемлекеттік"
    assert out["blocks"][1]["c"][1][0]["c"][0]["c"] == "мемлекеттік"


@pytest.mark.parametrize("token, expected", [
    ("дайындалды.", "да-йын-дал-ды."), ("сипаттайды:", "си-пат-тай-ды:"), ("(мемлекеттік),", "(мем-ле-кет-тік),"),
    ("«баяндама»;", "«ба-ян-да-ма»;"), ("жатқызады?!", "жат-қы-за-ды?!")])
def test_a_word_before_closing_punctuation_gets_its_break_points(token, expected):
    assert kh.hyphenate_text(token, "-") == expected


@pytest.mark.parametrize("token", ["іс-қимыл", "(іс-шаралар", "материалдық-техникалық", "сондай-ақ",
                                   "рухани-адамгершілік.", "т.б.", "т.с.с."])
def test_compounds_and_dotted_abbreviations_get_no_break_points(token):
    """A part of a compound broken after its hyphen would print no hyphen at the line end."""
    assert kh.hyphenate_text(token) == token


def test_source_lines_and_emphasis_get_no_break_points():
    """Their fonts' hyphen glyph stays a hard hyphen in the text layer (a running header's «материально-…»)."""
    word = {"t": "Str", "c": "мемлекеттік"}
    doc = {"pandoc-api-version": [1, 23], "meta": {}, "blocks": [
        {"t": "RawBlock", "c": ["typst", "#source-line["]}, {"t": "Para", "c": [dict(word)]},
        {"t": "RawBlock", "c": ["typst", "]"]},
        {"t": "Para", "c": [dict(word), {"t": "Emph", "c": [dict(word)]}, {"t": "Strong", "c": [dict(word)]}]}]}
    blocks = kh.filter_document(doc)["blocks"]
    assert blocks[1]["c"][0]["c"] == "мемлекеттік"
    para = blocks[3]["c"]
    assert para[0]["c"] == "мем\u00adле\u00adкет\u00adтік"
    assert para[1]["c"][0]["c"] == para[2]["c"][0]["c"] == "мемлекеттік"
