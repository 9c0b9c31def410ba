"""One gate for both engines: the data check and the book's checks run before either engine, and a strict
build lists every blocking problem of every stage it reaches before it refuses."""

from __future__ import annotations

import csv
import io
import re
import shutil
import stat
from pathlib import Path

import pytest
from conftest import report, report_copy

from helpers.core.problems import BLOCKS_PRINT, Problem

STAND_IN = '#!/bin/sh\necho "$@" >> "{log}"\n'  # a stand-in for the Quarto CLI: records that it was called


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _stand_in(tmp_path: Path) -> tuple[Path, Path]:
    log, exe = tmp_path / "calls.log", tmp_path / "bin" / "quarto"
    exe.parent.mkdir()
    exe.write_text(STAND_IN.format(log=log))
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe, log


def test_a_problem_knows_its_code_place_and_whether_it_blocks_the_print():
    false = Problem.of("FALSE-CLAIM at chapters/kk/02-activity.qmd:12: 'x' (largest) does not hold on the data")
    assert (false.code, false.place, false.blocks_print) == ("FALSE-CLAIM", "chapters/kk/02-activity.qmd:12", True)
    assert str(false).startswith("FALSE-CLAIM at chapters/kk/02-activity.qmd:12")
    unchecked = Problem.of('UNCHECKED-CLAIM at chapters/ru/04.qmd:3: "..." uses больше; bind it')
    assert unchecked.code == "UNCHECKED-CLAIM" and not unchecked.blocks_print
    assert Problem.of("UNRESOLVED-REFERENCE dgm-nowhere").place == "dgm-nowhere"
    assert "MISSING-ALT" not in BLOCKS_PRINT and "PREFLIGHT" in BLOCKS_PRINT


def test_the_quarto_engine_refuses_data_that_fails_the_check_without_calling_quarto(small_book: Path, tmp_path: Path):
    exe, log = _stand_in(tmp_path)
    # a status outside the schema's list (the chapters would build with it; the check refuses it)
    edit(small_book / "data/s01_colours.csv", "shymkent,red,40,organisation,published,",
         "shymkent,red,41,organisation,guessed,")
    res = report("build", "--engine", "quarto", "--lang", "kk", cwd=small_book, env={"QUARTO_PATH": str(exe)})
    assert res.returncode == 1
    assert "s01_colours.csv, row 5, column 'status'" in res.stderr and "nothing was built" in res.stderr
    assert not log.exists(), "Quarto was called on data that fails report check"


def test_the_quarto_engine_runs_the_book_checks_and_strict_refuses_before_quarto(small_book: Path, tmp_path: Path):
    exe, log = _stand_in(tmp_path)
    edit(small_book / "data/s01_colours.csv", "shymkent,total,100,", "shymkent,total,101,")  # a wrong total
    draft = report("build", "--engine", "quarto", "--lang", "kk", cwd=small_book, env={"QUARTO_PATH": str(exe)})
    assert draft.returncode == 0, draft.stderr
    assert "warning: UNACKNOWLEDGED-FINDING derived:s01_colours:region=shymkent;colour=total" in draft.stderr
    assert log.read_text().splitlines() == ["render --profile kk"]
    log.unlink()
    strict = report("build", "--engine", "quarto", "--lang", "kk", "--strict", cwd=small_book,
                    env={"QUARTO_PATH": str(exe)})
    assert strict.returncode == 1
    assert "error: UNACKNOWLEDGED-FINDING" in strict.stderr and "Quarto was not run" in strict.stderr
    assert not log.exists()


def test_strict_with_quarto_says_which_rules_it_cannot_apply(small_book: Path, tmp_path: Path):
    exe, log = _stand_in(tmp_path)
    res = report("build", "--engine", "quarto", "--lang", "kk", "--strict", cwd=small_book,
                 env={"QUARTO_PATH": str(exe)})
    assert res.returncode == 0, res.stderr
    assert log.read_text().splitlines() == ["render --profile kk"]
    [note] = [line for line in res.stderr.splitlines() if line.startswith("note: --strict with the quarto engine")]
    assert "print file" in note and "unresolved references" in note


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return report_copy(tmp_path)


@pytest.mark.slow
def test_strict_lists_an_audit_finding_and_the_false_claims_of_one_data_edit_together(project: Path):
    """Two legal forms' counts exchanged in every region: the national sums printed no longer follow from them
    (audit findings) and chapter 2's sentences on the most common forms no longer hold (false claims); one
    strict run names both kinds."""
    table = project / "data/t01_registered_ngos.csv"
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    forms: dict[str, dict[str, dict]] = {}
    for row in rows:
        forms.setdefault(row["region"], {})[row["legal_form"]] = row
    for region, form in forms.items():
        if region != "kz" and {"public_association", "foundation"} <= set(form):
            a, b = form["public_association"], form["foundation"]
            a["value"], b["value"] = b["value"], a["value"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    table.write_text(out.getvalue(), encoding="utf-8")
    res = report("build", "--lang", "kk", "--to", "html", "--strict", cwd=project)
    assert res.returncode == 1
    errors = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert any("UNACKNOWLEDGED-FINDING derived:t01_registered_ngos" in line for line in errors), res.stderr
    assert any(re.search(r"FALSE-CLAIM at chapters/kk/\S+\.qmd:\d+", line) for line in errors), res.stderr
    last = errors[-1]
    assert "nothing was built" in last and "FALSE-CLAIM" in last and "UNACKNOWLEDGED-FINDING" in last
    assert not (project / "output/kk").exists()


def test_the_book_checks_check_again_only_what_an_edit_touched(tmp_path: Path, monkeypatch):
    """The report's chapters: a typed number in one chapter is found by checking that chapter (and its pairs)
    again; a glossary edit checks every chapter again; the findings are those of a check from nothing."""
    from helpers.checks import gate, glossary, prose_numbers

    root = report_copy(tmp_path)
    monkeypatch.setenv("REPORT_ROOT", str(root))
    monkeypatch.delenv("REPORT_DATA", raising=False)
    calls: dict[str, list] = {"terms": [], "numbers": []}
    for key, module, name in (("terms", glossary, "chapter_terms"), ("numbers", prose_numbers, "chapter_problems")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=original, _c=calls[key]: _c.append(a) or _f(*a))
    assert gate.language_problems(root) == []
    first = {key: len(found) for key, found in calls.items()}
    assert first["terms"] >= 20 and first["numbers"] >= 20

    chapter = root / "chapters/ru/02-activity.qmd"
    edit(chapter, "на начало\nоктября", "на 1 октября")
    found = [str(p) for p in gate.language_problems(root)]
    assert [len(calls[k]) - first[k] for k in calls] == [1, 1]
    assert any(f.startswith("TYPED-NUMBER at chapters/ru/02-activity.qmd") for f in found), found

    # the glossary forbids a word the Russian chapters use: every chapter's terms are checked again
    edit(root / "data/glossary.csv", "некоммерческая организация,НКО,,", "некоммерческая организация,НКО,"
         "организаций*>организации,")
    before = len(calls["terms"])
    found = [str(p) for p in gate.language_problems(root)]
    assert len(calls["terms"]) - before == first["terms"]
    assert any(f.startswith("TERMINOLOGY at chapters/ru/02-activity.qmd") for f in found), found
    # without the cache (--no-cache), every chapter is checked again
    before = len(calls["terms"])
    assert [str(p) for p in gate.language_problems(root, cache=False)] == found
    assert len(calls["terms"]) - before == first["terms"]
    shutil.rmtree(root / ".cache")
    assert [str(p) for p in gate.language_problems(root)] == found
