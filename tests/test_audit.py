"""The audit: planted errors in a synthetic fixture must be found, the clean fixture must pass, and the
real data must have no finding that is neither acknowledged nor fixed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, report

from helpers.core import config
from helpers.checks import audit
from helpers.core.data import DataError
from helpers.present import audit_report

CLEAN = FIXTURES / "audit"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the synthetic audit fixture, to plant errors in."""
    target = tmp_path / "data"
    shutil.copytree(CLEAN, target)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def shown(result: audit.Audit) -> list[audit.Finding]:
    return [f for f in result.findings if f.severity != "info"]


def test_clean_fixture_passes():
    result = audit.run(CLEAN)
    assert shown(result) == [] and result.open == [] and result.stale == []


def test_wrong_total_is_found_with_its_place(folder):
    edit(folder, "counts.csv", "north,total,50,", "north,total,60,")
    [f] = shown(audit.run(folder))
    assert f.rule == "derived" and f.dataset == "counts" and f.key == "region=north;form=total"
    assert (f.printed, f.recomputed, f.severity) == (60, 50, "error")
    assert (f.section, f.printed_kind, f.printed_number) == ("2", "table", 1)
    assert f.id == "derived:counts:region=north;form=total" and not f.acknowledged


def test_exchanged_columns_are_named_as_such(folder):
    for direction, amount, projects in (("youth", "61", "75"), ("health", "39", "25")):
        edit(folder, "grants.csv", f"{direction},share_amount,{amount},", f"{direction},share_amount,{projects},")
        edit(folder, "grants.csv", f"{direction},share_projects,{projects},", f"{direction},share_projects,{amount},")
    found = shown(audit.run(folder))
    assert len(found) == 4
    assert {f.cause for f in found} == {"exchanged"}
    youth = next(f for f in found if f.key == "direction=youth;measure=share_amount")
    assert youth.detail["with"] == "direction=youth;measure=share_projects"


def test_cut_off_share_is_minor_and_named_truncated(folder):
    # 5 and 2 projects: 71,43% and 28,57%; printing 28,5 cuts a digit instead of rounding to 28,6
    edit(folder, "grants.csv", "youth,projects,6,", "youth,projects,5,")
    edit(folder, "grants.csv", "total,projects,8,", "total,projects,7,")
    edit(folder, "grants.csv", "youth,share_projects,75,", "youth,share_projects,71.4,")
    edit(folder, "grants.csv", "health,share_projects,25,", "health,share_projects,28.5,")
    [f] = shown(audit.run(folder))
    assert f.key == "direction=health;measure=share_projects"
    assert (f.cause, f.severity) == ("truncated", "minor")


def test_percentage_impossible_for_the_stated_base(folder):
    # 50 respondents give multiples of 2%: 31% cannot be printed (and the answers still add up to 100)
    edit(folder, "survey.csv", "no,30,", "no,31,")
    edit(folder, "survey.csv", "dont_know,8,", "dont_know,7,")
    found = shown(audit.run(folder))
    assert {(f.rule, f.key) for f in found} == {("granularity", "answer=no"), ("granularity", "answer=dont_know")}
    f = next(f for f in found if f.key == "answer=no")
    assert f.detail["base"] == 50 and f.severity == "error" and f.recomputed in (30, 32)


def test_distribution_that_does_not_add_up(folder):
    edit(folder, "survey.csv", "no,30,", "no,40,")
    found = [f for f in shown(audit.run(folder)) if f.rule == "sum100"]
    assert len(found) == 1 and found[0].cause == "over_100" and found[0].printed == 110


def test_unit_slip_of_a_thousand(folder):
    edit(folder, "totals.csv", "2019,2,billion_kzt", "2019,2,million_kzt")  # 2 billion printed as 2 million
    found = {f.id: f for f in shown(audit.run(folder))}
    assert found["cross:funding-adds-up"].cause == "magnitude"
    assert abs(found["cross:funding-adds-up"].detail["factor"]) == 1000
    assert found["cross:funding-adds-up"].severity == "error"


def test_part_larger_than_its_whole(folder):
    edit(folder, "funding.csv", "youth,1.2,billion_kzt", "youth,1200,billion_kzt")
    found = {f.id: f for f in shown(audit.run(folder))}
    assert found["cross:youth-part-of-total"].cause == "magnitude"  # 1200 million would fit
    assert found["cross:youth-part-of-total"].printed == 1_200_000


def test_a_printed_list_that_skips_a_place_is_found(folder):
    edit(folder, "leaders.csv", "2,north,30,", "2,all,30,")  # a region whose 30 is not among the leaders
    found = shown(audit.run(folder))
    [order] = [f for f in found if f.id == "ranking:leaders-by-associations"]
    assert order.cause == "ranking_skips" and order.detail["instead"] == "north" and order.recomputed == 30
    assert order.detail["place"] == 2 and "north (30" in audit_report.explain(order)


def test_a_printed_list_out_of_order_and_a_wrong_figure_beside_a_place(folder):
    edit(folder, "leaders.csv", "1,south,40,", "1,north,40,")
    edit(folder, "leaders.csv", "2,north,30,", "2,south,30,")
    found = {f.id: f for f in shown(audit.run(folder))}
    assert found["ranking:leaders-by-associations"].cause == "ranking_order"
    assert found["ranking:leaders-by-associations:north"].cause == "differs"  # north has 30, printed 40
    assert found["ranking:leaders-by-associations:north"].recomputed == 30


def test_register_acknowledges_by_id_or_pattern_and_reports_stale_entries(folder):
    edit(folder, "counts.csv", "north,total,50,", "north,total,60,")
    (folder / "audit-acknowledged.csv").write_text(
        "id,handling,values,comment\nderived:counts:*,recomputed,60/50,synthetic\n"
        "cross:gone,kept_as_printed,1/2,synthetic\n", encoding="utf-8")
    result = audit.run(folder)
    assert result.open == [] and shown(result)[0].handling == "recomputed"
    assert result.stale == ["cross:gone"]


def test_acknowledgement_holds_only_for_the_values_it_was_made_for(folder):
    """A typo made later in an acknowledged dataset gives a finding with the same id: it is a new finding."""
    edit(folder, "counts.csv", "north,total,50,", "north,total,60,")
    (folder / "audit-acknowledged.csv").write_text(
        "id,handling,values,comment\nderived:counts:*,recomputed,60/50,synthetic\n", encoding="utf-8")
    assert audit.run(folder).open == []
    edit(folder, "counts.csv", "north,total,60,", "north,total,70,")  # the same finding id, another value
    opened = audit.run(folder).open
    assert [f.id for f in opened] == ["derived:counts:region=north;form=total"]
    assert "acknowledges it for other values (60/50)" in audit.open_text(opened[0])
    assert audit.pin_register(folder) == ["derived:counts:*"]  # the editors' explicit re-pinning
    assert audit.run(folder).open == []


def test_an_acknowledgement_without_values_acknowledges_nothing(folder):
    edit(folder, "counts.csv", "north,total,50,", "north,total,60,")
    (folder / "audit-acknowledged.csv").write_text(
        "id,handling,comment\nderived:counts:*,recomputed,synthetic\n", encoding="utf-8")
    assert [f.id for f in audit.run(folder).open] == ["derived:counts:region=north;form=total"]


def test_register_with_unknown_handling_names_file_row_and_column(folder):
    (folder / "audit-acknowledged.csv").write_text("id,handling,comment\nx,ignored,\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        audit.run(folder)
    assert (err.value.file, err.value.row, err.value.column) == ("audit-acknowledged.csv", 2, "handling")


def test_cross_check_naming_an_unknown_row_is_a_clear_error(folder):
    edit(folder, "audit-checks.yaml", "funding{direction=youth}", "funding{direction=sport}")
    with pytest.raises(DataError, match="youth-part-of-total.*selects no row"):
        audit.run(folder)


def test_explanations_exist_in_every_language_for_every_cause():
    editions = set(config.langs())
    for cause, texts in audit_report.CAUSES.items():
        assert set(texts) == editions | {"en"}, cause  # en: the findings' own files speak English too
    for table in (audit_report.HANDLING, audit_report.HANDLING_SHORT, audit_report.SEVERITY):
        for handling, texts in table.items():
            assert set(texts) >= editions, handling
    assert set(audit_report.HEADERS) == editions


# --- the real data ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real() -> audit.Audit:
    return audit.run(ROOT / "data")


def test_real_data_has_no_unacknowledged_finding(real):
    assert real.open == [], "acknowledge in data/audit-acknowledged.csv or fix: " + ", ".join(f.id for f in real.open)
    assert real.stale == [], f"acknowledgements that match no finding: {real.stale}"


@pytest.mark.parametrize("finding_id, cause", [
    ("derived:t05_state_grants_2018:direction=rights_protection;measure=share_amount", "exchanged"),
    ("derived:x_sso_totals:year=2018;admin_level=total;measure=growth", "wrong_base"),
    ("derived:t03_sso_projects_2017:direction=rights_protection;measure=share_projects", "truncated"),
    ("cross:grants-2019-amount", "decimal_shift"),
    ("cross:sso-2018-health-part-of-total", "magnitude"),
    ("sum100:d19_ngo_state_interaction_frequency:*", "over_100"),
    ("granularity:d19_ngo_state_interaction_frequency:answer=at_least_monthly", "impossible_for_base"),
    ("cross:beneficiaries-per-ngo-conclusion", "differs"),
    ("ranking:leading-regions-table-1", "ranking_skips"),
])
def test_known_inconsistencies_of_the_printed_report_are_found(real, finding_id, cause):
    found = {f.id: f for f in real.findings}
    assert finding_id in found and found[finding_id].cause == cause


def test_bases_of_questions_without_a_stated_base(real):
    d19 = next(f for f in real.findings if f.id == "bases:d19_ngo_state_interaction_frequency:*")
    assert d19.detail["smallest"][0] == 175 and not d19.detail["assumed_fits"]


def test_report_audit_writes_json_and_csv(tmp_path):
    res = report("audit", "--output", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "not acknowledged" in res.stdout and "0 not acknowledged" in res.stdout
    payload = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert payload["summary"]["unacknowledged"] == 0 and payload["findings"]
    first = payload["findings"][0]
    assert {"id", "rule", "severity", "dataset", "section", "printed", "recomputed", "explanation"} <= set(first)
    header = (tmp_path / "findings.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id,rule,severity,dataset,key,section")


def test_report_audit_fails_on_a_planted_error(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    (project / "_quarto.yml").write_text((ROOT / "_quarto.yml").read_text(encoding="utf-8"), encoding="utf-8")
    edit(project / "data", "t07_staff_by_volunteers.csv", "over_10,none,6,", "over_10,none,7,")
    res = report("--root", str(project), "audit", "--output", str(tmp_path / "out"))
    assert res.returncode == 1
    assert "derived:t07_staff_by_volunteers:staff=total;volunteers=none" in res.stderr


def test_a_value_given_in_words_is_checked_against_its_interval(folder):
    """Synthetic: the youth amount as if the source said it only in words."""
    edit(folder, "audit-checks.yaml", "cross_checks:\n", "cross_checks:\n  - id: youth-as-total\n"
         "    printed: funding{direction=youth}\n    expected: totals{year=2019}\n")
    assert "cross:youth-as-total" in {f.id for f in audit.run(folder).findings}  # 1,2 bn printed against 2 bn

    def declare(entry: dict) -> None:
        path = folder / "datapackage.json"
        desc = json.loads(path.read_text(encoding="utf-8"))
        next(r for r in desc["resources"] if r["name"] == "funding")["x-precision"] = [entry]
        path.write_text(json.dumps(desc, ensure_ascii=False), encoding="utf-8")

    declare({"row": {"direction": "youth"}, "kind": "lower_bound", "words": "more than a billion", "interval": [1, 2.5]})
    assert "cross:youth-as-total" not in {f.id for f in audit.run(folder).findings}  # 2 bn lies within (1, 2,5]
    declare({"row": {"direction": "youth"}, "kind": "approximate", "words": "about 1,2 billion"})
    assert "cross:youth-as-total" in {f.id for f in audit.run(folder).findings}  # [1,08; 1,32] excludes 2 bn


def test_the_same_findings_are_the_same_pickle_however_the_audit_came_by_them(tmp_path):
    """A chapter's output cells that show the audit are cached by the pickle of its result: the findings of an
    edited data folder give one pickle whether their rules were evaluated again, taken from the rules' cache or
    the whole result read from the cache (a value shared between findings in one way and not in another gave
    another pickle, and appendix В's tables were made again after every data edit)."""
    import pickle

    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    (project / "_quarto.yml").write_text((ROOT / "_quarto.yml").read_text(encoding="utf-8"), encoding="utf-8")
    folder = project / "data"
    audit.run(folder)  # the cache filled
    edit(folder, "d12_target_audience_size.csv", "over_1000,20.5,", "over_1000,21.0,")
    partly_cached = audit.run(folder)  # the rules over d12 evaluated again, the others from their cache
    from_cache = audit.run(folder)
    fresh = audit.run(folder, cache=False)
    assert fresh.findings == partly_cached.findings == from_cache.findings
    assert pickle.dumps(fresh, protocol=4) == pickle.dumps(partly_cached, protocol=4) == pickle.dumps(from_cache,
                                                                                                   protocol=4)
