"""Whatever goes wrong, the message says where and what, and the last good build is still there; a build for
the printer (--strict) refuses gap panels, broken references, missing translations and open audit findings.
All of this on copies of the synthetic test book (made-up data)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import draft_marked, report

HTML = "output/kk/html/one.html"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def good_build(book: Path) -> str:
    res = report("build", "--lang", "kk", "--to", "html", cwd=book)
    assert res.returncode == 0, res.stderr
    return (book / HTML).read_text(encoding="utf-8")


def in_cell(book: Path, code: str) -> None:
    """Put ``code`` into the first cell of the Kazakh chapter (line 8 of one.qmd)."""
    edit(book / "chapters/kk/one.qmd", 'b = Book("kk")\n', f'b = Book("kk")\n{code}\n')


def kernels_in(folder: Path) -> list[int]:
    """Kernel processes working in ``folder``: none may be left behind."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
            if b"ipykernel" in cmd and Path(os.readlink(proc / "cwd")) == folder.resolve():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def leftovers(book: Path) -> list[str]:
    """Staging folders and locks a build must not leave in output/."""
    out = book / "output"
    if not out.exists():
        return []
    return sorted(p.name for p in out.iterdir() if p.name.startswith((".kk-", ".ru-", ".kk.lock", ".ru.lock")))


def test_a_hanging_cell_times_out_with_its_place_and_no_kernel_is_left(small_book: Path):
    before = good_build(small_book)
    in_cell(small_book, "import time; time.sleep(120)")
    res = report("build", "--lang", "kk", "--to", "html", "--timeout", "3", cwd=small_book)
    assert res.returncode == 1
    assert "chapters/kk/one.qmd:3: cell 1 did not finish within 3 s (raise it with --timeout)" in res.stderr
    assert (small_book / HTML).read_text(encoding="utf-8") == before
    assert kernels_in(small_book) == [] and leftovers(small_book) == []


def test_a_dying_kernel_is_named_and_the_previous_output_kept(small_book: Path):
    before = good_build(small_book)
    in_cell(small_book, "import os; os._exit(3)")
    res = report("build", "--lang", "kk", "--to", "html", cwd=small_book)
    assert res.returncode == 1
    assert "chapters/kk/one.qmd:3: the kernel died while running cell 1" in res.stderr
    assert (small_book / HTML).read_text(encoding="utf-8") == before
    assert kernels_in(small_book) == [] and leftovers(small_book) == []


def kernel_spec(folder: Path, code: str) -> dict:
    """A ``python3`` kernel spec in ``folder`` (first on JUPYTER_PATH) that runs ``code`` before the real kernel."""
    spec = folder / "kernels/python3"
    spec.mkdir(parents=True)
    launcher = spec / "launch.py"
    launcher.write_text(code + "\nfrom ipykernel import kernelapp\nkernelapp.launch_new_instance()\n",
                        encoding="utf-8")
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(launcher), "-f", "{connection_file}"],
        "display_name": "Python 3 (made to fail for the test)", "language": "python"}), encoding="utf-8")
    return {"JUPYTER_PATH": str(folder)}


def test_a_kernel_that_dies_on_its_first_start_is_started_again(small_book: Path, tmp_path: Path):
    # as when another process takes one of the kernel's ports first: the kernel exits before it answers
    marker = tmp_path / "started-once"
    env = kernel_spec(tmp_path / "jupyter", f"""
import pathlib, sys
marker = pathlib.Path({str(marker)!r})
if not marker.exists():
    marker.touch()
    sys.exit("zmq.error.ZMQError: Address already in use (made up by the test)")""")
    res = report("build", "--lang", "kk", "--to", "html", cwd=small_book, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert marker.exists() and (small_book / HTML).exists()


def test_a_kernel_that_cannot_start_is_named_with_its_log_and_the_previous_output_kept(small_book: Path,
                                                                                      tmp_path: Path):
    before = good_build(small_book)
    in_cell(small_book, "x = 1")  # a changed chapter: the kernel is needed
    env = kernel_spec(tmp_path / "jupyter", 'import sys; sys.exit("the kernel refuses to start (made up by the test)")')
    res = report("build", "--lang", "kk", "--to", "html", cwd=small_book, env=env)
    assert res.returncode == 1
    assert "the Jupyter kernel did not start (3 attempts)" in res.stderr, res.stderr
    assert "kernel: the kernel refuses to start (made up by the test)" in res.stderr, res.stderr
    assert (small_book / HTML).read_text(encoding="utf-8") == before
    assert leftovers(small_book) == []


@pytest.mark.parametrize("langs", ["kk", "kk,ru"])  # one edition beside the data check; two in parallel
def test_ctrl_c_keeps_the_previous_output_and_cleans_up(small_book: Path, langs: str):
    build = [sys.executable, "-m", "helpers", "build", "--lang", langs, "--to", "html"]
    env = {k: v for k, v in os.environ.items() if k not in ("REPORT_ROOT", "REPORT_DATA")}
    assert subprocess.run(build, cwd=small_book, env=env, capture_output=True).returncode == 0
    pages = {lang: (small_book / f"output/{lang}/html/one.html").read_text(encoding="utf-8")
             for lang in langs.split(",")}
    started = {}
    for lang in pages:  # each edition's cell says in a file outside the book that it runs, then waits
        started[lang] = small_book.parent / f"cell-started-{lang}"
        edit(small_book / f"chapters/{lang}/one.qmd", f'b = Book("{lang}")\n',
             f'b = Book("{lang}")\nimport pathlib, time; pathlib.Path({str(started[lang])!r}).touch(); '
             'time.sleep(60)\n')
    # as from a terminal: a test run started in the background (nohup, `&` in a script) passes SIGINT on ignored,
    # and a program that finds it ignored keeps it so
    proc = subprocess.Popen(build, cwd=small_book, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not all(f.exists() for f in started.values()) and time.monotonic() < deadline:  # however slow the kernel
        time.sleep(0.2)
    assert all(f.exists() for f in started.values()), "the cells did not start within 120 s"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends to the whole process group
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGUSR1)  # each build process prints its threads' stacks: where it hangs
        time.sleep(2)
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"the build did not stop within 60 s of Ctrl-C:\n{out}\n{err}")
    assert proc.returncode == 130, out + err
    assert "interrupted: the previous output is unchanged" in err
    for lang, before in pages.items():
        assert (small_book / f"output/{lang}/html/one.html").read_text(encoding="utf-8") == before
    deadline = time.monotonic() + 10  # the kernels have been told to stop; under load it may take a moment
    while kernels_in(small_book) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kernels_in(small_book) == [] and leftovers(small_book) == []


def test_an_output_folder_that_cannot_be_written_is_a_one_line_error(small_book: Path, tmp_path: Path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the output folder should be")
    res = report("build", "--lang", "kk", "--to", "html", "--output", str(blocked / "out"), cwd=small_book)
    assert res.returncode == 1
    assert f"cannot write to the output folder {blocked / 'out'}" in res.stderr and "--output" in res.stderr


def test_unknown_format_is_a_one_line_error(small_book: Path):
    res = report("build", "--to", "docx", cwd=small_book)
    assert res.returncode == 2 and res.stderr.strip() == "error: unknown format 'docx': use --to html,pdf"


# --- draft and strict builds -------------------------------------------------------------------------

def test_a_chapter_in_one_language_only(small_book: Path):
    (small_book / "chapters/kk/two.qmd").write_text("# Екінші тарау {#sec-two}\n\nМәтін.\n", encoding="utf-8")
    edit(small_book / "_quarto-kk.yml", "    - chapters/kk/one.qmd\n",
         "    - chapters/kk/one.qmd\n    - chapters/kk/two.qmd\n")
    draft = report("build", "--to", "html", cwd=small_book)
    assert draft.returncode == 0, draft.stderr
    assert ("warning: MISSING-TRANSLATION: chapters/kk/two.qmd is in the kk edition only "
            "(there is no chapters/ru/two.qmd)") in draft.stderr
    strict = report("build", "--to", "html", "--strict", cwd=small_book)
    assert strict.returncode == 1
    assert "error: MISSING-TRANSLATION: chapters/kk/two.qmd" in strict.stderr and "nothing was built" in strict.stderr


def test_strict_refuses_an_unacknowledged_audit_finding(small_book: Path):
    good_build(small_book)
    edit(small_book / "data/s01_colours.csv", "shymkent,total,100,", "shymkent,total,101,")  # a wrong total
    draft = report("build", "--lang", "kk", "--to", "html", cwd=small_book)
    assert draft.returncode == 0
    assert "warning: UNACKNOWLEDGED-FINDING derived:s01_colours:region=shymkent;colour=total" in draft.stderr
    strict = report("build", "--lang", "kk", "--to", "html", "--strict", cwd=small_book)
    assert strict.returncode == 1 and "error: UNACKNOWLEDGED-FINDING" in strict.stderr
    (small_book / "data/audit-acknowledged.csv").write_text(
        "id,handling,values,comment\nderived:s01_colours:*,recomputed,101/100,synthetic\n", encoding="utf-8")
    assert report("build", "--lang", "kk", "--to", "html", "--strict", cwd=small_book).returncode == 0
    # a later typo in the acknowledged total: the same finding id with other values is not acknowledged
    edit(small_book / "data/s01_colours.csv", "shymkent,total,101,", "shymkent,total,110,")
    strict = report("build", "--lang", "kk", "--to", "html", "--strict", cwd=small_book)
    assert strict.returncode == 1
    assert ("error: UNACKNOWLEDGED-FINDING derived:s01_colours:region=shymkent;colour=total (printed 110, "
            "recomputed 100): data/audit-acknowledged.csv acknowledges it for other values (101/100)") in strict.stderr


def test_strict_refuses_a_gap_panel_and_a_broken_reference_draft_marks_its_pages(small_book: Path):
    for lang in ("kk", "ru"):  # both editions, which must say the same
        chapter = small_book / f"chapters/{lang}/one.qmd"
        edit(chapter, "Жалпы саны / всего:", "Жоқ сілтеме: @dgm-nowhere. Жалпы саны / всего:")
        with chapter.open("a", encoding="utf-8") as fh:
            fh.write('\n::: {#dgm-empty}\n```{python}\nfrom helpers.present.charts import draw as figures\nfigures.gap_panel("Жоқ")\n```\n\n'
                     "Мәні берілмеген диаграмма\n:::\n")
    draft = report("build", "--lang", "kk", "--to", "pdf", cwd=small_book)
    assert draft.returncode == 0, draft.stderr
    assert "GAP-PANEL at chapters/kk/one.qmd:" in draft.stderr and "UNRESOLVED-REFERENCE dgm-nowhere" in draft.stderr
    assert "MISSING-ALT dgm-empty" in draft.stderr  # a panel without alt text: its caption stands in (PDF/UA)
    assert draft_marked(next((small_book / "output/kk").glob("*.pdf")))
    before = next((small_book / "output/kk").glob("*.pdf")).read_bytes()
    strict = report("build", "--lang", "kk", "--to", "pdf", "--strict", cwd=small_book)
    assert strict.returncode == 1
    assert "strict build (for the printer) stopped on:" in strict.stderr
    assert "GAP-PANEL at chapters/kk/one.qmd:" in strict.stderr and "UNRESOLVED-REFERENCE dgm-nowhere" in strict.stderr
    assert next((small_book / "output/kk").glob("*.pdf")).read_bytes() == before  # the draft is still there


def test_a_clean_strict_build_has_no_draft_mark(small_book: Path):
    res = report("build", "--lang", "ru", "--to", "pdf", "--strict", cwd=small_book)
    assert res.returncode == 0, res.stderr
    assert not draft_marked(next((small_book / "output/ru").glob("*.pdf")))


@pytest.mark.parametrize("lang", ["kk"])
def test_missing_chapter_file_named_in_the_profile(small_book: Path, lang: str):
    (small_book / f"chapters/{lang}/one.qmd").unlink()
    res = report("build", "--lang", lang, "--to", "html", cwd=small_book)
    assert res.returncode == 1
    assert f"_quarto-{lang}.yml names chapter file(s) that do not exist: chapters/{lang}/one.qmd" in res.stderr


def test_a_missing_font_is_a_one_line_error_with_the_fix(small_book: Path):
    before = good_build(small_book)
    edit(small_book / "_quarto.yml", "report:\n", 'report:\n  mainfont: "Times Kazakh"\n')
    res = report("build", "--lang", "kk", "--to", "html,pdf", cwd=small_book)
    assert res.returncode == 1
    [line] = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert "the font 'Times Kazakh' is not available to Typst" in line and "Libertinus Serif" in line
    assert "set 'report: mainfont:' in _quarto.yml" in line
    assert (small_book / HTML).read_text(encoding="utf-8") == before
