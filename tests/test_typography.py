"""Typographic ties: what a Russian and a Kazakh proofreader expect never to be parted at a line end."""

import pytest

from helpers.lang.typography import apply

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


def _typeset_narrow(tmp_path, rules: str) -> list[str]:
    """A synthetic paragraph in a column narrow enough that a line wants to end at a compound's hyphen."""
    import subprocess

    import typst

    src = tmp_path / "narrow.typ"
    src.write_text('#set page(width: 52mm, height: auto, margin: 2mm)\n#set text(lang: "ru", hyphenate: true)\n'
                   + rules + "\n#set par(justify: true)\n" + "Зарегистрировано в городе Нур-Султан и по-настоящему "
                   "активно в городе Нур-Султан, а также в городах Нур-Султан и Нур-Султан. " * 3, encoding="utf-8")
    typst.compile(str(src), output=str(tmp_path / "narrow.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "narrow.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def test_the_print_template_never_breaks_a_line_at_the_hyphen_of_a_compound(tmp_path):
    from helpers.engines.render import resource_path

    rules = [line for line in resource_path("book.typ").read_text(encoding="utf-8").splitlines()
             if line.startswith("#show regex(") and line.endswith(": box")]
    assert len(rules) == 1
    broken = [line for line in _typeset_narrow(tmp_path, "") if line.endswith(("Нур-", "по-"))]
    assert broken, "the synthetic paragraph must break at a hyphen without the rule, or the test proves nothing"
    lines = _typeset_narrow(tmp_path, rules[0])
    assert not [line for line in lines if line.endswith(("Нур-", "по-"))], lines


@pytest.mark.parametrize("lang, text, tied", [
    ("kk", "2001 жылы «Заң» қабылданды", "2001\u00a0жылы"),
    ("kk", "ал 2019 жылы", "2019\u00a0жылы"),
    ("ru", "По данным опроса 2013 года", "2013\u00a0года"),
    ("ru", "на 2020–2025 годы", "2025\u00a0годы"),
    ("ru", 'на [18,7]{.num title="x" data-rows="d.csv:2"} процентного пункта', '}\u00a0процентного'),
    ("ru", "(от 2 до 8)", "до\u00a08"),
    ("kk", "5,7 млрд теңге", "5,7\u00a0млрд"),
    ("ru", "Национальный доклад о развитии сектора в Республике", "о\u00a0развитии")])
def test_a_number_keeps_its_unit_and_a_preposition_its_word(lang, text, tied):
    assert tied in apply(text, lang)
