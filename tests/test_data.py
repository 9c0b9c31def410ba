"""The data package: numbers of the sources found in data/, `report check` on good and broken files."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, ROOT, report

from helpers.core import data, files, validate

SEEDS = ROOT.parent / "shared" / "seeds"
SAMPLES = list(csv.DictReader(open(FIXTURES / "source_samples.csv", encoding="utf-8")))


def _parse_printed(text: str) -> float | None:
    m = re.search(r"\d[\d\s\u00a0]*(?:[.,]\d+)?", text)
    if not m:
        return None
    return float(re.sub(r"[\s\u00a0]", "", m.group(0)).replace(",", "."))


def test_the_sample_covers_at_least_forty_numbers_from_every_part_of_the_source():
    numeric = [s for s in SAMPLES if s["printed"] and _parse_printed(s["printed"]) is not None]
    assert len(numeric) >= 40
    sections = {s["place"].split(",")[0].strip() for s in numeric}
    assert {"1", "2", "3", "4", "5"} <= {x[0] for x in sections if x}


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: f"{s['dataset']}:{s['key']}")
def test_each_sampled_number_is_in_the_data_with_its_unit(sample):
    frame = data.load(sample["dataset"], derived=True, folder=ROOT / "data")
    key = dict(part.split("=", 1) for part in sample["key"].split(";"))
    rows = frame
    for dim, val in key.items():
        rows = rows[rows[dim].astype(str) == val]
    assert len(rows) == 1, f"{sample['key']} selects {len(rows)} rows"
    row = rows.iloc[0]
    if "value" not in frame.columns:  # a categorical map: the sample names the category
        assert sample["value"] in set(row.astype(str))
        return
    if sample["value"] == "":
        assert pd.isna(row["value"])  # a gap
        return
    assert float(row["value"]) == pytest.approx(float(sample["value"]))
    assert row["unit"] == sample["unit"]
    single = len(re.findall(r"\d+(?:[.,]\d+)?", sample["printed"].replace(" ", ""))) == 1
    printed = _parse_printed(sample["printed"]) if single else None  # ranges and fractions are noted, not parsed
    if printed is not None and "мың" not in sample["printed"]:
        assert printed == pytest.approx(float(row["value"])), "the printed form and the stored value differ"


@pytest.mark.skipif(not SEEDS.exists(), reason="the source documents are not beside the repository")
def test_each_printed_form_occurs_in_the_source_documents():
    text = " ".join((SEEDS / name).read_text(encoding="utf-8") for name in
                    ("national-report-2019.kk.txt", "beneficiary-survey-2019.kk.txt"))
    squashed = re.sub(r"\s+", "", text)
    absent = [s["printed"] for s in SAMPLES if s["printed"] and re.sub(r"\s+", "", s["printed"]) not in squashed]
    assert not absent, f"printed forms not found in the sources: {absent}"


def test_report_check_passes_on_the_repository():
    res = report("check")
    assert res.returncode == 0, res.stderr
    assert "valid" in res.stdout


def test_gaps_register_lists_missing_values():
    res = report("gaps")
    assert res.returncode == 0
    assert re.search(r"^\d+ missing value\(s\)", res.stdout.splitlines()[-1])
    register = data.gaps(ROOT / "data")
    assert len(register) > 0 and set(register["dataset"]) <= set(data.dataset_ids(ROOT / "data"))


# --- broken files (fixtures made from the synthetic test book's data) ---------------------------------

@pytest.fixture
def broken(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "book" / "data", folder)
    return folder


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _problems(folder: Path) -> list[data.DataError]:
    return validate.check(folder)


def _counting_reads(monkeypatch) -> list[str]:
    """The names of the data files the data layer reads from now on (not those it knows by their state)."""
    reads, real = [], files.read
    monkeypatch.setattr(files, "read", lambda path, state: reads.append(path.name) or real(path, state))
    return reads


def test_a_settled_file_is_known_by_its_state_and_a_replaced_one_is_read_again(broken, monkeypatch):
    monkeypatch.setattr(files, "RACY_NS", 0)  # the fixture's files count as settled at once
    reads = _counting_reads(monkeypatch)
    before = data.load("s01_colours", folder=broken)
    data.load("s01_colours", folder=broken)
    assert reads == ["datapackage.json", "s01_colours.csv"]  # the second load read nothing
    path = broken / "s01_colours.csv"
    st = path.stat()
    time.sleep(0.02)  # the next write's change time is a tick of the clock later
    path.write_text(path.read_text(encoding="utf-8").replace("5988", "5989", 1), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the same size and modification time as before
    after = data.load("s01_colours", folder=broken)
    assert reads == ["datapackage.json", "s01_colours.csv", "s01_colours.csv"]
    assert 5988 in before["value"].tolist() and 5989 in after["value"].tolist()


def test_the_caches_file_hashes_follow_the_same_rule(broken, monkeypatch):
    """A cache key's hash of a file (``cache.sha_file``: the helper package, the data folder, chapters) is not
    read again while the file keeps a settled state, and is read again once it was replaced by another file of
    the same size and modification time."""
    from helpers.core.cache import sha_file

    monkeypatch.setattr(files, "RACY_NS", 0)
    reads = _counting_reads(monkeypatch)
    path = broken / "s01_colours.csv"
    first = sha_file(path)
    assert sha_file(path) == first and reads == ["s01_colours.csv"]
    st = path.stat()
    time.sleep(0.02)
    path.write_text(path.read_text(encoding="utf-8").replace("5988", "5989", 1), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert sha_file(path) == hashlib.sha256(path.read_bytes()).hexdigest() != first
    assert reads == ["s01_colours.csv", "s01_colours.csv"]


def test_a_file_changed_a_moment_ago_is_read_each_time(broken, monkeypatch):
    reads = _counting_reads(monkeypatch)  # the fixture was copied just now: its state is too recent to stand
    data.load("s01_colours", folder=broken)
    data.load("s01_colours", folder=broken)
    assert reads.count("s01_colours.csv") == 2 and reads.count("datapackage.json") == 2


def test_the_clean_fixture_passes(broken):
    assert _problems(broken) == []


def test_a_wrong_type_names_file_row_and_column(broken):
    _edit(broken, "s01_colours.csv", "akmola,green,5988", "akmola,green,many")
    [p] = _problems(broken)
    assert (p.file, p.row, p.column, p.rule) == ("s01_colours.csv", 3, "value", "type")


def test_an_unknown_region(broken):
    _edit(broken, "s01_colours.csv", "shymkent,red", "atlantis,red")
    problems = _problems(broken)
    assert any(p.rule == "unknown-region" and p.row == 5 and p.column == "region" for p in problems)


def test_a_duplicate_key(broken):
    _edit(broken, "s01_colours.csv", "shymkent,green", "shymkent,red")
    assert any(p.rule == "primary-key" and p.row == 6 for p in _problems(broken))


def test_a_share_above_one_hundred(broken):
    _edit(broken, "s01_colours.csv", "shymkent,red,40,organisation", "shymkent,red,130,percent")
    [p] = _problems(broken)
    assert (p.rule, p.row, p.column) == ("share-range", 5, "value")


def test_a_missing_column(broken):
    path = broken / "s01_colours.csv"
    lines = [",".join(l.split(",")[:-1]) for l in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [p] = _problems(broken)
    assert (p.rule, p.column) == ("missing-column", "formula")


def test_a_file_saved_in_cp1251(broken):
    path = broken / "labels.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251", errors="replace"))  # as Excel saves it
    [p] = _problems(broken)
    assert p.rule == "encoding" and "UTF-8" in p.hint


def test_excel_semicolons_and_decimal_commas(broken):
    path = broken / "s01_colours.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";").replace("12000", "12000,5"), encoding="utf-8")
    [p] = _problems(broken)
    assert p.rule == "separator" and "','" in p.hint


def test_the_command_prints_the_place_and_fails(small_book):
    _edit(small_book / "data", "s01_colours.csv", "shymkent,red,40,organisation", "shymkent,red,130,percent")
    res = report("check", cwd=small_book)
    assert res.returncode == 1
    assert "s01_colours.csv, row 5, column 'value': [share-range]" in res.stderr


def test_every_resource_names_one_of_the_documents_the_package_lists():
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    documents = {s["x-id"] for s in package["sources"]}
    assert documents == {"national-report-2019", "beneficiary-survey-2019"}
    named = {r["x-source"]["document"] for r in package["resources"] if r.get("x-source")}
    assert named == documents


@pytest.mark.skipif(not SEEDS.exists(), reason="the source documents are not beside the repository")
def test_the_source_documents_are_the_versions_the_data_was_transcribed_from():
    import hashlib

    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for source in package["sources"]:
        raw = (SEEDS / source["path"]).read_bytes()
        assert len(raw) == source["x-bytes"] and hashlib.sha256(raw).hexdigest() == source["x-sha256"], \
            f"{source['path']} is not the version recorded in data/datapackage.json"
