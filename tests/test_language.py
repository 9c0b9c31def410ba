"""One terminology and two equal editions: the checks of `report check` on copies of the project's chapters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, report


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's chapters, data and book configuration."""
    target = tmp_path / "book"
    shutil.copytree(ROOT / "chapters", target / "chapters")
    shutil.copytree(ROOT / "data", target / "data")
    for config in ROOT.glob("_*.yml"):
        shutil.copy(config, target / config.name)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_chapters_follow_the_glossary_and_both_editions_have_the_same_skeleton(project: Path):
    res = report("check", "--strict", cwd=project)
    assert res.returncode == 0, res.stderr
    assert "TERMINOLOGY" not in res.stderr and "EDITIONS-DIFFER" not in res.stderr


def test_a_forbidden_variant_is_a_warning_and_with_strict_an_error(project: Path):
    chapter = project / "chapters" / "kk" / "01-preconditions.qmd"
    _edit(chapter, "(АҚДМ)", "(АЖҚДМ)")
    _edit(chapter, "ҮЕҰ-ның", "ҮЕҰ-дың")
    warned = report("check", cwd=project)
    assert warned.returncode == 0, warned.stderr
    line = next(i for i, t in enumerate(chapter.read_text(encoding="utf-8").splitlines(), 1) if "АЖҚДМ" in t)
    assert (f"warning: TERMINOLOGY at chapters/kk/01-preconditions.qmd:{line}: «АЖҚДМ» is a variant the glossary "
            "does not allow; write «АҚДМ»") in warned.stderr
    assert "«ҮЕҰ-дың»" in warned.stderr and "write «ҮЕҰ-ның»" in warned.stderr
    strict = report("check", "--strict", cwd=project)
    assert strict.returncode == 1
    assert "error: TERMINOLOGY at chapters/kk/01-preconditions.qmd" in strict.stderr


def test_a_forbidden_chart_label_is_found_in_the_labels(project: Path):
    _edit(project / "data" / "labels.csv", "trust_level,rather_trust,Сенуге бейім,", "trust_level,rather_trust,Дұрысы сенім білдіреді,")
    res = report("check", "--strict", cwd=project)
    assert res.returncode == 1
    assert "TERMINOLOGY at data/labels.csv:" in res.stderr and "«Дұрысы сенім»" in res.stderr


def test_a_footnote_removed_from_one_edition_is_a_parity_problem(project: Path):
    chapter = project / "chapters" / "ru" / "04-social-capital.qmd"
    text = chapter.read_text(encoding="utf-8")
    start = text.index("^[")
    end = text.index("]", start)
    chapter.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    res = report("check", cwd=project)
    assert res.returncode == 0
    assert "warning: EDITIONS-DIFFER in chapters/kk|ru/04-social-capital.qmd: footnotes – only in kk" in res.stderr
    assert report("check", "--strict", cwd=project).returncode == 1


def test_an_inline_number_missing_from_one_edition_is_a_parity_problem(project: Path):
    _edit(project / "chapters" / "ru" / "04-social-capital.qmd", "`{python} n.freq_never`", "ни одна")
    res = report("check", cwd=project)
    assert "EDITIONS-DIFFER in chapters/kk|ru/04-social-capital.qmd: inline expressions – only in kk: n.freq_never" \
        in res.stderr


def test_a_kazakh_case_ending_is_not_a_difference(project: Path):
    kk = (project / "chapters" / "kk" / "02-activity.qmd").read_text(encoding="utf-8")
    assert '.kk("' in kk
    res = report("check", "--strict", cwd=project)
    assert "inline expressions" not in res.stderr


def test_a_term_fixed_in_one_edition_only_is_found_by_its_glossary_pair(project: Path):
    """The Russian chapter now names people with disabilities by the glossary's term; the Kazakh one does not."""
    chapter = project / "chapters" / "ru" / "01-preconditions.qmd"
    assert "EDITIONS-DIFFER" not in report("check", cwd=project).stderr
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nЭто касается и людей с инвалидностью.\n",
                       encoding="utf-8")
    res = report("check", cwd=project)
    assert ("warning: EDITIONS-DIFFER in chapters/kk|ru/01-preconditions.qmd: the term «люди с инвалидностью» is "
            "used in ru and its pair «мүгедектігі бар адамдар» nowhere in kk (data/glossary.csv, line 17)") in res.stderr
    assert report("check", "--strict", cwd=project).returncode == 1


@pytest.mark.parametrize("chapter, fixed, before, found", [
    ("02-activity.qmd", "мүгедектігі бар адамдарды", "мүмкіндігі шектеулі адамдарды",
     "the term «люди с инвалидностью» is used in ru and its pair «мүгедектігі бар адамдар» nowhere in kk"),
    ("appendix-a-beneficiaries.qmd", "Бенефициарлар жобаға", "Бенефициарлар өкілдері жобаға",
     "«Бенефициарлар өкілдері» is a variant the glossary does not allow; write «бенефициарлар»"),
    ("conclusion.qmd", "#. ҮЕҰ-ның едәуір бөлігі", "#. Коммерциялық емес мемлекеттік емес ұйымдардың едәуір бөлігі",
     "«Коммерциялық емес мемлекеттік емес ұйымдардың» is a variant the glossary does not allow; write «ҮЕҰ»")])
def test_the_kazakh_wordings_left_behind_by_russian_fixes_are_found(project: Path, chapter, fixed, before, found):
    """Three wordings the Russian edition had corrected while the Kazakh kept them (synthetic reversal)."""
    _edit(project / "chapters" / "kk" / chapter, fixed, before)
    res = report("check", cwd=project)
    assert found in res.stderr and "chapters/kk" in res.stderr


def test_a_list_of_oblasts_names_the_word_once_in_the_plural():
    from helpers.lang import i18n

    assert i18n.series(["Алматинская область", "Атырауская область", "Жамбылская область"], ["", "", ""], "ru") == \
        "Алматинская, Атырауская и Жамбылская области"
    assert i18n.series(["Батыс Қазақстан облысы", "Павлодар облысы"], [" (1)", " (2)"], "kk") == \
        "Батыс Қазақстан (1) және Павлодар (2) облыстары"
    mixed = i18n.series(["город Алматы", "Кызылординская область"], [" (3 013)", " (1 184)"], "ru")
    assert mixed == "город Алматы (3 013), Кызылординская область (1 184)"  # a city among them: each its own word
