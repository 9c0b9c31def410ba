"""Claims of the prose checked against the data: the register, a claim that turns false, unbound comparisons.

The changed data in these tests is synthetic (two published values swapped in a copy of the project), made to
turn a true sentence of the report false; the report's own data is never touched.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, report

from helpers.core import config


def _claims_csv(out: Path, lang: str) -> list[dict]:
    with (out / lang / "claims.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the report's sources and data (the helpers stay those installed)."""
    book = tmp_path / "book"
    shutil.copytree(ROOT, book, ignore=shutil.ignore_patterns(".git", ".venv", "output", ".cache", "tests", "bench",
                                                              "src", "*.egg-info"))
    return book


def test_claims_csv_lists_each_claim_with_its_values_rows_and_verdict(built_report: Path):
    kk, ru = _claims_csv(built_report, "kk"), _claims_csv(built_report, "ru")
    first = next(r for r in kk if r["claim"] == "most_public_associations")
    assert first["chapter"] == "chapters/kk/02-activity.qmd"
    assert first["line"] == str(_line_of(ROOT / first["chapter"], "{claim=most_public_associations}"))
    assert first["sentence"].startswith("Ең көп тарағаны – қоғамдық бірлестіктер: олар жалпы санның 50,7%\u2011ын")
    assert first["holds"] == "true"
    assert first["predicate"] == "largest(t01_registered_ngos.legal_form | region=kz) = public_association"
    assert first["values"].startswith("public_association=9121 organisation; foundation=4900 organisation")
    assert "t01_registered_ngos.csv:87" in first["rows"].split() and "t01_registered_ngos.csv:90" in first["rows"].split()

    half = next(r for r in ru if r["claim"] == "membership_majority")
    assert half["sentence"].startswith("По статистике, членскими являются чуть больше половины")
    assert "58,4%" in half["sentence"] and half["holds"] == "true"
    assert half["values"] == "58.4 percent; 50 percent"

    opinion = next(r for r in ru if r["claim"] == "democratic_form")
    assert opinion["holds"] == "not checkable" and opinion["reason"] and not opinion["values"]

    # reading order, the same claims in both editions, none false
    assert [int(r["line"]) for r in kk if r["chapter"] == first["chapter"]] == \
        sorted(int(r["line"]) for r in kk if r["chapter"] == first["chapter"])
    assert {r["claim"] for r in kk} == {r["claim"] for r in ru}
    assert not [r for r in kk + ru if r["holds"] == "false"]


def test_a_claim_shows_its_evidence_on_the_web_page(built_report: Path):
    page = (built_report / "ru/html/02-activity.html").read_text(encoding="utf-8")
    span = re.search(r'<span class="claim claim-true" title="([^"]*)" data-claim="youth_most_named"'
                     r' data-rows="([^"]*)">Чаще всего называли</span>', page)
    assert span, "the bound phrase is not a claim with its evidence"
    assert span[1].startswith("Проверено по данным: Молодёжь 29% &gt; Социально уязвимые слои 16,2% &gt; … Данные:")
    assert "d05_target_groups.csv" in span[1] and "d05_target_groups.csv:2" in span[2]


def test_the_prose_of_the_report_has_no_unchecked_comparison():
    res = report("claims", "--unchecked")
    assert res.returncode == 0, res.stdout + res.stderr
    for lang in config.langs():
        assert f"[{lang}] 0 sentence(s)" in res.stdout


def _swap_target_groups(book: Path) -> None:
    """Synthetic: youth and the socially vulnerable exchange their shares, so 'youth is named most often' and
    'the vulnerable come second' turn false."""
    path = book / "data" / "d05_target_groups.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("youth,29,", "youth,@,").replace("socially_vulnerable,16.2,", "socially_vulnerable,29,")
    path.write_text(text.replace("youth,@,", "youth,16.2,"), encoding="utf-8")


def test_a_claim_the_data_contradicts_warns_in_the_draft_and_stops_the_print(project: Path):
    _swap_target_groups(project)
    kk_line = _line_of(project / "chapters/kk/02-activity.qmd", "{claim=youth_most_named}")
    ru_line = _line_of(project / "chapters/ru/02-activity.qmd", "{claim=youth_most_named}")
    en_line = _line_of(project / "chapters/en/02-activity.qmd", "{claim=youth_most_named}")
    draft = report("build", "--to", "html", "--only", "02-activity", cwd=project)
    assert draft.returncode == 0, draft.stdout + draft.stderr
    for lang, line in (("kk", kk_line), ("ru", ru_line), ("en", en_line)):
        warning = re.search(rf"\[{lang}\] warning: FALSE-CLAIM at chapters/{lang}/02-activity\.qmd:{line}: "
                            r"'youth_most_named' .*", draft.stderr)
        assert warning, draft.stderr
        assert "socially_vulnerable=29 percent; youth=16.2 percent" in warning[0]
        assert "d05_target_groups.csv:3" in warning[0]
        rows = {r["claim"]: r for r in _claims_csv(project / "output", lang)}
        assert rows["youth_most_named"]["holds"] == "false" and rows["vulnerable_second"]["holds"] == "false"
        assert rows["most_public_associations"]["holds"] == "true"
        page = (project / f"output/{lang}/html/02-activity.html").read_text(encoding="utf-8")
        assert re.search(r'<span class="claim claim-false" title="(ДЕРЕКТЕРГЕ СӘЙКЕС КЕЛМЕЙДІ|НЕ ПОДТВЕРЖДАЕТСЯ '
                         r'ДАННЫМИ|NOT SUPPORTED BY THE DATA): [^"]*" data-claim="youth_most_named"', page)
    strict = report("build", "--to", "html", "--only", "02-activity", "--lang", "kk", "--strict",
                    "--output", str(project / "strict"), cwd=project)
    assert strict.returncode != 0
    assert re.search(rf"error: +FALSE-CLAIM at chapters/kk/02-activity\.qmd:{kk_line}: 'youth_most_named' .*"
                     r"socially_vulnerable=29 percent; youth=16\.2 percent", strict.stderr), strict.stderr
    assert not (project / "strict" / "kk").exists(), "a strict build with a false claim wrote its output"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_report_claims_names_a_false_claim(project: Path, lang: str):
    _swap_target_groups(project)
    line = _line_of(project / f"chapters/{lang}/02-activity.qmd", "{claim=youth_most_named}")
    res = report("claims", "--lang", lang, cwd=project)
    assert res.returncode == 1
    assert re.search(rf"\[{lang}\] FALSE-CLAIM chapters/{lang}/02-activity\.qmd:{line} youth_most_named \(false\)",
                     res.stdout), res.stdout
    false = re.findall(rf"\[{lang}\] FALSE-CLAIM chapters/{lang}/\S+ (\w+) \(false\)", res.stdout)
    assert set(false) == {"youth_most_named", "vulnerable_second"}
    assert re.search(rf"\[{lang}\] \d+ claim\(s\): \d+ true, {len(false)} false, \d+ not checkable", res.stdout)


@pytest.mark.parametrize("lang, sentence, word", [
    ("kk", "Жастар жыл сайын ең көп аталатын топ болып қала береді.", "ең көп*"),
    ("ru", "Молодёжь из года в год называют чаще всего.", "чаще"),
])
def test_the_scanner_finds_a_comparison_bound_to_no_claim(project: Path, lang: str, sentence: str, word: str):
    chapter = project / "chapters" / lang / "04-social-capital.qmd"
    text = chapter.read_text(encoding="utf-8").rstrip("\n")
    chapter.write_text(text + "\n\n" + sentence + "\n", encoding="utf-8")
    line = len(text.splitlines()) + 2
    res = report("claims", "--unchecked", "--lang", lang, cwd=project)
    assert res.returncode == 1
    found = re.findall(rf"UNCHECKED-CLAIM at chapters/{lang}/04-social-capital\.qmd:(\d+): \"(.*?)\" uses (.*?);",
                       res.stdout)
    assert found == [(str(line), sentence, repr(word))], res.stdout
    # bound to a claim (here one the data cannot decide), the sentence is no longer listed
    chapter.write_text(text + "\n\n" + sentence.replace(sentence.split()[0], f"[{sentence.split()[0]}]"
                                                        "{claim=mailouts_same_orgs}", 1) + "\n", encoding="utf-8")
    assert report("claims", "--unchecked", "--lang", lang, cwd=project).returncode == 0


def test_a_claim_missing_in_one_edition_is_reported(project: Path):
    chapter = project / "chapters/ru/04-social-capital.qmd"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("[гораздо реже]{claim=business_international_rarer}", "гораздо реже"),
                       encoding="utf-8")
    line = _line_of(project / "chapters/kk/04-social-capital.qmd", "{claim=business_international_rarer}")
    res = report("claims", "--unchecked", cwd=project)
    assert res.returncode == 1
    assert (f"MISSING-CLAIM: claim 'business_international_rarer' is bound at chapters/kk/04-social-capital.qmd:"
            f"{line} (kk) and nowhere in chapters/ru/04-social-capital.qmd") in res.stdout
    assert "UNCHECKED-CLAIM at chapters/ru/04-social-capital.qmd" in res.stdout  # the sentence lost its marker


def test_a_marker_naming_no_claim_stops_the_build_with_its_place(project: Path):
    chapter = project / "chapters/kk/04-social-capital.qmd"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("{claim=partnership_most}", "{claim=partnership_mots}"), encoding="utf-8")
    line = _line_of(chapter, "{claim=partnership_mots}")
    res = report("build", "--to", "html", "--lang", "kk", "--only", "04-social-capital", cwd=project)
    assert res.returncode == 1
    assert (f"chapters/kk/04-social-capital.qmd:{line}: no claim 'partnership_mots' is declared in the facts "
            "modules (did you mean 'partnership_most'?)") in res.stderr


def test_predicates_on_a_small_synthetic_table(monkeypatch):
    """The predicates on the test book's made-up table: totals are not ranked, ties and order count."""
    from helpers.facts import claims

    monkeypatch.setenv("REPORT_DATA", str(ROOT / "tests/fixtures/book/data"))
    t = "s01_colours"
    red = claims.largest(t, "colour", "red", region="akmola").evaluate()
    assert red.holds is True  # the printed total (17988) is not one of the colours
    assert [term.id for term in red.terms] == ["red", "green"]
    assert [r.row for r in red.rows] == [2, 3]
    shymkent = claims.largest(t, "colour", "red", region="shymkent").evaluate()
    assert shymkent.holds is False and [term.id for term in shymkent.terms] == ["green", "red"]
    assert claims.ranked(t, "colour", ["red", "green"], ascending=True, region="shymkent").evaluate().holds
    akmola_red, akmola_green = (claims.row(t, region="akmola", colour=c) for c in ("red", "green"))
    assert claims.ratio_at_least(akmola_red, akmola_green, 2).evaluate().holds  # 12000 / 5988
    assert not claims.ratio_at_least(akmola_red, akmola_green, 2.1).evaluate().holds
    assert claims.above(claims.row(t, region="shymkent", colour="green"), 50).evaluate().holds
    assert not claims.about(akmola_red, akmola_green, 6000).evaluate().holds
    assert claims.fell(akmola_red, akmola_green).evaluate().holds and not claims.grew(akmola_red, akmola_green).evaluate().holds
    assert claims.all_of(claims.above(akmola_red, 1), claims.below(akmola_red, 1)).evaluate().holds is False
    assert claims.not_checkable.__doc__ and claims.NotCheckable("an expert's view").evaluate().holds is None
    with pytest.raises(ValueError, match="several rows per colour"):
        claims.largest(t, "colour", "red").evaluate()  # the regions are not fixed
