"""The caches never serve stale output, wherever the project lives.

The guarantee: in a copy of a built project made with ``cp -a`` (so its caches were written in another folder),
after each edit the cached build is byte-identical to a ``--no-cache`` build of the same sources (their
manifests are compared), and the edit shows in the output. Edits keep the file's size and modification time
where they can, so that nothing trusted by size and time alone goes unnoticed.

Most edits run on the small synthetic test book (its data is made up) with the helper package copied into it,
as a reviewer's copy installs its own; one runs on the real report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, free_port, pdf_text, report, stop

from helpers.core import config

LANGS = ("kk", "ru")
IGNORE = shutil.ignore_patterns("__pycache__", ".venv", "output", ".cache", ".git", "*.egg-info", ".pytest_cache")

# Added to the appendix of the test book's copy: a chapter that lists the declared datasets and prints a file
# of the project that is not in data/.
APPENDIX_CELL = """
```{python}
from helpers import book as _book
_book.dataset_list("%s")
print(open("notes.txt", encoding="utf-8").read())
```
"""


def env_of(project: Path) -> dict:
    """The project's own helper package comes first, as after installing the copy."""
    return {"PYTHONPATH": str(project / "src")}


def build(project: Path, *args: str) -> subprocess.CompletedProcess:
    res = report("build", *args, cwd=project, env=env_of(project))
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def manifest(out: Path, lang: str) -> bytes:
    return (out / lang / "manifest.json").read_bytes()


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (once) and give the file back its modification time."""
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def cp_a(source: Path, target: Path) -> Path:
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    return target


def assert_same_as_uncached(project: Path, fresh: Path) -> None:
    """The cached build in ``project/output`` equals a build of the same sources without any cache."""
    build(project, "--no-cache", "--output", str(fresh))
    for lang in LANGS:
        assert manifest(project / "output", lang) == manifest(fresh, lang), f"{lang}: the cache served stale output"
    shutil.rmtree(fresh)


def synthetic_book(tmp_path: Path) -> Path:
    """The synthetic book with its own helper package, a data file linked from elsewhere in the project, and an
    appendix that lists the datasets and reads a file outside data/."""
    project = tmp_path / "book"
    shutil.copytree(FIXTURES / "book", project)
    shutil.copytree(ROOT / "src" / "helpers", project / "src" / "helpers", ignore=IGNORE)
    (project / "tables").mkdir()
    (project / "data/s01_colours.csv").rename(project / "tables/s01_colours.csv")
    (project / "data/s01_colours.csv").symlink_to("../tables/s01_colours.csv")
    (project / "notes.txt").write_text("Synthetic note, first version.\n", encoding="utf-8")
    for lang in LANGS:
        app = project / f"chapters/{lang}/app.qmd"
        app.write_text(app.read_text(encoding="utf-8") + APPENDIX_CELL % lang, encoding="utf-8")
    return project


def declare_dataset(project: Path) -> None:
    """A new data file in data/, declared in datapackage.json (synthetic values)."""
    (project / "data/s02_shades.csv").write_text(
        "region,colour,value,unit,status,formula\nakmola,red,7,organisation,published,\n", encoding="utf-8")
    path = project / "data/datapackage.json"
    stat = path.stat()
    package = json.loads(path.read_text(encoding="utf-8"))
    resource = json.loads(json.dumps(package["resources"][-1]))
    resource.update(name="s02_shades", path="s02_shades.csv", title="Synthetic shades")
    package["resources"].append(resource)
    path.write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def page(project: Path, name: str, lang: str = "kk") -> str:
    return (project / f"output/{lang}/html/{name}").read_text(encoding="utf-8")


def test_a_copy_of_a_built_book_reuses_what_is_valid_and_rebuilds_what_changed(tmp_path: Path):
    original = synthetic_book(tmp_path / "a")
    build(original)
    copy = cp_a(original, tmp_path / "copy")
    res = build(copy)  # nothing changed: the copy's editions are those of the original
    assert res.stdout.count("(up to date)") == 2, res.stdout

    edits = [
        ("a data value, through a linked file", lambda p: edit(p / "tables/s01_colours.csv", "akmola,green,5988",
                                                               "akmola,green,5989"),
         lambda p: "17\u00a0989" in page(p, "one.html")),
        ("a label", lambda p: edit(p / "data/labels.csv", "colour,green,Жасыл", "colour,green,Жасыр"),
         lambda p: "Жасыр" in page(p, "one.html")),
        ("a prose sentence", lambda p: edit(p / "chapters/kk/one.qmd", "Жалпы саны / всего", "Жалпы сан / барлығы"),
         lambda p: "Жалпы сан / барлығы" in page(p, "one.html")),
        ("a helper function's body", lambda p: edit(p / "src/helpers/lang/fmt.py", 'replace(",", edition.group_mark if group',
                                                    'replace(",", "."  if group'),
         lambda p: "17.989" in page(p, "one.html") and "17\u00a0989" not in page(p, "one.html")),
        ("a configuration value", lambda p: edit(p / "_quarto.yml", "year: 2019", "year: 2018"),
         lambda p: "2018" in pdf_text(p / "output/kk/ngo-report-2018-kk.pdf")),  # the year names the PDF
        ("a data file added and declared", declare_dataset, lambda p: "s02_shades" in page(p, "app.html")),
        ("a file read outside data/", lambda p: edit(p / "notes.txt", "first", "other"),
         lambda p: "Synthetic note, other version." in page(p, "app.html")),
    ]
    before = {lang: manifest(copy / "output", lang) for lang in LANGS}
    for number, (what, change, shows) in enumerate(edits):
        change(copy)
        res = build(copy)
        assert shows(copy), f"{what}: the edit does not show in the cached build\n{res.stdout}"
        assert manifest(copy / "output", "kk") != before["kk"], what
        assert_same_as_uncached(copy, tmp_path / f"fresh-{number}")
        before = {lang: manifest(copy / "output", lang) for lang in LANGS}
    # and the original, untouched, is still up to date with its own sources
    res = build(original)
    assert res.stdout.count("(up to date)") == 2, res.stdout
    assert "17\u00a0988" in page(original, "one.html")


@pytest.mark.slow
def test_a_copy_of_the_built_report_prints_the_edited_value(tmp_path: Path):
    """The real report: a reviewer copies the built project and corrects two values of diagram 2."""
    original = tmp_path / "ngo-report"
    shutil.copytree(ROOT, original, ignore=IGNORE, symlinks=True)
    build(original)
    copy = cp_a(original, tmp_path / "ngo-report-try")
    csv = copy / "data/d02_scope_of_activity.csv"
    edit(csv, "\none_oblast,51.4,", "\none_oblast,51.5,")
    edit(csv, "\none_district_or_city,25.7,", "\none_district_or_city,25.6,")
    res = build(copy)
    executed = [int(n) for n in re.findall(r"\((\d+) chapter\(s\) executed, \d+ cached\)", res.stdout)]
    assert len(executed) == len(config.langs(ROOT)) and all(0 < n < 10 for n in executed), res.stdout  # the rest cached
    # appendix Б's register reads of d02 only its rows marked missing, which these edits leave as they were
    ran = [line for line in res.stdout.splitlines() if "] execute " in line]
    assert not any("appendix-b" in line for line in ran) and any("appendix-c" in line for line in ran), ran
    for lang in LANGS:
        text = page(copy, "02-activity.html", lang)
        assert "51,5" in text and "51,4" not in text, lang
        assert "51,5" in pdf_text(copy / f"output/{lang}/ngo-report-2019-{lang}.pdf"), lang
    assert_same_as_uncached(copy, tmp_path / "fresh")


# --- entries that cannot be trusted ---------------------------------------------------------------------

def test_untrusted_entries_are_named_in_one_line_and_executed_again(small_book: Path, tmp_path: Path):
    def kk(*args):
        return build(small_book, "--lang", "kk", "--to", "html", *args)

    kk()
    entry = small_book / ".cache/exec/kk/one.json"
    stored = json.loads(entry.read_text(encoding="utf-8"))  # an entry of the project's cache
    good = stored["value"]  # the executed chapter

    def stored_with(value):
        return json.dumps({**stored, "value": value})

    shown = page(small_book, "one.html")
    old = {k: v for k, v in good.items() if k not in ("format", "listings")}  # as an older build wrote it
    old["reads"] = {str(small_book / name): digest for name, digest in good["reads"].items()}
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("a\n1\n", encoding="utf-8")
    cases = [
        ("not json", "unreadable"),
        (json.dumps(old), "written by an older version of the cache"),
        (stored_with(old), "written by an older version of the cache"),
        (stored_with({**good, "reads": {**good["reads"], str(outside): "0" * 64}}), "names a path outside the project"),
        (stored_with({**good, "reads": {**good["reads"], "../elsewhere.csv": "0" * 64}}),
         "names a path outside the project"),
        (stored_with({**good, "modules": {"/usr/lib/python3/os.py": "0" * 64}}), "names a path outside the project"),
        (stored_with({**good, "outputs": None, "notebook": None, "inline": None}), "incomplete"),
    ]
    for text, why in cases:
        entry.write_text(text, encoding="utf-8")
        (small_book / "output/.build-kk.json").unlink()  # the edition is built again, from the cache
        res = kk()
        lines = [line for line in res.stdout.splitlines() if "cannot be trusted" in line]
        assert len(lines) == 1, res.stdout
        assert lines[0].startswith(f"[kk] cache entries that cannot be trusted ({why}")
        assert lines[0].endswith("): one; executing them again"), lines
        assert "1 chapter(s) executed, 2 cached" in res.stdout
        assert page(small_book, "one.html") == shown
    # a pandoc conversion that cannot be read is converted again
    for cached in (small_book / ".cache/pandoc/kk").glob("*.json"):
        cached.write_text("{", encoding="utf-8")
    (small_book / "output/.build-kk.json").unlink()
    res = kk()
    # the pages and the notebooks' text both come from pandoc: every cached conversion of them is named
    assert re.search(r"\[kk\] pandoc cache: \d+ entries that cannot be trusted \(unreadable or of an older "
                     r"format\); converted again", res.stdout), res.stdout
    assert page(small_book, "one.html") == shown


def test_a_chapter_that_read_a_data_file_outside_the_project_is_not_cached(small_book: Path, tmp_path: Path):
    outside = tmp_path / "outside.csv"
    outside.write_text("a\noutside-value-1\n", encoding="utf-8")
    chapter = small_book / "chapters/kk/app.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"""
```{{python}}
from pathlib import Path
from helpers.core import data
print(data.read_text(Path({str(outside)!r})).splitlines()[1])
```
""", encoding="utf-8")
    res = build(small_book, "--lang", "kk", "--to", "html")
    assert f"[kk] chapters/kk/app.qmd read {outside} outside the project: its result is not cached" in res.stdout
    assert "outside-value-1" in page(small_book, "app.html")
    outside.write_text("a\noutside-value-2\n", encoding="utf-8")
    res = build(small_book, "--lang", "kk", "--to", "html")
    assert "up to date" not in res.stdout and "1 chapter(s) executed, 2 cached" in res.stdout
    assert "outside-value-2" in page(small_book, "app.html")


# --- what the keys are made of --------------------------------------------------------------------------

def test_the_environment_variables_the_helpers_read_are_part_of_the_key_or_are_paths(monkeypatch):
    from helpers.engines import chapter_cache

    read = set()
    for path in (ROOT / "src/helpers").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"""(?:environ(?:\.get|\.setdefault)?\(|environ\[|getenv\()\s*["']([A-Z_]+)["']""", text))
    # QUARTO_PATH: where the quarto engine finds Quarto; that engine caches nothing of its own
    assert read - {"QUARTO_PATH"} <= set(chapter_cache.ENVIRONMENT) | set(chapter_cache.PATH_VARIABLES), read
    assert {"REPORT_ROOT", "REPORT_DATA", "SOURCE_DATE_EPOCH"} <= read
    base = chapter_cache.environment_key()
    for name in chapter_cache.ENVIRONMENT:
        monkeypatch.setenv(name, "1234")
        assert chapter_cache.environment_key() != base, name
        monkeypatch.delenv(name)
    assert chapter_cache.environment_key() == base
    monkeypatch.setenv("REPORT_ROOT", "/somewhere/else")  # a path: entries name files relative to it
    assert chapter_cache.environment_key() == base


def test_the_data_layer_parses_by_content_not_by_size_and_time(tmp_path: Path):
    from helpers.core import data, session

    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "book/data", folder)
    csv = folder / "s01_colours.csv"
    first = data.load("s01_colours", folder=folder)
    edit(csv, "akmola,green,5988", "akmola,green,5989")  # same size, same modification time
    second = data.load("s01_colours", folder=folder)
    assert 5988 in set(first["value"]) and 5989 in set(second["value"]) and 5988 not in set(second["value"])
    assert session.READS[str(csv)] == data._hash(csv.read_bytes())
    edit(folder / "datapackage.json", '"Synthetic colours"', '"Synthetic colour!"')
    assert data.load("s01_colours", folder=folder).attrs["title"] == "Synthetic colour!"


def test_a_module_replaced_with_the_same_size_and_time_runs_its_new_code(tmp_path: Path):
    from helpers.engines import bytecode

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    module = package / "m.py"
    module.write_text("X = 1\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def x(prepare: bool) -> str:
        code = (f"from helpers.engines import bytecode; bytecode.hash_checked(__import__('pathlib').Path({str(package)!r}))\n"
                if prepare else "") + "import pkg.m; print(pkg.m.X)"
        import sys

        return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                              check=True).stdout.strip()

    assert x(False) == "1"  # compiled, with Python's own check of size and time
    edit(module, "X = 1", "X = 2")
    assert x(False) == "1"  # what Python alone would run
    assert x(True) == "2"
    edit(module, "X = 2", "X = 3")
    assert x(False) == "3"  # hash-checked from now on
    assert bytecode is not None


# --- the preview ----------------------------------------------------------------------------------------

def test_preview_builds_its_own_project_whatever_report_root_says(small_book: Path, tmp_path: Path):
    import sys

    from test_preview import _get, _status, _wait

    other = tmp_path / "other-copy"
    shutil.copytree(small_book, other)
    edit(other / "chapters/kk/one.qmd", "Түстер тарауы", "Басқа тарау")
    port = free_port()
    env = {**os.environ, "REPORT_ROOT": str(other)}
    env.pop("REPORT_DATA", None)
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "--root", str(small_book), "preview", "--lang", "kk",
                             "--port", str(port)], cwd=small_book, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _status(base)["version"] >= 1, proc=proc)
        shown = _get(f"{base}/one.html")
        assert "Түстер тарауы" in shown and "Басқа тарау" not in shown
        assert not (other / ".cache").exists()
    finally:
        stop(proc)


def test_a_build_warns_when_it_would_take_another_copys_files(tmp_path: Path, monkeypatch):
    from helpers.commands import cli

    copy, original = tmp_path / "copy", tmp_path / "original"
    for folder in (copy, original):
        (folder / "src/helpers").mkdir(parents=True)
        (folder / "_quarto.yml").write_text("project: {type: book}\n", encoding="utf-8")
    monkeypatch.chdir(copy)
    monkeypatch.setenv("REPORT_ROOT", str(original))
    warnings = cli.elsewhere(original)
    assert warnings[0] == f"REPORT_ROOT={original}: building {original}, not the project of the current folder ({copy})"
    assert warnings[1].startswith(f"the helpers package in use is {ROOT / 'src/helpers'}, not this project's "
                                  f"{original / 'src/helpers'}")
    assert len(cli.elsewhere(original, explicit=True)) == 1  # --root says which project: only the package
    monkeypatch.delenv("REPORT_ROOT")
    assert cli.elsewhere(ROOT) == []


# --- cells ----------------------------------------------------------------------------------------------

SHADES_PART = """
Реңк / оттенок: `{python} b.value("s02_shades", region="akmola", colour="red")`.

```{python}
#| fig-alt: "alt"
b.chart("s02_shades", kind="bars", where={"region": "akmola"})
```

```{python}
b.table("s02_shades", rows="region", cols="colour")
```
"""


def test_a_data_edit_changes_the_figure_table_and_prose_that_read_it_and_nothing_else(small_book: Path,
                                                                                      tmp_path: Path):
    """Of a chapter whose cells read two data files, an edited value of one runs again the setup cell and the
    cells that read it; the others are taken from the cache, and the output equals a build without any cache."""
    declare_dataset(small_book)  # s02_shades.csv (synthetic): akmola,red,7
    chapter = small_book / "chapters/kk/one.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + SHADES_PART, encoding="utf-8")
    build(small_book, "--lang", "kk")
    before = json.loads(manifest(small_book / "output", "kk"))["files"]
    svg = lambda cell: (small_book / f"output/kk/html/figures/one-cell{cell}.svg").read_text(encoding="utf-8")  # noqa: E731
    colours_svg, shades_svg = svg(2), svg(4)

    edit(small_book / "data/s02_shades.csv", "akmola,red,7,", "akmola,red,9,")
    res = build(small_book, "--lang", "kk")
    # cell 1 sets up (it always runs), cells 2-3 read only s01_colours.csv, cells 4-5 read s02_shades.csv
    assert "[kk] chapters/kk/one.qmd: 2 of 5 cells unchanged, taken from the cache (cells 2-3)" in res.stdout, res.stdout
    assert "1 chapter(s) executed, 2 cached" in res.stdout
    after = json.loads(manifest(small_book / "output", "kk"))["files"]
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    # the page (and the site's search index of its text), the figure with its CSV, the PDF, the prose numbers;
    # each notebook names the digest of the data it was run on
    assert changed == {"html/one.html", "html/assets/search-index.js", "html/figures/one-cell4.svg",
                       "html/data/one-cell4.csv", "ngo-report-2019-kk.pdf", "numbers.csv", "notebooks/index.ipynb",
                       "notebooks/one.ipynb", "notebooks/app.ipynb"}, changed
    assert svg(2) == colours_svg and svg(4) != shades_svg  # the figure that read it is drawn again, the other not
    text = page(small_book, "one.html")
    assert "Реңк / оттенок: " in text and re.search(r"Реңк / оттенок: (<[^>]*>)*9(?!\d)", text), text  # the prose
    table = text[text.index("<table", text.index("Реңк")):]
    assert re.search(r">\s*9\s*<", table[:table.index("</table>")])  # the table
    build(small_book, "--lang", "kk", "--no-cache", "--output", str(tmp_path / "fresh"))
    assert manifest(small_book / "output", "kk") == manifest(tmp_path / "fresh", "kk")


STATEFUL_PART = """
```{python}
seen = []
```

```{python}
seen.append("appended by an output cell")
```

```{python}
print(seen, open("notes.txt", encoding="utf-8").read())
```
"""


def test_an_output_cell_that_changes_a_value_is_run_every_time(small_book: Path, tmp_path: Path):
    """The second cell binds nothing but changes ``seen``: taken from the cache, it would leave ``seen`` empty
    for the third, which runs again because the file it reads changed."""
    (small_book / "notes.txt").write_text("Synthetic note, first version.\n", encoding="utf-8")
    chapter = small_book / "chapters/kk/app.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + STATEFUL_PART, encoding="utf-8")
    build(small_book, "--lang", "kk", "--to", "html")
    edit(small_book / "notes.txt", "first", "other")
    res = build(small_book, "--lang", "kk", "--to", "html")
    assert "chapters/kk/app.qmd: " not in res.stdout, res.stdout  # no cell of it from the cache
    text = page(small_book, "app.html")
    assert "appended by an output cell" in text and "Synthetic note, other version." in text
    build(small_book, "--lang", "kk", "--to", "html", "--no-cache", "--output", str(tmp_path / "fresh"))
    assert manifest(small_book / "output", "kk") == manifest(tmp_path / "fresh", "kk")
