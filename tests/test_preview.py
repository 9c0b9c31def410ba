"""``report preview`` on the synthetic book: served on localhost, rebuilt after an edit, errors shown while the
last good page stays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port, report, stop

TIMEOUT = 180  # seconds for a build to show up: generous, the machine may be busy


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def _wait(what, timeout: float = TIMEOUT, proc: subprocess.Popen | None = None):
    """Poll ``what()`` until it returns something true; returns that value."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"preview exited with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}")
        try:
            last = what()
            if last:
                return last
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout} s; last state: {last!r}")


@pytest.fixture
def preview(small_book: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REPORT_ROOT", "REPORT_DATA")}
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "preview", "--lang", "kk", "--port", str(port)],
                            cwd=small_book, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        yield proc, base, small_book
    finally:
        stop(proc)


def _status(base: str) -> dict:
    return json.loads(_get(f"{base}/__build"))


def test_preview_serves_rebuilds_after_an_edit_and_keeps_the_last_good_page_on_error(preview):
    proc, base, book = preview
    first = _wait(lambda: _status(base)["version"] >= 1 and _status(base), proc=proc)
    assert first["error"] is None
    page = _get(f"{base}/one.html")
    assert "Түстер тарауы" in page and "1-диаграмма." in page
    assert "/__build" in page, "the served page polls the build endpoint"
    assert "http://" not in page.split("<script>")[-1] and "https://" not in page.split("<script>")[-1]
    # the chapter's download links work in the preview too
    assert 'href="../notebooks/one.ipynb"' in page and 'href="../source/one.qmd"' in page
    assert json.loads(_get(f"{base}/notebooks/one.ipynb"))["nbformat"] == 4
    assert "Жалпы саны / всего" in _get(f"{base}/source/one.qmd")

    # edit the prose: the served page changes, with a new build number
    chapter = book / "chapters/kk/one.qmd"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("Жалпы саны / всего", "Жаңа сөйлем, алдын ала қарау. Жалпы саны / всего"),
                       encoding="utf-8")
    _wait(lambda: "Жаңа сөйлем, алдын ала қарау." in _get(f"{base}/one.html"), proc=proc)
    # the build's process has swapped the new pages in; the build number moves on when it has finished
    second = _wait(lambda: (s := _status(base))["version"] > first["version"] and s, proc=proc)
    assert second["error"] is None

    # break the chapter: the error is reported, the last good page is still served, with the error shown
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n```{python}\nraise ValueError('сынақ қатесі')\n```\n",
                       encoding="utf-8")
    broken = _wait(lambda: (s := _status(base))["error"] and s, proc=proc)
    assert "one.qmd" in broken["error"] and "сынақ қатесі" in broken["error"]
    assert broken["version"] == second["version"]
    page = _get(f"{base}/one.html")
    assert "Жаңа сөйлем, алдын ала қарау." in page, "the last good page stays"
    assert 'id="preview-banner"' in page and "сынақ қатесі" in page, "the page shows the error"

    # fix it again: the error goes, the build number moves on
    chapter.write_text(text.replace("Жалпы саны / всего", "Түзетілді. Жалпы саны / всего"), encoding="utf-8")
    fixed = _wait(lambda: (s := _status(base))["error"] is None and s["version"] > second["version"] and s,
                  proc=proc)
    page = _get(f"{base}/one.html")
    assert "Түзетілді." in page and 'id="preview-banner"' not in page
    assert fixed["version"] == second["version"] + 1


def test_built_site_has_no_preview_script(built_small_book: Path):
    """The reload script is added by the preview server only, never written into the site."""
    pages = list((built_small_book / "output/kk/html").glob("*.html"))
    assert pages
    for page in pages:
        assert "__build" not in page.read_text(encoding="utf-8")


def test_preview_refuses_an_unknown_language(small_book: Path):
    res = subprocess.run([sys.executable, "-m", "helpers", "preview", "--lang", "de", "--port", "0"],
                         cwd=small_book, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "unknown language" in res.stderr


def test_an_edit_is_built_by_the_process_and_kernel_started_ahead_and_makes_what_a_build_of_its_own_makes(
        small_book: Path, tmp_path: Path, monkeypatch):
    from helpers.commands.preview import Preview

    monkeypatch.delenv("REPORT_ROOT", raising=False)
    monkeypatch.delenv("REPORT_DATA", raising=False)
    libraries = tmp_path / "libraries"  # a folder of sys.path, as a library would be installed into
    libraries.mkdir()
    monkeypatch.syspath_prepend(str(libraries))
    lines: list[str] = []
    site = tmp_path / "site"
    preview = Preview(small_book, "kk", port=free_port(), output=site, log=lines.append)
    ahead = "[kk] build: the build process started ahead of this edit, its modules loaded"
    try:
        preview.start()
        assert preview.waiting.ready.wait(TIMEOUT), "a kernel waits for the next build"
        _wait(lambda: preview.ahead is not None and preview.ahead.proc is not None, timeout=30)
        csv = small_book / "data/s01_colours.csv"
        csv.write_text(csv.read_text(encoding="utf-8").replace("akmola,green,5988", "akmola,green,5989"),
                       encoding="utf-8")
        _wait(lambda: preview.version >= 2 or preview.error)
        assert preview.error is None
        assert lines.count(ahead) == 1, lines
        assert any("[kk] kernel: the one started ahead of this build" in line for line in lines), lines
        assert "17\u00a0989" in (site / "kk/html/one.html").read_text(encoding="utf-8")
        _wait(lambda: preview.waiting.ready.is_set())  # the next one waits in its place

        # a library installed since the next build's process started: that process is not used
        _wait(lambda: preview.ahead.proc is not None, timeout=30)
        (libraries / "installed.py").write_text("# a module installed after the process started\n")
        chapter = small_book / "chapters/kk/one.qmd"
        text = chapter.read_text(encoding="utf-8")
        chapter.write_text(text.replace("Жалпы саны / всего", "Кейін. Жалпы саны / всего"), encoding="utf-8")
        _wait(lambda: preview.version >= 3 or preview.error)
        assert preview.error is None and "Кейін." in (site / "kk/html/one.html").read_text(encoding="utf-8")
        assert lines.count(ahead) == 1, "the process started before the library was installed did not build"
        assert "[kk] build: the helper package or a library changed since the build process waiting started; " \
               "starting one" in lines, lines
        waiting = _wait(lambda: preview.ahead.proc, timeout=30)  # a new one, for the next edit
    finally:
        preview.stop()
    assert not preview.waiting.file.exists() and preview.waiting.manager is None
    assert preview.ahead.proc is None and waiting.poll() is not None, "the process waiting ended with the preview"
    # the same notebooks, byte for byte, as a build that starts its own kernel and uses no cache
    own = tmp_path / "own"
    res = report("build", "--lang", "kk", "--to", "html", "--no-cache", "--output", str(own), cwd=small_book)
    assert res.returncode == 0, res.stderr
    notebooks = sorted((own / "kk/notebooks").glob("*.ipynb"))
    assert notebooks and all(nb.read_bytes() == (site / "kk/notebooks" / nb.name).read_bytes() for nb in notebooks)
