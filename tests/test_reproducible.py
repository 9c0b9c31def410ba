"""Reproducible builds of the small synthetic book: two cold builds are byte-identical, `report verify` finds
a changed output, dates follow SOURCE_DATE_EPOCH, and the caches never serve anything stale."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import report


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def built(res) -> None:
    assert res.returncode == 0, res.stdout + res.stderr


def test_two_cold_builds_are_byte_identical(small_book: Path, tmp_path: Path):
    first, second = tmp_path / "first", tmp_path / "second"
    built(report("build", "--output", str(first), cwd=small_book))  # empty cache: every chapter executed
    shutil.rmtree(small_book / ".cache")
    # cold again, and one edition after the other instead of in parallel
    res = report("build", "--jobs", "1", "--output", str(second), cwd=small_book)
    built(res)
    assert "0 cached" in res.stdout and "cached)" in res.stdout
    for lang in ("kk", "ru"):
        a, b = files_of(first / lang), files_of(second / lang)
        assert sorted(a) == sorted(b)
        assert "manifest.json" in a and f"ngo-report-2019-{lang}.pdf" in a and "html/one.html" in a
        assert "notebooks/one.ipynb" in a and any(name.endswith(".svg") for name in a)
        differing = [name for name in a if a[name] != b[name]]
        assert differing == [], f"{lang}: files differ between two cold builds: {differing}"


def test_the_manifest_lists_every_file_with_versions_and_no_timestamp(built_small_book: Path):
    out = built_small_book / "output/kk"
    text = (out / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    import hashlib
    import platform

    on_disk = {name: hashlib.sha256(data).hexdigest() for name, data in files_of(out).items()
               if name != "manifest.json"}
    assert manifest["files"] == on_disk
    assert manifest["engine"] == "builtin"
    assert manifest["python"].endswith(platform.python_version())
    assert {"pandas", "matplotlib", "typst", "pypandoc-binary", "nbclient"} <= set(manifest["versions"])
    assert not re.search(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d", text), "a timestamp in the manifest"
    assert "timings" not in text
    # the notebooks carry no execution timestamps and no random cell ids or memory addresses
    nb_text = (out / "notebooks/one.ipynb").read_text(encoding="utf-8")
    assert "iopub" not in nb_text and not re.search(r" at 0x[0-9a-f]+>", nb_text)
    nb = json.loads(nb_text)
    code = [c["id"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert code == ["one-project"] + [f"one-{i + 1}" for i in range(len(code) - 2)] + ["one-numbers"]
    assert [c["id"] for c in nb["cells"] if c["cell_type"] == "markdown"][:2] == ["one-text-1", "one-text-2"]
    assert nb["metadata"]["ngo-report"]["source"] == "chapters/kk/one.qmd"
    # stage timings are kept beside the edition, not in it
    log = json.loads((built_small_book / "output/.build-kk.json").read_text(encoding="utf-8"))
    assert log["timings"]["execute"] >= 0 and "pdf" in log["timings"]


def test_the_pdf_date_follows_source_date_epoch(small_book: Path):
    from pypdf import PdfReader

    res = report("build", "--lang", "kk", "--to", "pdf", cwd=small_book, env={"SOURCE_DATE_EPOCH": "1600000000"})
    built(res)
    info = PdfReader(str(small_book / "output/kk/ngo-report-2019-kk.pdf")).metadata
    assert info["/CreationDate"].startswith("D:20200913")  # 1600000000 = 2020-09-13 12:26:40 UTC
    assert json.loads((small_book / "output/kk/manifest.json").read_text())["source_date_epoch"] == 1600000000


def test_verify_passes_on_an_unchanged_build_and_names_changed_missing_and_added_files(small_book: Path):
    built(report("build", cwd=small_book))
    res = report("verify", cwd=small_book)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "[kk] verified: the rebuild and the output folder match all" in res.stdout
    assert "[ru] verified:" in res.stdout
    assert "kept for comparison" not in res.stdout + res.stderr  # a matching rebuild is removed

    out = small_book / "output"
    with (out / "kk/html/one.html").open("a", encoding="utf-8") as fh:
        fh.write("<!-- edited by hand -->\n")
    (out / "ru/registry.json").unlink()
    (out / "ru/html/extra.html").write_text("<p>not built</p>", encoding="utf-8")
    res = report("verify", "--lang", "kk,ru", cwd=small_book)
    assert res.returncode == 1
    assert re.search(r"\[kk\] changed in \S+/output/kk: html/one\.html", res.stderr), res.stderr
    assert re.search(r"\[ru\] missing in \S+/output/ru: registry\.json", res.stderr), res.stderr
    assert re.search(r"\[ru\] added in \S+/output/ru: html/extra\.html", res.stderr), res.stderr
    assert "in the rebuild" not in res.stderr  # the rebuild itself matches the manifest


def test_verify_reports_a_rebuild_that_differs_from_the_manifest(small_book: Path):
    built(report("build", "--lang", "kk", "--to", "html", cwd=small_book))
    manifest_path = small_book / "output/kk/manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    # as if the build had not made this page: the output and its manifest agree, the rebuild does not
    (small_book / "output/kk/html/one.html").unlink()
    del manifest["files"]["html/one.html"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    res = report("verify", "--lang", "kk", cwd=small_book)
    assert res.returncode == 1
    assert "[kk] added in the rebuild: html/one.html" in res.stderr, res.stderr
    kept = re.search(r"\[kk\] the rebuild is kept for comparison in (\S+)", res.stderr)
    assert kept, res.stderr
    try:
        assert (Path(kept[1]) / "html/one.html").is_file()  # the reviewer can compare the rebuilt file
    finally:
        shutil.rmtree(Path(kept[1]).parent.parent)


def test_verify_without_a_build_is_a_one_line_error(small_book: Path):
    res = report("verify", "--lang", "ru", cwd=small_book)
    assert res.returncode == 1
    assert "output/ru/manifest.json does not exist: build the edition first" in res.stderr


# --- caches: fast, never stale -------------------------------------------------------------------------

def test_an_unchanged_build_does_nothing_and_a_changed_output_is_rebuilt(small_book: Path):
    built(report("build", cwd=small_book))
    pdf = small_book / "output/kk/ngo-report-2019-kk.pdf"
    stamp = pdf.stat().st_mtime_ns
    res = report("build", cwd=small_book)
    built(res)
    assert "[kk] done: 19 files" in res.stdout and "(up to date)" in res.stdout
    assert "check data/ ... unchanged since the last check" in res.stdout
    assert "execute" not in res.stdout and pdf.stat().st_mtime_ns == stamp
    # an output file edited by hand no longer matches the manifest: that edition is built again
    page = small_book / "output/ru/html/one.html"
    good = page.read_bytes()
    page.write_text("broken", encoding="utf-8")
    res = report("build", cwd=small_book)
    built(res)
    assert "[kk] done: 19 files" in res.stdout and "[kk] up to date" in res.stdout
    assert "[ru] up to date" not in res.stdout and "[ru] 3 chapter(s) unchanged, taken from the cache" in res.stdout
    assert page.read_bytes() == good
    # --no-cache executes everything again
    res = report("build", "--lang", "kk", "--to", "html", "--no-cache", cwd=small_book)
    built(res)
    assert "3 chapter(s) executed, 0 cached" in res.stdout and "report check: data/ is valid" in res.stdout


def test_config_and_data_edits_rebuild_only_what_they_touch(small_book: Path):
    built(report("build", "--to", "html", cwd=small_book))
    config = small_book / "_quarto-kk.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("Test book kk", "Test book kk, 2nd"),
                      encoding="utf-8")
    res = report("build", "--to", "html", cwd=small_book)
    built(res)
    assert "[ru] up to date" in res.stdout and "[kk] done" in res.stdout and "0 chapter(s) executed" in res.stdout
    assert "Test book kk, 2nd" in (small_book / "output/kk/html/index.html").read_text(encoding="utf-8")
    # a data file only chapter one reads: that chapter, in both editions, and the check run again
    csv = small_book / "data/s01_colours.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("akmola,green,5988", "akmola,green,5989"),
                   encoding="utf-8")
    res = report("build", "--to", "html", cwd=small_book)
    built(res)
    assert "report check: data/ is valid" in res.stdout
    assert res.stdout.count("1 chapter(s) executed, 2 cached") == 2, res.stdout
    for lang in ("kk", "ru"):
        assert "17\u00a0989" in (small_book / f"output/{lang}/html/one.html").read_text(encoding="utf-8")


def test_the_execution_cache_follows_data_files_and_helper_modules(tmp_path: Path):
    from helpers.core import paths, qmd
    from helpers.core.cache import sha_bytes
    from helpers.engines import chapter_cache

    (tmp_path / "_quarto.yml").write_text("project: {type: book}\n", encoding="utf-8")
    chapter_file = tmp_path / "c.qmd"
    chapter_file.write_text("# C\n\n```{python}\nx = 1\n```\n", encoding="utf-8")
    chapter = qmd.parse(chapter_file)
    (tmp_path / "data").mkdir()
    data_file, other = tmp_path / "data/d.csv", tmp_path / "notes.txt"
    data_file.write_text("a,b\n1,2\n", encoding="utf-8")
    other.write_text("note\n", encoding="utf-8")
    module = paths.package_dir() / "lang/fmt.py"  # a helper module: named relative to the package in use
    sha = lambda p: sha_bytes(p.read_bytes())  # noqa: E731
    cache = chapter_cache.Cache(tmp_path)
    key = chapter_cache.chapter_key(chapter, "kk", chapter_cache.environment_key())
    cache.put("kk", chapter, key, chapter_cache.Executed([[]], [], {"data/d.csv": sha(data_file), "notes.txt": sha(other)},
                                                          modules={"helpers/lang/fmt.py": sha(module)}))
    assert cache.get("kk", chapter, key) is not None
    assert cache.get("ru", chapter, key) is None
    assert cache.get("kk", chapter, chapter_cache.chapter_key(chapter, "ru", chapter_cache.environment_key())) is None
    for edited, good in ((data_file, "a,b\n1,2\n"), (other, "note\n")):
        edited.write_text(good.replace("2", "3").replace("note", "nope"), encoding="utf-8")  # a file it read
        assert cache.lookup("kk", chapter, key).changed == edited.relative_to(tmp_path).as_posix()
        edited.write_text(good, encoding="utf-8")
        assert cache.get("kk", chapter, key) is not None
    entry = json.loads((tmp_path / ".cache/exec/kk/c.json").read_text(encoding="utf-8"))
    entry["value"]["modules"]["helpers/lang/fmt.py"] = "0" * 64  # as if the module had been edited since
    (tmp_path / ".cache/exec/kk/c.json").write_text(json.dumps(entry), encoding="utf-8")
    assert cache.lookup("kk", chapter, key).changed == "helpers/lang/fmt.py"
    chapter_file.write_text("# C\n\nProse, edited.\n\n```{python}\nx = 1\n```\n", encoding="utf-8")
    edited = qmd.parse(chapter_file)
    edited.cells[0].code = "x = 2"
    assert chapter_cache.chapter_key(edited, "kk", chapter_cache.environment_key()) != key  # code is part of the key
    assert chapter_cache.chapter_key(qmd.parse(chapter_file), "kk", chapter_cache.environment_key()) == key  # prose is not


def test_a_build_records_the_data_files_and_helper_modules_each_chapter_used(built_small_book: Path):
    entry = json.loads((built_small_book / ".cache/exec/kk/one.json").read_text(encoding="utf-8"))["value"]
    assert "data/s01_colours.csv" in entry["reads"]  # by its place in the project, not by an absolute path
    assert not any(name.startswith("/") for name in [*entry["reads"], *entry["modules"]])
    modules = {name.removeprefix("helpers/") for name in entry["modules"]}
    assert {"book.py", "core/data.py", "present/charts/draw.py"} <= modules
    assert not any(name.startswith("build/") for name in modules)  # the engine does not run in the kernel


def test_a_failure_in_one_edition_names_its_chapter_while_the_other_is_built(small_book: Path):
    chapter = small_book / "chapters/ru/one.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("`{python} total`", "`{python} totl`"),
                       encoding="utf-8")
    res = report("build", "--to", "html", cwd=small_book)
    assert res.returncode == 1
    assert "error: chapters/ru/one.qmd:11: inline expression `{python} totl` failed: NameError" in res.stderr
    assert "[kk] done: " in res.stdout and not (small_book / "output/ru").exists()
    assert all(re.match(r"\[(kk|ru)\] |check data/|report check|audit", line) for line in res.stdout.splitlines()
               if line.strip()), res.stdout


def test_data_that_fails_the_check_replaces_no_output_though_the_editions_start_meanwhile(small_book: Path):
    built(report("build", "--to", "html", cwd=small_book))
    pages = {lang: (small_book / f"output/{lang}/html/one.html").read_bytes() for lang in ("kk", "ru")}
    csv = small_book / "data/s01_colours.csv"
    # a status outside the schema's list: the chapters would build with it (41 in the table), the check refuses it
    csv.write_text(csv.read_text(encoding="utf-8").replace("shymkent,red,40,organisation,published,",
                                                           "shymkent,red,41,organisation,guessed,"), encoding="utf-8")
    res = report("build", "--to", "html", cwd=small_book)
    assert res.returncode == 1
    assert "s01_colours.csv, row 5, column 'status'" in res.stderr and "nothing was built" in res.stderr
    assert "done:" not in res.stdout
    for lang in ("kk", "ru"):
        assert (small_book / f"output/{lang}/html/one.html").read_bytes() == pages[lang]
    assert sorted(p.name for p in (small_book / "output").iterdir()) == [".build-kk.json", ".build-ru.json",
                                                                        "index.html", "kk", "ru"]
