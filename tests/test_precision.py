"""Precision: a value the source gives only in words is never shown, compared or audited as an exact number."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, report, report_copy

from helpers.checks import prose_claims, prose_numbers
from helpers.core import data, precision, stats, validate
from helpers.core.data import DataError
from helpers.facts import claims
from helpers.present import charts

os.environ.setdefault("REPORT_ROOT", str(ROOT))


@pytest.mark.parametrize("dataset, key, kind, interval, words", [
    ("d04_ngo_directions", dict(direction="health_sport"), "approximate", "[22.5, 27.5]", "төрттен бір"),
    ("d27_civic_activity_types", dict(civic_activity="subbotniks_landscaping"), "approximate", "[45, 55]",
     "әрбір екінші"),
    ("x_information_mailouts", dict(mailout_role="sends"), "approximate", "[45, 55]", "әрбір екінші"),
    ("b_project_outcomes", dict(question="personal_interest", answer="interested"), "approximate", "[60.03, 73.37]",
     "2/3"),
    ("f01_projects_by_region", dict(region="nur_sultan"), "approximate", "[4.5, 5.5]", "бес жоба"),
    ("f01_projects_by_region", dict(region="kyzylorda"), "group", "[1.5, 2.5]", "тұтас тобы"),
    ("x_funding_sources_3y", dict(funding_source="state_social_order"), "lower_bound", "(50, 100]", "астамы"),
    ("x_funding_sources_3y", dict(funding_source="international_grants"), "approximate", "[38.7, 47.3]", "жуығы"),
    ("x_office_car", dict(asset="car", tenure="none"), "lower_bound", "(75, 100]", "төрттен үшінен астамында"),
])
def test_values_given_in_words_carry_their_precision(dataset, key, kind, interval, words):
    q = stats.value(dataset, **key)
    assert q.precision.kind == kind and q.precision.describe() == interval and words in q.precision.words


def test_printed_values_are_exact_and_derived_rows_keep_their_formula():
    assert stats.value("x_information_mailouts", mailout_role="receives").precision.kind == "exact"
    car = stats.value("x_office_car", asset="car", tenure="own_or_rented").precision
    assert car.kind == "derived" and car.formula == "sum{tenure=own|rented}"


def test_the_register_lists_every_value_given_in_words():
    listed = {(r["dataset"], r["key"]) for r in precision.register(ROOT / "data")}
    assert ("d04_ngo_directions", "direction=health_sport") in listed
    assert ("x_office_car", "asset=car;tenure=none") in listed
    assert all(r["words"] for r in precision.register(ROOT / "data") if r["kind"] != "derived")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def _edit_precision(folder: Path, dataset: str, change) -> None:
    path = folder / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    res = next(r for r in desc["resources"] if r["name"] == dataset)
    change(res["x-precision"])
    path.write_text(json.dumps(desc, ensure_ascii=False, indent=1), encoding="utf-8")


def test_an_unknown_kind_names_the_resource_and_the_entry(data_copy):
    _edit_precision(data_copy, "d04_ngo_directions", lambda entries: entries[0].update(kind="roughly"))
    found = [e for e in validate.check(data_copy) if e.rule == "precision"]
    assert len(found) == 1 and found[0].file == "datapackage.json" and found[0].column == "x-precision"
    assert "resource 'd04_ngo_directions', x-precision[0]: unknown kind 'roughly'" in str(found[0])


def test_a_worded_value_without_the_source_words_names_file_row_and_column(data_copy):
    _edit_precision(data_copy, "d04_ngo_directions", lambda entries: entries[0].pop("words"))
    found = [e for e in validate.check(data_copy) if e.rule == "precision"]
    assert [(e.file, e.row, e.column) for e in found] == [("d04_ngo_directions.csv", 4, "value")]
    assert "must keep the source's own words" in str(found[0])


def test_a_value_outside_its_interval_and_an_entry_for_no_row_are_refused(data_copy):
    _edit_precision(data_copy, "d04_ngo_directions", lambda entries: entries[0].update(interval=[30, 40]))
    _edit_precision(data_copy, "x_office_car", lambda entries: entries[0]["row"].update(tenure="bicycle"))
    found = [str(e) for e in validate.check(data_copy) if e.rule == "precision"]
    assert any("d04_ngo_directions.csv, row 4, column 'value'" in f and "outside its interval" in f for f in found)
    assert any("x_office_car" in f and "selects 0 rows" in f for f in found)
    with pytest.raises(DataError, match="selects 0 rows"):  # and the build stops on it
        precision.of_table("x_office_car", data.read_table(data.resource("x_office_car", data_copy), data_copy),
                           data_copy)


def test_a_chart_of_a_value_given_in_words_shows_its_mark_and_says_why():
    frame, dims = charts.select("d04_ngo_directions")
    chart, _ = charts.prepare("bars", frame, dims, "ru")
    assert "≈25%" in chart.svg_print and "≈25%" in chart.alt  # the print SVG keeps its text as text
    assert "25%<" not in chart.svg_print.replace("≈25%", "")  # never drawn as a bare exact 25%
    # the source's Kazakh words are marked as Kazakh in the Russian edition
    assert charts.worded(frame, dims, "ru") == ['Здоровье и спорт ≈25% ([«ұйымның төрттен бір бөлігі»]{lang="kk"}: '
                                                'четверть)']
    frame, dims = charts.select("x_office_car", where={"asset": "car"})
    assert charts.worded(frame, dims, "kk") == ["Жоқ >75% («ҮЕҰ-дың төрттен үшінен астамында»: төрттен үшінен астамы)"]


def test_a_restating_claim_is_never_true():
    for name in ("health_sport_quarter", "subbotniks_every_second", "interaction_about_half", "admins_lower_bound"):
        verdict = claims.evaluate(name)
        assert verdict.state == claims.RESTATES and verdict.holds is None, name
    for name, (_, predicate) in claims.declared().items():  # every true claim rests on a value printed as a number
        verdict = predicate.evaluate()
        if verdict.holds:
            data_terms = [t for t in verdict.terms if t.quantity.origin]
            assert any(t.quantity.precision.kind not in precision.WORDED for t in data_terms), name


def test_a_comparison_the_words_cannot_decide_is_undecided():
    q = stats.value("f01_projects_by_region", region="kyzylorda")  # "about 2" for a group of oblasts: [1.5, 2.5]
    assert claims.above(q, 1.8).evaluate().state == claims.RESTATES  # its words and a number of the sentence
    exact = stats.value("f01_projects_by_region", region="turkistan")  # 1.82, printed
    assert claims.above(q, exact).evaluate().state == claims.UNDECIDED
    assert claims.above(q, stats.value("f01_projects_by_region", region="aktobe")).evaluate().holds is True  # 1.23


def test_the_verdict_counts_name_each_verdict():
    line = prose_claims.summary({claims.TRUE: 3, claims.RESTATES: 2})
    assert line == "3 true, 0 false, 0 not checkable, 2 restates the source, 0 undecided"


def _chapter_copy(tmp_path: Path, text: str) -> tuple[Path, Path]:
    root = tmp_path / "book"
    (root / "chapters/ru").mkdir(parents=True)
    shutil.copytree(ROOT / "data", root / "data")
    path = root / "chapters/ru/x.qmd"
    path.write_text(text, encoding="utf-8")
    return root, path


def test_a_typed_digit_and_an_unbound_number_word_are_refused_with_file_and_line(tmp_path):
    root, path = _chapter_copy(tmp_path, "# Глава {#sec-x}\n\nВ 2018 году `{python} n.total` НПО,\n"
                                         "и каждая вторая из них [вдвое]{claim=twice} больше. (August 2010)\n")
    digits = prose_numbers.typed_digits(root, "ru", [path])
    assert [d.split(":", 2)[:2] for d in digits] == [["TYPED-NUMBER at chapters/ru/x.qmd", "3"]]
    assert "'2018'" in digits[0]  # the inline expression, the id and the allow-listed citation year pass
    words = prose_numbers.number_words(root, "ru", [path])
    assert len(words) == 1 and words[0].startswith("NUMBER-WORD at chapters/ru/x.qmd:4: 'каждая вторая'")


def test_report_check_warns_and_strict_fails_on_a_typed_digit(tmp_path):
    book = report_copy(tmp_path)
    chapter = book / "chapters/ru/02-activity.qmd"
    text = chapter.read_text(encoding="utf-8").replace("Примерно столько же организаций",
                                                       "Примерно 40 организаций", 1)
    chapter.write_text(text, encoding="utf-8")
    line = text[:text.index("Примерно 40")].count("\n") + 1
    draft = report("check", cwd=book)
    assert draft.returncode == 0 and f"warning: TYPED-NUMBER at chapters/ru/02-activity.qmd:{line}: '40'" in draft.stderr
    strict = report("check", "--strict", cwd=book)
    assert strict.returncode == 1 and f"error: TYPED-NUMBER at chapters/ru/02-activity.qmd:{line}" in strict.stderr


def test_the_built_editions_show_worded_values_as_worded(built_report: Path):
    """What a reader sees: the mark in the printed chart and its note, the source's words in the number's
    tooltip, the claim restating the source not shown as checked, and each number's precision in numbers.csv."""
    import csv

    from conftest import pdf_text

    def html(name: str) -> str:  # the typography ties one-letter words with no-break spaces
        return (built_report / f"ru/html/{name}").read_text(encoding="utf-8").replace("\u00a0", " ").replace("&#160;", " ")

    page = html("04-social-capital.html")
    assert 'data-precision="approximate"' in page and "В исходном документе словами: «іс жүзінде әрбір екінші ұйым»" in page
    activity = html("02-activity.html")
    assert 'Здоровье и спорт ≈25% (<span lang="kk">«ұйымның төрттен бір бөлігі»</span>: четверть)' in activity
    assert 'class="claim claim-restates"' in activity and "Не проверено: повторяет формулировку источника" in activity
    text = " ".join(pdf_text(built_report / "ru/ngo-report-2019-ru.pdf").replace("\u00a0", " ").split())
    assert "≈25%" in text and "более чем у 75% НПО" in text and "77,6" not in text
    kk = " ".join(pdf_text(built_report / "kk/ngo-report-2019-kk.pdf").split())
    assert "≈25%" in kk and "Сөзбен берілген мәндер" in kk
    with (built_report / "ru/claims.csv").open(encoding="utf-8") as fh:
        verdicts = {r["claim"]: r["holds"] for r in csv.DictReader(fh)}
    assert verdicts["health_sport_quarter"] == verdicts["subbotniks_every_second"] == "restates the source"
    with (built_report / "kk/numbers.csv").open(encoding="utf-8") as fh:
        numbers = {r["expression"]: r["precision"] for r in csv.DictReader(fh)}
    assert numbers['n.car_none_share.kk("дан")'] == "lower_bound" and numbers["n.car_share"] == ""
