"""The no-change path of ``report build`` (``core.stamp``): a stat rules out work, never a change.

The book is the small synthetic test book (its data is made up).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from conftest import report

from helpers.core import files, stamp


def edit_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    assert len(old.encode()) == len(new.encode())
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def replace_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    """Another file renamed over ``path``, with the same size and modification time."""
    st = path.stat()
    other = path.with_name(path.name + ".new")
    other.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, path)


def project(tmp_path: Path) -> tuple[Path, Path, dict]:
    root = tmp_path / "p"
    (root / "data").mkdir(parents=True)
    (root / "data" / "a.csv").write_text("x,1\n", encoding="utf-8")
    (root / "_quarto.yml").write_text("book: {}\n", encoding="utf-8")
    out = root / "output"
    (out / "kk").mkdir(parents=True)
    (out / "kk" / "index.html").write_text("<p>1</p>\n", encoding="utf-8")
    (out / ".build-kk.json").write_text("{}", encoding="utf-8")
    ctx = stamp.context({"root": str(root), "langs": ["kk"]})
    return root, out, ctx


def stamped(root: Path, out: Path, ctx: dict) -> None:
    before = stamp.inputs(root, out)
    stamp.write(out, ctx, before, ("kk",), [["out", "[kk] up to date"]])


def test_nothing_changed_gives_the_recorded_lines(tmp_path: Path):
    root, out, ctx = project(tmp_path)
    stamped(root, out, ctx)
    assert stamp.current_lines(out, ctx, ("kk",)) == [["out", "[kk] up to date"]]
    other = stamp.context({"root": str(root), "langs": ["kk", "ru"]})
    assert stamp.current_lines(out, other, ("kk",)) is None  # other options


def test_every_kind_of_change_is_noticed(tmp_path: Path):
    root, out, ctx = project(tmp_path)
    changes = [
        lambda: edit_keeping_size_and_time(root / "data" / "a.csv", "x,1", "x,2"),
        lambda: replace_keeping_size_and_time(root / "data" / "a.csv", "x,2", "x,3"),
        lambda: (root / "data" / "b.csv").write_text("y\n", encoding="utf-8"),
        lambda: (root / "data" / "b.csv").unlink(),
        lambda: edit_keeping_size_and_time(out / "kk" / "index.html", "<p>1</p>", "<p>2</p>"),
        lambda: (out / "kk" / "extra.html").write_text("", encoding="utf-8"),
    ]
    for number, change in enumerate(changes):
        stamped(root, out, ctx)
        assert stamp.current_lines(out, ctx, ("kk",)) is not None, number
        time.sleep(0.01)
        change()
        assert stamp.current_lines(out, ctx, ("kk",)) is None, number
    stamp.forget(out)
    assert stamp.current_lines(out, ctx, ("kk",)) is None


def test_a_file_changed_too_recently_is_compared_by_content(tmp_path: Path, monkeypatch):
    root, out, ctx = project(tmp_path)
    monkeypatch.setattr(files, "RACY_NS", 10**18)  # every file's state is too recent to be trusted alone
    stamped(root, out, ctx)
    csv = str(root / "data" / "a.csv")
    recorded = stamp.inputs(root, out)[csv]
    assert len(recorded) == 6 and recorded[5] is not None  # its hash is recorded
    st = os.stat(csv)
    real_stat = os.stat

    def same_state(path, *args, **kwargs):  # a change within the clock's resolution: the state stays the same
        res = real_stat(path, *args, **kwargs)
        return st if str(path) == csv else res

    (root / "data" / "a.csv").write_text("x,9\n", encoding="utf-8")
    monkeypatch.setattr(stamp.os, "stat", same_state)
    assert stamp.current_lines(out, ctx, ("kk",)) is None


def test_a_second_build_without_changes_prints_what_a_full_check_prints(small_book: Path):
    first = report("build", cwd=small_book)
    assert first.returncode == 0, first.stderr
    recorded = (small_book / "output" / stamp.NAME).stat()
    fast = report("build", cwd=small_book)
    assert fast.returncode == 0, fast.stderr
    now = (small_book / "output" / stamp.NAME).stat()  # a full build would have written it again
    assert (now.st_ino, now.st_mtime_ns) == (recorded.st_ino, recorded.st_mtime_ns), "the no-change path was not taken"
    (small_book / "output" / stamp.NAME).unlink()
    full = report("build", cwd=small_book)  # checks every input by content
    assert full.returncode == 0, full.stderr
    assert fast.stdout.count("(up to date)") == 2, fast.stdout

    def lines(text: str) -> dict[str, list[str]]:
        """Each edition's lines in their order (the editions' processes run side by side: their lines may
        alternate either way), and the lines of the command itself."""
        by: dict[str, list[str]] = {}
        for line in text.splitlines():
            if not line.startswith("built in"):
                by.setdefault(line.split(" ", 1)[0] if line.startswith("[") else "", []).append(line)
        return by

    assert lines(fast.stdout) == lines(full.stdout)
    assert lines(fast.stderr) == lines(full.stderr)

    # a data file replaced by another of the same size and time: the chapters that read it run again
    replace_keeping_size_and_time(small_book / "data" / "s01_colours.csv", "akmola,green,5988", "akmola,green,5989")
    edited = report("build", cwd=small_book)
    assert edited.returncode == 0, edited.stderr
    assert "(up to date)" not in edited.stdout and "changed: data/s01_colours.csv" in edited.stdout, edited.stdout
    assert "17\u00a0989" in (small_book / "output" / "kk" / "html" / "one.html").read_text(encoding="utf-8")
    # a hand edit of a built file: the edition is built again
    page = small_book / "output" / "kk" / "html" / "one.html"
    built = page.read_text(encoding="utf-8")
    edit_keeping_size_and_time(page, "<!DOCTYPE html>", "<!doctype html>")
    again = report("build", cwd=small_book)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("(up to date)") == 1 and page.read_text(encoding="utf-8") == built
    # a build that does not pass removes the stamp: the next one checks everything
    (small_book / "data" / "s01_colours.csv").write_text("broken\n", encoding="utf-8")
    failed = report("build", cwd=small_book)
    assert failed.returncode != 0 and not (small_book / "output" / stamp.NAME).exists()


def test_jupyter_is_loaded_only_when_a_chapter_executes(small_book: Path):
    from helpers.engines import builtin
    from helpers.engines.options import Options

    opts = Options(output=small_book / "output")
    assert builtin.needs_kernel(small_book, "kk", opts)  # nothing built yet
    assert report("build", cwd=small_book).returncode == 0
    assert not builtin.needs_kernel(small_book, "kk", opts)
    chapter = small_book / "chapters" / "kk" / "one.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("Жалпы саны", "Жалпы сан"), encoding="utf-8")
    assert not builtin.needs_kernel(small_book, "kk", opts)  # prose: every chapter from the cache
    csv = small_book / "data" / "s01_colours.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("akmola,green,5988", "akmola,green,5989"),
                   encoding="utf-8")
    assert builtin.needs_kernel(small_book, "kk", opts)
    assert builtin.needs_kernel(small_book, "kk", Options(output=small_book / "output", cache=False))
