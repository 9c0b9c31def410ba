"""Kazakh case endings after numbers: a table of forms as a Kazakh grammar gives them (the seven cases and the
possessive, for 0-9, tens, hundreds, thousands, millions, decimals and percentages)."""

import pytest

from helpers.lang import kk_grammar
from helpers.lang.fmt import Formatted

H = "\u2011"

# number, ending as the author writes it, the printed result (after the number's non-breaking hyphen)
TABLE = """
0 ға ге | 1 ға ге | 2 ға ге | 3 ға ке | 4 ға ке | 5 ға ке | 6 ге ға | 7 ға ге | 8 ға ге | 9 ге ға
10 ге ға | 20 ге ға | 30 ге ға | 40 ға қа | 50 ға ге | 60 ға қа | 70 ға ке | 80 ға ге | 90 ге ға
100 ға ге | 1000 ге ға | 1000000 ге ға | 1000000000 ға қа | 17988 ға ге | 17986 ге ға
1 ның дің | 2 ның нің | 3 ның тің | 5 ның тің | 6 ның ның | 8 ның дің | 9 ның дың | 10 дың ның
30 ның дың | 40 ның тың | 50 ның дің | 70 ның тің | 100 ның дің | 1000 дің ның
1 ны ді | 2 ды ні | 3 ны ті | 6 ды ны | 8 ны ді | 9 ны ды | 10 ны ды | 40 ны ты | 100 ны ді | 1000 ні ды
1 да де | 2 да де | 3 да те | 4 да те | 6 де да | 9 де да | 10 де да | 40 да та | 100 да де | 1000 де да
1 дан ден | 2 дан ден | 3 дан тен | 5 дан тен | 6 ден дан | 7 дан ден | 9 ден дан | 10 дан нан
40 дан тан | 80 дан нен | 100 дан ден | 1000 дан нан | 1000000 ден нан
1 пен мен | 2 пен мен | 3 мен пен | 4 мен пен | 6 пен мен | 8 мен бен | 9 мен бен | 10 пен мен
30 мен бен | 40 мен пен | 100 мен бен | 1000 пен мен
1 сы і | 2 ы сі | 3 сы і | 6 і сы | 9 сі ы | 10 сы ы | 20 ы сы | 50 сы і | 1000 сі ы
2,67 ға ге | 0,5 ге ке | 1,23 ға ке | 3,81 ге ге | 12,7 ға ге | 2,3 ге ке | 1,05 ға ке
48,1% і ы | 57,1% і ы | 10% ді ды | 3,8% ді ды | 84,3% ге ға | 50,7% ін ын | 16,5% інен ынан
80% інде ында | 60,9% інің ының | 10% мен бен | 0,8% тен дан | 15% тар дар
"""


def rows():
    for cell in TABLE.replace("\n", "|").split("|"):
        if cell.strip():
            number, ending, expected = cell.split()
            yield number, ending, expected


@pytest.mark.parametrize("number, ending, expected", list(rows()))
def test_the_ending_follows_the_reading(number, ending, expected):
    printed = f"{int(number):,}".replace(",", "\u00a0") if number.isdigit() and len(number) >= 5 else number
    assert kk_grammar.attach(printed, ending) == printed + H + expected


def test_readings():
    assert kk_grammar.reading("17\u00a0988") == "он жеті мың тоғыз жүз сексен сегіз"
    assert kk_grammar.reading("48,1%") == "қырық сегіз бүтін оннан бір пайыз"
    assert kk_grammar.reading("2,67") == "екі бүтін жүзден алпыс жеті"
    assert kk_grammar.reading("8\u00a0333\u00a0333") == "сегіз миллион үш жүз отыз үш мың үш жүз отыз үш"
    assert kk_grammar.reading("1000") == "мың"


def test_endings_after_units_and_abbreviations():
    assert kk_grammar.attach("6,4\u00a0млн теңге", "ға") == "6,4\u00a0млн теңгеге"
    assert kk_grammar.attach("20\u00a0200\u00a0млн", "ге") == "20\u00a0200\u00a0млн" + H + "ға"


def test_named_cases_and_nominative():
    assert kk_grammar.attach("5", "dative") == "5" + H + "ке"
    assert kk_grammar.attach("5", "nominative") == "5"


def test_formatted_keeps_its_origin():
    n = Formatted("48,1%", "d22_relations_between_ngos.csv, row 3", "d22.csv:3")
    out = n.kk("ы")
    assert out == "48,1%" + H + "ы" and out.origin == n.origin and out.rows == n.rows


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="not a printed number"):
        kk_grammar.attach("Алматы", "ға")
    with pytest.raises(ValueError, match="not a Kazakh case ending"):
        kk_grammar.attach("5", "xyz")


def test_sentences_made_in_code_take_endings():
    assert kk_grammar.format_text("орташа {x:-дан} аспауы керек", x="3,5") == "орташа 3,5" + H + "тен аспауы керек"
    assert kk_grammar.format_text("{x} ғана", x="3,5") == "3,5 ғана"
