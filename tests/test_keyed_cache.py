"""The keyed cache (core/cache) and the caches built on it: served while their inputs are unchanged, computed
again when a data file changes, never serving an entry that cannot be trusted."""

from __future__ import annotations

import json
from dataclasses import asdict
import multiprocessing
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, report_copy

from helpers.checks import audit, gate, prose_claims
from helpers.core import data as core_data
from helpers.core import session, validate, views
from helpers.core.cache import ByReads, Key, Store
from helpers.engines import render
from helpers.engines.options import Result
from helpers.engines.pandoc_cache import pandoc_cache


@pytest.fixture
def project(small_book: Path, monkeypatch) -> Path:
    """The small synthetic book, its data in its own ``data/``."""
    monkeypatch.delenv("REPORT_DATA", raising=False)
    monkeypatch.setenv("REPORT_ROOT", str(small_book))  # restored after the test (the claims set it)
    return small_book


def edit_data(root: Path) -> None:
    path = root / "data/s01_colours.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("akmola,red,12000", "akmola,red,12001"), encoding="utf-8")


def counting(monkeypatch, module, name: str) -> list:
    """Replace ``module.name`` by itself, counting its calls."""
    calls, original = [], getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


# --- the store ------------------------------------------------------------------------------------------

def test_put_then_get_returns_the_value(tmp_path: Path):
    store = Store(tmp_path, "things")
    assert store.get("k") is None
    assert store.put("k", {"a": [1, "ә"]})
    assert store.get("k") == {"a": [1, "ә"]}
    assert store.put("k2", 3, slot="kk/one")
    assert store.get("k2", slot="kk/one") == 3
    assert (tmp_path / ".cache/things/kk/one.json").is_file()
    assert not list((tmp_path / ".cache/things").rglob("*.tmp"))  # written through a rename
    assert store.untrusted == []


def test_a_disabled_store_keeps_nothing(tmp_path: Path):
    store = Store(tmp_path, "things", enabled=False)
    assert not store.put("k", 1)
    assert store.get("k") is None
    assert store.compute("k", lambda: 2) == 2
    assert not (tmp_path / ".cache").exists()


def test_an_entry_of_another_key_is_a_miss(tmp_path: Path):
    store = Store(tmp_path, "things")
    store.put("old", "value", slot="s")
    assert store.get("new", slot="s") is None
    assert store.get("old", slot="s") == "value"
    assert store.untrusted == []  # a miss, not an entry that cannot be trusted


@pytest.mark.parametrize("entry, why", [
    ("{", "unreadable"),
    (json.dumps({"format": 0, "store": "things", "key": "k", "value": 1}), "written by an older version"),
    (json.dumps({"key": "k", "value": 1}), "written by an older version"),
    (json.dumps({"format": 1, "store": "other", "key": "k", "value": 1}), "written by an older version"),
    (json.dumps({"format": 1, "store": "things", "key": "k"}), "incomplete"),
])
def test_an_entry_that_cannot_be_trusted_is_not_served_and_is_listed(tmp_path: Path, entry: str, why: str):
    store = Store(tmp_path, "things")
    store.put("k", 1)
    assert store.get("k") == 1
    (tmp_path / ".cache/things/k.json").write_text(entry, encoding="utf-8")
    assert store.get("k") is None
    assert [(name, reason.split(" of ")[0]) for name, reason in store.untrusted] == [("k", why)]
    assert store.compute("k", lambda: 2) == 2  # computed again and stored
    assert Store(tmp_path, "things").get("k") == 2


def test_an_entry_of_another_store_is_not_served(tmp_path: Path):
    Store(tmp_path, "a").put("k", "from a")
    (tmp_path / ".cache/b").mkdir()
    shutil.copy(tmp_path / ".cache/a/k.json", tmp_path / ".cache/b/k.json")
    other = Store(tmp_path, "b")
    assert other.get("k") is None
    assert [name for name, _ in other.untrusted] == ["k"]


def _compute_in_a_process(root: str, log: str, slot: str | None, start, results) -> None:
    def make():
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(0.5)  # long enough for the other process to ask meanwhile
        return os.getpid()

    start.wait()
    results.put(Store(Path(root), "race").compute("k", make, slot=slot))


@pytest.mark.parametrize("slot", [None, "kk/one"])
def test_compute_runs_make_once_across_two_processes(tmp_path: Path, slot: str | None):
    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Barrier(2), ctx.Queue()
    log = tmp_path / "made.txt"
    procs = [ctx.Process(target=_compute_in_a_process, args=(str(tmp_path), str(log), slot, start, results))
             for _ in range(2)]
    for p in procs:
        p.start()
    values = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    made = log.read_text(encoding="utf-8").split()
    assert len(made) == 1, made  # one computed, the other waited and read its result
    assert values == [int(made[0])] * 2


def test_keep_only_removes_the_other_entries(tmp_path: Path):
    store = Store(tmp_path, "things")
    for key in ("a", "b", "c"):
        store.put(key, key)
    store.put("d", "d", slot="kk/one")
    store.put("e", "e", slot="kk/two")
    store.keep_only(["a", "kk/one"])
    left = sorted(p.relative_to(tmp_path / ".cache/things").as_posix()
                  for p in (tmp_path / ".cache/things").rglob("*.json"))
    assert left == ["a.json", "kk/one.json"]
    assert store.get("a") == "a" and store.get("d", slot="kk/one") == "d"


def test_a_cache_that_cannot_be_written_computes_without_failing(tmp_path: Path, monkeypatch):
    (tmp_path / ".cache").write_text("not a folder", encoding="utf-8")  # nothing can be made under it
    store = Store(tmp_path, "things")
    calls = []
    assert store.compute("k", lambda: calls.append(1) or len(calls)) == 1
    assert store.compute("k", lambda: calls.append(1) or len(calls)) == 2  # nothing kept: computed again
    assert not store.put("k", 1)
    store.keep_only([])
    with store.locked("k"):
        pass
    # a cache folder with entries, read-only: they are served, nothing is written or removed, nothing fails
    kept = tmp_path / "kept"
    Store(kept, "things").put("old", 1)
    store = Store(kept, "things")

    def refused(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(Path, "write_text", refused)
    monkeypatch.setattr(Path, "unlink", refused)
    assert store.get("old") == 1
    assert store.compute("new", lambda: 2) == 2
    assert not store.put("new", 2)
    store.keep_only([])
    monkeypatch.undo()
    assert sorted(p.name for p in (kept / ".cache/things").glob("*.json")) == ["old.json"]


def test_keys_name_files_by_their_place_in_the_project(small_book: Path, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("REPORT_DATA", raising=False)
    moved = tmp_path / "elsewhere" / "book"
    shutil.copytree(small_book, moved)
    assert Key("k").data(small_book).hexdigest() == Key("k").data(moved).hexdigest()
    edit_data(moved)
    assert Key("k").data(small_book).hexdigest() != Key("k").data(moved).hexdigest()


# --- the caches built on it -----------------------------------------------------------------------------

def test_the_claims_are_evaluated_once_while_the_data_is_unchanged(project: Path, monkeypatch):
    calls = []
    monkeypatch.setattr(prose_claims, "_evaluate_all", lambda root: calls.append(1) or {"c": {"n": len(calls)}})
    assert prose_claims.verdicts(project) == {"c": {"n": 1}}
    assert prose_claims.verdicts(project) == {"c": {"n": 1}}
    assert len(calls) == 1
    assert os.environ["REPORT_ROOT"] == str(project)
    edit_data(project)
    assert prose_claims.verdicts(project) == {"c": {"n": 2}}
    assert len(calls) == 2


def test_a_data_edit_evaluates_again_only_the_claims_that_read_the_edited_file(tmp_path: Path, monkeypatch):
    """The report's claims over a copy of its data: one value of d12 edited evaluates again the claims that read
    d12, and every verdict is that of an evaluation from nothing."""
    root = report_copy(tmp_path)
    monkeypatch.setenv("REPORT_ROOT", str(root))
    monkeypatch.delenv("REPORT_DATA", raising=False)
    evaluated = counting(monkeypatch, prose_claims, "_evaluate")
    first = prose_claims._evaluate_all(root)
    assert len(evaluated) == len(first) > 100
    d12 = root / "data/d12_target_audience_size.csv"
    d12.write_text(d12.read_text(encoding="utf-8").replace("over_1000,20.5,", "over_1000,21.0,"), encoding="utf-8")
    before = len(evaluated)
    edited = prose_claims._evaluate_all(root)
    again = len(evaluated) - before
    assert 0 < again < 10, again
    shutil.rmtree(root / ".cache")
    assert edited == prose_claims._evaluate_all(root)
    assert edited != first


def test_the_audit_is_computed_once_while_the_data_is_unchanged(tmp_path: Path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "audit", root / "data")
    (root / "_quarto.yml").write_text("project:\n  type: book\n", encoding="utf-8")
    runs = counting(monkeypatch, audit, "_run")
    first = audit.run(root / "data")
    again = audit.run(root / "data")
    assert len(runs) == 1
    assert again.findings == first.findings and again.stale == first.stale
    assert sorted(p.name for p in (root / ".cache/audit").glob("*.json")) == ["findings.json", "rules.json"]
    totals = root / "data/totals.csv"
    totals.write_text(totals.read_text(encoding="utf-8").replace("2019,2,", "2019,3,"), encoding="utf-8")
    audit.run(root / "data")
    assert len(runs) == 2
    audit.run(root / "data", cache=False)
    assert len(runs) == 3
    # the last audit only, and its rules' findings
    assert sorted(p.name for p in (root / ".cache/audit").glob("*.json")) == ["findings.json", "rules.json"]


def _findings(result: audit.Audit) -> list[dict]:
    return [asdict(f) for f in result.findings]


def test_a_data_edit_evaluates_again_only_the_rules_that_read_the_edited_file(tmp_path: Path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "audit", root / "data")
    (root / "_quarto.yml").write_text("project:\n  type: book\n", encoding="utf-8")
    data_dir = root / "data"
    derived = counting(monkeypatch, audit, "check_derived")
    cross = counting(monkeypatch, audit, "check_cross")
    ranking = counting(monkeypatch, audit, "check_ranking")
    first = audit.run(data_dir)
    datasets, crosses, rankings = len(derived), len(cross), len(ranking)
    assert datasets >= 5 and crosses == 2 and rankings == 1
    totals = data_dir / "totals.csv"
    totals.write_text(totals.read_text(encoding="utf-8").replace("2019,2,", "2019,3,"), encoding="utf-8")
    edited = audit.run(data_dir)
    # the rules over totals.csv: its own, and the two cross checks that compare with it; the ranking is kept
    assert [args[1] for args in derived[datasets:]] == ["totals"]
    assert len(cross) == crosses + 2 and len(ranking) == rankings
    fresh = audit._run(data_dir, cache=False)
    assert _findings(edited) == _findings(fresh) and edited.stale == fresh.stale
    assert _findings(edited) != _findings(first)
    # the rules' entry is not served for other code: a change to the helper package evaluates every rule
    original = audit._rules
    monkeypatch.setattr(audit, "_rules", lambda folder, enabled: ByReads(
        original(folder, enabled).store, "rules", "other code", folder))
    totals.write_text(totals.read_text(encoding="utf-8").replace("2019,3,", "2019,2,"), encoding="utf-8")
    evaluated = len(derived)
    again = audit.run(data_dir)
    assert len(derived) == evaluated + datasets
    assert _findings(again) == _findings(first)


def test_a_rule_served_from_the_cache_records_the_files_it_read(tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "audit", root / "data")
    (root / "_quarto.yml").write_text("project:\n  type: book\n", encoding="utf-8")
    data_dir = root / "data"
    with session.recording() as computed:
        audit._run(data_dir)
    with session.recording() as served:
        audit._run(data_dir)
    assert served == computed
    assert str(data_dir / "leaders.csv") in served and str(data_dir / "totals.csv") in served


# --- views of data files ---------------------------------------------------------------------------------

GAPS = """region,form,value,unit,status,formula
north,association,30,organisation,published,
north,foundation,,organisation,missing,
south,association,40,organisation,published,
"""


def test_the_missing_view_changes_with_the_rows_marked_missing_and_the_header_only(tmp_path: Path):
    path = tmp_path / "counts.csv"
    name = views.name(path, "missing")
    path.write_text(GAPS, encoding="utf-8")
    before = views.digest(name)
    assert before is not None and before != views.digest(path)
    path.write_text(GAPS.replace("south,association,40", "south,association,41"), encoding="utf-8")
    assert views.digest(name) == before
    for changed in (GAPS.replace("north,foundation,,", "north,fund,,"),  # a missing row's key
                    GAPS.replace("south,association,40,organisation,published", "south,association,,organisation,missing"),
                    GAPS.replace("region,form", "form,region")):  # the header: which column is which
        path.write_text(changed, encoding="utf-8")
        assert views.digest(name) != before, changed
    path.unlink()
    assert views.digest(name) is None
    assert views.split(name) == (str(path), "missing") and views.split(str(path) + "#view=other") == (
        str(path) + "#view=other", "")


def test_the_register_of_gaps_records_a_view_of_each_file_not_the_file(tmp_path: Path):
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "audit", folder)
    (folder / "counts.csv").write_text(GAPS, encoding="utf-8")
    # a reset unloads the facts modules, as between chapters in the kernel: this process keeps its own
    loaded = {name: module for name, module in sys.modules.items() if name.startswith("helpers.facts.")}
    session.reset()
    try:
        register = core_data.gaps(folder)
        reads = dict(session.READS)
    finally:
        session.reset()
        sys.modules.update(loaded)
    assert register["key"].tolist() == ["region=north;form=foundation"]
    counts = str((folder / "counts.csv").absolute())
    assert counts not in reads and str(folder / "counts.csv") not in reads
    assert reads[views.name(counts, "missing")] == views.digest(views.name(counts, "missing"))
    assert str(folder / "datapackage.json") in reads  # the schema, read whole


def test_frictionless_validates_only_the_resources_changed_since_a_clean_run(project: Path, monkeypatch):
    validated = counting(monkeypatch, validate, "_validate_resource")
    folder = project / "data"
    assert validate._frictionless(folder) == []
    resources = len(validated)
    assert resources == 3  # labels, regions, s01_colours
    assert validate._frictionless(folder) == []
    assert len(validated) == resources  # nothing validated again
    edit_data(project)
    assert validate._frictionless(folder) == []
    assert [res["path"] for res, _ in validated[resources:]] == ["s01_colours.csv"]


def test_the_data_check_applies_its_rules_again_to_the_edited_file_only(project: Path, monkeypatch):
    rules = counting(monkeypatch, validate, "_rules")
    assert validate.check(project / "data") == []
    checked = len(rules)
    assert checked >= 1
    assert validate.check(project / "data") == [] and len(rules) == checked
    edit_data(project)
    assert validate.check(project / "data") == [] and len(rules) == checked + 1
    path = project / "data/s01_colours.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("akmola,red,12001", "akmola,red,-5"), encoding="utf-8")
    found = validate.check(project / "data")
    assert [p.rule for p in found] == ["negative"] and len(rules) == checked + 2
    assert [str(p) for p in validate.check(project / "data")] == [str(p) for p in found]  # kept, and said again


def test_a_passed_data_check_is_remembered_while_the_data_is_unchanged(project: Path):
    assert not gate.data_checked(project)
    key = gate.checked_inputs(project, "check")
    gate.remember_check(project)
    assert gate.data_checked(project)
    assert gate.checked_inputs(project, "check") == key
    edit_data(project)
    assert gate.checked_inputs(project, "check") != key
    assert not gate.data_checked(project)


def test_pandoc_conversions_are_reused_while_their_inputs_are_unchanged(tmp_path: Path, monkeypatch):
    converted = []

    def fake_pandoc(markdown, to, args, reader=render.READER):
        converted.append(markdown)
        return f"<{to}>{markdown}</{to}> {named.read_text(encoding='utf-8')}", ["a warning"]

    monkeypatch.setattr(render, "pandoc", fake_pandoc)
    named = tmp_path / "template.html"  # a file named in the arguments: keyed by its content
    named.write_text("v1", encoding="utf-8")
    folder = tmp_path / ".cache/pandoc/kk"

    def build(*texts: str) -> tuple[Result, list]:
        result, lines = Result(lang="kk"), []
        with pandoc_cache(folder, result, lines.append):
            outputs = [render.pandoc(text, "html", [f"--template={named}"]) for text in texts]
        return result, outputs

    first, outputs = build("one", "two")
    assert converted == ["one", "two"] and first.pandoc_reused == 0
    again, reused = build("one", "two")
    assert converted == ["one", "two"] and again.pandoc_reused == 2 and reused == outputs
    assert reused[0] == ("<html>one</html> v1", ["a warning"])
    named.write_text("v2", encoding="utf-8")
    changed, outputs = build("one")
    assert converted == ["one", "two", "one"] and changed.pandoc_reused == 0
    assert outputs == [("<html>one</html> v2", ["a warning"])]
    assert len(list(folder.glob("*.json"))) == 1  # only what the last build used


def test_pandoc_says_once_how_many_entries_cannot_be_trusted(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(render, "pandoc", lambda markdown, to, args, reader=render.READER: (markdown, []))
    folder = tmp_path / ".cache/pandoc/kk"
    with pandoc_cache(folder, Result(lang="kk"), print):
        render.pandoc("one", "html", [])
        render.pandoc("two", "html", [])
    entries = sorted(folder.glob("*.json"))
    entries[0].write_text("{", encoding="utf-8")
    entry = json.loads(entries[1].read_text(encoding="utf-8"))
    entries[1].write_text(json.dumps({**entry, "value": {"output": None}}), encoding="utf-8")
    lines, result = [], Result(lang="kk")
    with pandoc_cache(folder, result, lines.append):
        assert render.pandoc("one", "html", []) == ("one", [])
        assert render.pandoc("two", "html", []) == ("two", [])
    assert result.pandoc_reused == 0
    assert lines == ["[kk] pandoc cache: 2 entries that cannot be trusted (unreadable or of an older format); "
                     "converted again"]


def test_a_library_version_is_read_once_until_a_library_is_installed(tmp_path: Path, monkeypatch):
    """Synthetic distributions in a folder of sys.path: a version read once is read again after an install."""
    from helpers.core.cache import library_version

    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def install(version: str) -> None:
        for old in site.glob("report_test_lib-*.dist-info"):
            (old / "METADATA").unlink()
            old.rmdir()
        info = site / f"report_test_lib-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: report-test-lib\nVersion: {version}\n")

    assert library_version("report-test-lib") == "?"
    install("1.0")
    assert library_version("report-test-lib") == "1.0"
    install("2.0")
    assert library_version("report-test-lib") == "2.0"
