"""Interrupted builds and stopped servers, on the synthetic test book: the output stays whole (every file as its
manifest lists it), the next build repairs and removes what was left and says so in one line, and no process
started by the command goes on running. ``bench/crash`` runs the long version (SIGKILL at random times)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port, report, wait_for_no_process

CRASH_MARK = "REPORT_CRASH_RUN"  # in the environment of everything one interrupted command started


def whole(out: Path, lang: str) -> None:
    """``out/<lang>`` holds exactly the files its manifest lists, each with its content."""
    folder = out / lang
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    found = {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert found == manifest["files"], f"{lang}: differs from its manifest"


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and not p.name.startswith(".build-"))


def start(book: Path, mark: str, *args: str, tmp: Path | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("REPORT_ROOT", "REPORT_DATA")}
    env[CRASH_MARK] = mark
    if tmp is not None:
        env["TMPDIR"] = str(tmp)
    # as from a terminal: a test run started in the background passes SIGINT on ignored, which a program keeps so
    return subprocess.Popen([sys.executable, "-m", "helpers", *args], cwd=book, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def read_until(proc: subprocess.Popen, marker: str, timeout: float = 300) -> list[str]:
    """The output lines up to the first holding ``marker``; fails if the command ends first."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if marker in line:
            return lines
        assert time.monotonic() < deadline, f"no {marker!r} within {timeout} s"
    pytest.fail(f"the command ended before {marker!r}:\n" + "\n".join(lines))


def drain(proc: subprocess.Popen) -> None:
    """Read the rest of the output (its writers may be ending) in the background."""
    threading.Thread(target=proc.stdout.read, daemon=True).start()


# kill points: (the edition's progress line, kill the whole process group or only the command)
KILLS = [("[kk] execute", True), ("[ru] html:", False), ("[kk] pdf:", True), ("[ru] notebooks:", True),
         ("[kk] notebooks:", False), ("[kk] timings:", True)]


def test_a_build_killed_at_each_stage_leaves_whole_outputs_and_the_next_build_cleans_up(small_book: Path):
    out = small_book / "output"
    first = report("build", cwd=small_book)
    assert first.returncode == 0, first.stdout + first.stderr
    for n, (marker, group) in enumerate(KILLS):
        mark = f"{os.getpid()}-kill-{n}"
        proc = start(small_book, mark, "build", "--no-cache")
        read_until(proc, marker)
        (os.killpg if group else os.kill)(proc.pid, signal.SIGKILL)
        proc.wait()
        drain(proc)
        # the editions' processes and the kernels end with the build, however it was killed
        assert not wait_for_no_process(CRASH_MARK, mark), f"still running after a SIGKILL at {marker!r}"
        for lang in ("kk", "ru"):
            whole(out, lang)
        # whatever an edition's process could not remove (SIGKILL of the group; rarely, under load, a SIGTERM
        # that reaches it where it cannot clean up), the next build names in one line and removes
        left = leftovers(out)
        res = report("build", cwd=small_book)
        assert res.returncode == 0, res.stdout + res.stderr
        said = [line for line in res.stdout.splitlines() if "cleaned up after an interrupted build" in line]
        for lang in ("kk", "ru"):
            mine = [line for line in said if line.startswith(f"[{lang}] ")]
            assert len(mine) == (1 if any(name.startswith(f".{lang}") for name in left) else 0), (marker, left, said)
            whole(out, lang)
        assert leftovers(out) == [], marker


def test_a_replacement_stopped_half_way_is_put_back_and_leftovers_are_named_in_one_line(small_book: Path):
    first = report("build", "--lang", "kk", "--to", "html", cwd=small_book)
    assert first.returncode == 0, first.stderr
    out = small_book / "output"
    manifest = (out / "kk/manifest.json").read_bytes()
    os.replace(out / "kk", out / ".kk-old")  # a crash between the two renames of a swap
    (out / ".kk-q1w2e3r4").mkdir()  # a staging folder of a killed build
    (out / ".kk-q1w2e3r4/index.html").write_text("half", encoding="utf-8")
    (out / ".kk.lock").write_text("999999999")  # its lock
    (out / ".build-kk.json.999999999.1.tmp").write_text("{", encoding="utf-8")  # half-written files
    (small_book / ".cache/exec/kk/.one.json.999999999.1.tmp").write_text("{", encoding="utf-8")
    res = report("build", "--lang", "kk", "--to", "html", cwd=small_book)
    assert res.returncode == 0, res.stderr
    said = [line for line in res.stdout.splitlines() if "cleaned up" in line]
    assert said == ["[kk] cleaned up after an interrupted build: kk/ put back from .kk-old (a replacement stopped "
                    "half-way); 1 staging folder(s) removed (.kk-q1w2e3r4); 2 half-written file(s) removed "
                    "(.build-kk.json.999999999.1.tmp, .one.json.999999999.1.tmp); the lock of process 999999999, which no longer runs"], res.stdout
    assert "[kk] up to date" in res.stdout  # the output put back is the last good one
    assert (out / "kk/manifest.json").read_bytes() == manifest
    whole(out, "kk")
    assert leftovers(out) == [] and not list((small_book / ".cache").rglob("*.tmp"))


def _two_folders(tmp_path: Path) -> tuple[Path, Path]:
    target, staging = tmp_path / "kk", tmp_path / ".kk-a1b2c3d4"
    target.mkdir()
    (target / "old.txt").write_text("old")
    staging.mkdir()
    (staging / "new.txt").write_text("new")
    return staging, target


def test_the_output_is_replaced_in_one_step(tmp_path: Path):
    from helpers.engines.builtin import _swap

    staging, target = _two_folders(tmp_path)
    _swap(staging, target)
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    # Linux: one exchange of the two folders; the staging name holds the previous output for removal
    assert [p.name for p in staging.iterdir()] == ["old.txt"]
    assert not (tmp_path / ".kk-old").exists()


def test_where_folders_cannot_be_exchanged_two_renames_replace_the_output(tmp_path: Path, monkeypatch):
    from helpers.engines import builtin

    monkeypatch.setattr(builtin, "exchange", lambda new, old: False)
    staging, target = _two_folders(tmp_path)
    builtin._swap(staging, target)
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kk"]


def _serving(base: str) -> bool:
    try:
        with urllib.request.urlopen(base, timeout=5):
            return True
    except urllib.error.HTTPError:  # answered (without a token: refused)
        return True
    except OSError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_preview_leaves_no_process_and_no_temporary_folder(small_book: Path, tmp_path: Path, sig):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    for when in ("[kk] execute", "preview of the kk edition"):  # while its first build runs; while it serves
        mark = f"{os.getpid()}-preview-{sig}-{when}"
        proc = start(small_book, mark, "preview", "--lang", "kk", "--port", str(free_port()), tmp=tmp)
        read_until(proc, when)
        proc.send_signal(sig)
        assert proc.wait(timeout=60) in (0, 130), when
        drain(proc)
        assert not wait_for_no_process(CRASH_MARK, mark), when
        assert list(tmp.iterdir()) == [], when  # the site's temporary folder is removed


def test_a_killed_preview_leaves_no_process_and_the_next_one_removes_its_folder(small_book: Path, tmp_path: Path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    mark = f"{os.getpid()}-preview-killed"
    proc = start(small_book, mark, "preview", "--lang", "kk", "--port", str(free_port()), tmp=tmp)
    read_until(proc, "[kk] execute")
    proc.kill()  # during its first build: the build ends with it
    proc.wait()
    drain(proc)
    assert not wait_for_no_process(CRASH_MARK, mark)
    [left] = list(tmp.iterdir())
    assert left.name.startswith(f"report-preview-{proc.pid}-kk-")
    mark += "-next"
    proc = start(small_book, mark, "preview", "--lang", "kk", "--port", str(free_port()), tmp=tmp)
    said = read_until(proc, "preview of the kk edition")
    assert f"removed the temporary folder(s) of a preview that was killed: {left.name}" in said
    proc.terminate()
    proc.wait(timeout=60)
    drain(proc)
    assert not wait_for_no_process(CRASH_MARK, mark) and list(tmp.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_stopped_report_lab_leaves_no_jupyterlab_running(built_small_book: Path, sig):
    pytest.importorskip("jupyterlab")
    mark = f"{os.getpid()}-lab-{sig}"
    port = free_port()
    proc = start(built_small_book, mark, "lab", "--lang", "kk", "--no-browser", "--port", str(port))
    deadline = time.monotonic() + 120
    while not _serving(f"http://127.0.0.1:{port}/api/status") and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.5)
    assert len(wait_for_no_process(CRASH_MARK, mark, timeout=0)) >= 2  # report lab and its JupyterLab
    proc.send_signal(sig)  # SIGKILL: report lab cannot stop it, the system does (its parent died)
    proc.wait(timeout=60)
    drain(proc)
    assert not wait_for_no_process(CRASH_MARK, mark), f"JupyterLab still running after {sig.name}"
    assert not _serving(f"http://127.0.0.1:{port}/api/status")


WRITERS = """
import os, sys
from helpers.core.processes import say
child = os.fork() == 0
for i in range(20000):
    say(f"[{'kk' if child else 'ru'}] line {i} " + "x" * (i % 300))
os._exit(0) if child else os.wait()
"""


def test_progress_lines_of_two_processes_never_join():
    # unbuffered (python -u, PYTHONUNBUFFERED as on CI): print() would write a line and its newline apart
    res = subprocess.run([sys.executable, "-u", "-c", WRITERS], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 40000
    bad = [line for line in lines if not re.fullmatch(r"\[(kk|ru)\] line \d+ x*", line)]
    assert bad == [], bad[:3]


def test_an_interrupted_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path):
    from helpers.core.files import atomic, stale_temporaries

    path = tmp_path / "findings.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic(path) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert path.read_text(encoding="utf-8") == "old" and list(tmp_path.iterdir()) == [path]
    (tmp_path / f".findings.csv.{os.getpid()}.1.tmp").write_text("being written")  # a live writer's
    (tmp_path / ".findings.csv.999999999.1.tmp").write_text("half")  # a killed writer's
    assert [p.name for p in stale_temporaries(tmp_path)] == [".findings.csv.999999999.1.tmp"]


def test_a_stopped_rerun_stops_its_kernels_at_once(small_book: Path):
    assert report("build", "--lang", "kk", "--to", "html", cwd=small_book).returncode == 0
    published = small_book / "output/kk/notebooks/one.ipynb"
    nb = json.loads(published.read_text(encoding="utf-8"))
    nb["cells"].insert(0, {"cell_type": "code", "execution_count": None, "id": "slow", "metadata": {},
                           "outputs": [], "source": "import time; time.sleep(300)"})  # a notebook that runs long
    published.write_text(json.dumps(nb), encoding="utf-8")
    mark = f"{os.getpid()}-rerun"
    proc = start(small_book, mark, "rerun", "--lang", "kk", "--jobs", "1", "one")
    deadline = time.monotonic() + 120
    while not any("ipykernel" in cmd for cmd in wait_for_no_process(CRASH_MARK, mark, timeout=0).values()):
        assert time.monotonic() < deadline and proc.poll() is None, "no kernel started"
        time.sleep(0.3)
    time.sleep(2)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 130
    drain(proc)
    assert not wait_for_no_process(CRASH_MARK, mark), "a kernel of the rerun is still running"
    assert time.monotonic() - started < 60
