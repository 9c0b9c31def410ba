from helpers.lang import fmt

NB = "\u00a0"


def test_thousands_get_a_no_break_space_and_decimals_a_comma():
    assert fmt.number(17988, "kk") == f"17{NB}988"
    assert fmt.number(29.3, "ru") == "29,3"
    assert fmt.number(1584, "kk") == f"1{NB}584"  # from four digits, as the editions declare (group-from: 1000)
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


def test_russian_nouns_agree_with_the_number():
    forms = ("строка", "строки", "строк")
    got = {n: fmt.ru_plural(n, *forms) for n in ("1", "2", "5", "11", "12", "21", "22", "25", "32", "111", "2,5", "1" + NB + "001")}
    assert got == {"1": "строка", "2": "строки", "5": "строк", "11": "строк", "12": "строк", "21": "строка",
                   "22": "строки", "25": "строк", "32": "строки", "111": "строк", "2,5": "строки",
                   "1" + NB + "001": "строка"}
    assert fmt.Formatted("21", "origin", "rows").ru("наборе", "наборах", "наборах") == "21" + NB + "наборе"


def test_a_range_writes_its_unit_once():
    low, high = fmt.Formatted("12%", "a", "x.csv:2"), fmt.Formatted("15%", "b", "x.csv:3")
    r = low.to(high)
    assert r == "12–15%" and r.rows == "x.csv:2 x.csv:3" and r.origin == "a; b"
    assert fmt.Formatted("2006").to(fmt.Formatted("2011")) == "2006–2011"
    assert fmt.Formatted(f"5{NB}млн теңге").to(fmt.Formatted(f"7{NB}млн теңге")) == f"5–7{NB}млн теңге"
    assert low.to(high).kk("ын") == "12–15%\u2011ын"


def test_four_digit_numbers_are_grouped_in_both_editions_but_years_are_not():
    for lang in ("kk", "ru"):
        assert fmt.number(3013, lang) == fmt.quantity(3013, "organisation", lang) == f"3{NB}013"
        assert fmt.number(356.5, lang) == "356,5" and fmt.number(999, lang) == "999"
        assert fmt.quantity(2019, "year", lang) == "2019"
    assert fmt.number(3013, "kk", group_from=10000) == "3013"  # a caller may still ask for another threshold
