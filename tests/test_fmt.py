from helpers import fmt

NB = "\u00a0"


def test_thousands_get_a_no_break_space_and_decimals_a_comma():
    assert fmt.number(17988, "kk") == f"17{NB}988"
    assert fmt.number(29.3, "ru") == "29,3"
    assert fmt.number(1584, "kk") == "1584"  # four digits are not split
    assert fmt.number(1234567.5, "ru") == f"1{NB}234{NB}567,5"


def test_percent_and_money_follow_the_edition():
    assert fmt.percent(51.4, "kk") == "51,4%"
    assert fmt.quantity(6.4, "million_kzt", "kk") == f"6,4{NB}млн теңге"
    assert fmt.quantity(6.4, "million_kzt", "ru") == f"6,4{NB}млн тенге"
    assert fmt.quantity(2019, "year", "ru") == "2019"


def test_rounding_and_missing_values():
    assert fmt.number(2.666, "kk", 2) == "2,67"
    assert fmt.number(None, "kk") == "–"
    assert fmt.number(-1.5, "ru") == "−1,5"
