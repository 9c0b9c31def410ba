"""Next year's edition: the report's year in the config names the files; a config that does not say it stops."""

from pathlib import Path

from conftest import pdf_text, report


def _set_year(book: Path, old: str, new: str) -> None:
    config = book / "_quarto.yml"
    text = config.read_text(encoding="utf-8")
    assert f"year: {old}" in text
    config.write_text(text.replace(f"year: {old}", f"year: {new}"), encoding="utf-8")


def test_the_year_of_the_config_names_the_pdfs_of_the_edition(small_book: Path):
    """In the synthetic test book: the edition of 2019, then the same sources declared as 2020's."""
    _set_year(small_book, "2019", "2020")
    res = report("build", "--lang", "kk", "--strict", cwd=small_book)
    assert res.returncode == 0, res.stdout + res.stderr
    out = small_book / "output/kk"
    assert (out / "ngo-report-2020-kk.pdf").is_file() and (out / "ngo-report-2020-kk-print.pdf").is_file()
    assert not list(out.glob("ngo-report-2019-*"))
    assert "2020" in pdf_text(out / "ngo-report-2020-kk.pdf")
    html = (out / "html/one.html").read_text(encoding="utf-8")
    assert 'href="../ngo-report-2020-kk.pdf"' in html
    pre = report("preflight", "--lang", "kk", cwd=small_book)
    assert pre.returncode == 0 and "ngo-report-2020-kk-print.pdf" in pre.stdout + pre.stderr, pre.stdout + pre.stderr


def test_a_config_without_the_report_year_stops_with_its_place(small_book: Path):
    _set_year(small_book, "2019", "twenty-twenty")
    res = report("build", "--lang", "kk", "--to", "html", cwd=small_book)
    assert res.returncode != 0
    assert "_quarto.yml: report.year is 'twenty-twenty'" in res.stderr, res.stderr
