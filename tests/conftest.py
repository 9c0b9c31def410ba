"""Shared fixtures: the project root, a copy of the small synthetic test book, and built books."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"

# Every process the tests start inherits this mark in its environment: at the end of the session none may remain
# (a server not stopped, a kernel or an edition's process that outlived its build).
SESSION_MARK = "REPORT_TEST_SESSION"
os.environ[SESSION_MARK] = f"{os.getpid()}-{time.time_ns()}"


def processes_marked(name: str = SESSION_MARK, value: str | None = None) -> dict[int, str]:
    """The running processes (pid -> command line) whose environment holds ``name=value`` (by default this
    session's mark); not this process, not zombies."""
    mark = f"{name}={os.environ[name] if value is None else value}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if mark in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:  # ended meanwhile, or not ours to read
            continue
    return found


def wait_for_no_process(name: str = SESSION_MARK, value: str | None = None, timeout: float = 20) -> dict[int, str]:
    """Wait up to ``timeout`` s for the marked processes to end; those still running."""
    deadline = time.monotonic() + timeout
    while (left := processes_marked(name, value)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """The session fails if a process it started is still running once every test has ended (killed then)."""
    left = wait_for_no_process(timeout=20)
    if not left:
        return
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    lines = "\n".join(f"  pid {pid}: {cmd[:200]}" for pid, cmd in sorted(left.items()))
    session.config.get_terminal_writer().line(f"\nprocesses started by the tests still running at the end "
                                              f"(killed now):\n{lines}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def report(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the ``report`` command as a user would."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("REPORT_ROOT", None)
    full_env.pop("REPORT_DATA", None)
    return subprocess.run([sys.executable, "-m", "helpers", *args], cwd=cwd, capture_output=True, text=True,
                          env=full_env, timeout=timeout)


def free_port() -> int:
    """A port on localhost nothing listens on (for the preview and JupyterLab)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """End a server the test started: terminate, and kill it if it does not end within 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u00ad", "")  # soft hyphens: break points


def draft_marked(path: Path) -> bool:
    """Whether the PDF's pages carry the draft mark: a drawing in the mark's red on the pages' background layer."""
    from pypdf import PdfReader

    def content(page) -> bytes:
        obj = page["/Contents"].get_object()
        parts = obj if isinstance(obj, list) else [obj]
        return b"".join(part.get_object().get_data() for part in parts)

    return any(b"/Type/Background" in (data := content(p)) and b"0.78431374 0.11764706 0.11764706" in data
               for p in PdfReader(str(path)).pages if "/Contents" in p)


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    """A fresh copy of the synthetic test book (its data is made up)."""
    target = tmp_path / "book"
    shutil.copytree(FIXTURES / "book", target)
    return target


def report_copy(tmp_path: Path) -> Path:
    """A copy of the report's sources and data (the helpers stay those installed)."""
    book = tmp_path / "book"
    shutil.copytree(ROOT, book, ignore=shutil.ignore_patterns(".git", ".venv", "output", ".cache", "tests", "bench",
                                                              "src", "*.egg-info"))
    return book


@pytest.fixture(scope="session")
def built_small_book(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("small") / "book"
    shutil.copytree(FIXTURES / "book", target)
    res = report("build", cwd=target)
    assert res.returncode == 0, res.stderr
    return target


@pytest.fixture(scope="session")
def built_report(tmp_path_factory) -> Path:
    """The real report, both editions, HTML and PDF, built once for the session into a temporary folder."""
    out = tmp_path_factory.mktemp("report-output")
    res = report("build", "--output", str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    return out


@pytest.fixture(scope="session")
def strict_report(tmp_path_factory) -> Path:
    """The real report built for the printer (``--strict``: print files, preflight), both editions, once."""
    out = tmp_path_factory.mktemp("report-strict")
    res = report("build", "--strict", "--output", str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    return out
