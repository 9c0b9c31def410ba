"""Typographic ties: what a Russian and a Kazakh proofreader expect never to be parted at a line end."""

from helpers.typography import apply

NB = "\u00a0"


def test_a_spaced_dash_is_tied_to_the_word_before_it():
    assert apply("мемлекет – басты ойыншы", "kk") == f"мемлекет{NB}– басты ойыншы"
    assert apply("фонды (27,2%)\n– вторая", "ru") == f"фонды (27,2%){NB}– вторая"
    assert apply("| – | 5 |", "ru") == "| – | 5 |"  # an empty table cell stays a cell
    assert apply("2006–2011", "kk") == "2006–2011"


def test_number_sign_and_russian_one_letter_words():
    assert apply("Жарлығы № 154", "kk") == f"Жарлығы №{NB}154"
    assert apply("данные не показывают. С уверенностью", "ru") == f"данные не показывают. С{NB}уверенностью"
    assert apply("суммы в\nстроках и «Банка»", "ru") == f"суммы в{NB}строках и{NB}«Банка»"
    assert apply("и т. д. и т. п.", "ru") == f"и{NB}т.{NB}д. и{NB}т.{NB}п."
    assert apply("приложение А.1 и Б", "ru") == f"приложение А.1 и{NB}Б"
    assert apply("в ауылда", "kk") == "в ауылда"  # Kazakh has no one-letter prepositions
