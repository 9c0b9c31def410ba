"""The kernel-side part of the builtin engine (``engines/in_kernel``), called as the engine calls it, in a real
kernel: what it records, the reset between chapters, the inline expressions, and that it binds no name."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path

import pytest

from helpers.core.files import alive
from helpers.engines import kernel as engine
from helpers.engines.kernel import call_in_kernel


@pytest.fixture(scope="module")
def kernel():
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run(kernel, code: str) -> list[dict]:
    """Run a cell; its outputs (streams and displays)."""
    outputs = []

    def keep(msg):
        if msg["msg_type"] in ("display_data", "stream", "error"):
            outputs.append(msg["content"])

    reply = kernel.execute_interactive(code, output_hook=keep, timeout=120)
    assert reply["content"]["status"] == "ok", outputs
    return outputs


def shown(outputs: list[dict]) -> dict:
    """The JSON a call displayed."""
    return next(o["data"]["application/json"] for o in outputs if "application/json" in o.get("data", {}))


def start(kernel, project: Path, data: Path) -> None:
    """Record under ``project`` from a fresh namespace, as the engine does before a chapter."""
    install = call_in_kernel(f"install(roots={[str(project), str(data)]!r}, data={str(data)!r}, "
                             f"skip={[str(project / '.cache')]!r})")
    run(kernel, install + "\n" + call_in_kernel("reset()"))


def finish(kernel, exprs: list[tuple[str, int]]) -> dict:
    return shown(run(kernel, call_in_kernel(f"finish({exprs!r})")))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "project/data").mkdir(parents=True)
    (tmp_path / "project/data/a.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "project/.cache").mkdir()
    (tmp_path / "project/.cache/c.json").write_text("{}", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("elsewhere\n", encoding="utf-8")
    return tmp_path / "project"


def test_the_files_a_cell_reads_under_the_project_are_recorded_not_those_it_writes(kernel, project: Path):
    data, csv = project / "data", project / "data/a.csv"
    written = project / "out.txt"
    start(kernel, project, data)
    run(kernel, f"open({str(csv)!r}).read()\n"
                f"open({str(written)!r}, 'w').write('x')\n"
                f"open({str(project / '.cache/c.json')!r}).read()\n"  # a folder skipped
                f"open({str(project.parent / 'outside.txt')!r}).read()\n"  # outside the project
                f"import os\nos.listdir({str(data)!r})")
    done = finish(kernel, [])
    assert written.read_text(encoding="utf-8") == "x"
    assert done["reads"] == {str(csv): hashlib.sha256(csv.read_bytes()).hexdigest()}
    assert done["listings"] == {str(data): hashlib.sha256(b"a.csv").hexdigest()}
    [cell] = done["cells"]  # the one cell run since the reset: what it opened and listed
    assert cell["opened"] == [str(csv)] and cell["listed"] == [str(data)]


def test_the_reset_forgets_the_namespace_the_reads_and_what_the_helpers_keep(kernel, project: Path):
    data, csv = project / "data", project / "data/a.csv"
    start(kernel, project, data)
    run(kernel, "import sys, types\n"
                "from helpers import facts\n"
                "from helpers.core import session\n"
                "session.on_reset(lambda: print('callback ran'))\n"
                "session.record_read('/elsewhere/b.csv', '0' * 64)\n"
                "facts.REGISTRY['zz'] = {'f': len}\n"
                "sys.modules['helpers.facts.zz'] = types.ModuleType('helpers.facts.zz')\n"
                f"x = open({str(csv)!r}).read()")
    assert {str(csv), "/elsewhere/b.csv"} <= set(finish(kernel, [])["reads"])
    out = run(kernel, call_in_kernel("reset()"))
    assert "callback ran" in "".join(o.get("text", "") for o in out)
    facts_left = "sorted(m for m in __import__('sys').modules if m.startswith('helpers.facts'))"
    done = finish(kernel, [("x", 1), (facts_left, 2), ("__import__('helpers.facts').facts.REGISTRY", 3)])
    assert done["reads"] == {} and done["listings"] == {} and done["cells"] == []
    assert done["inline"] == [{"error": "NameError: name 'x' is not defined", "line": 1, "expr": "x"},
                              "['helpers.facts']", "{}"]


def test_finish_gives_the_inline_values_and_an_error_for_an_expression_that_fails(kernel, project: Path):
    start(kernel, project, project / "data")
    run(kernel, "class Bold:\n"
                "    def _repr_markdown_(self):\n"
                "        return '**b**', {}\n"
                "b = Bold()\n"
                "n = 41")
    done = finish(kernel, [("n + 1", 3), ("b", 4), ("n / 0", 7)])
    assert done["inline"] == ["42", "**b**", {"error": "ZeroDivisionError: division by zero", "line": 7,
                                              "expr": "n / 0"}]


def test_the_calls_bind_no_name_and_the_namespace_is_fingerprinted(kernel, project: Path):
    start(kernel, project, project / "data")
    run(kernel, "import os\nx = [1, 2]\nf = lambda: 1")
    state = call_in_kernel("state()")
    first = shown(run(kernel, state))["state"]
    finish(kernel, [("x", 1)])
    again = shown(run(kernel, state))["state"]
    assert first == again
    assert set(first) == {"os", "x", "f"}
    assert first["os"] == "module:os" and first["f"] is None  # code of the chapter: not comparable
    run(kernel, "x.append(3)")
    assert shown(run(kernel, state))["state"]["x"] not in (None, first["x"])


# --- a kernel started ahead of the build (``report preview``) ---------------------------------------------

WARM = engine.WARM_CODE

@pytest.mark.parametrize("warm, after", [
    (WARM, None),
    ("import helpers.core.data", None),  # a helper module loaded before the build (perhaps an older one)
    ("import pandas; pandas.__version__ = '0.0'", None),  # a library other than the one installed
    (WARM, "REPORT_TEST_VARIABLE"),  # the build's environment has changed since it started
])
def test_a_build_takes_a_waiting_kernel_only_when_it_is_the_one_it_would_start(small_book: Path, tmp_path: Path,
                                                                               monkeypatch, warm, after):
    monkeypatch.setattr(engine, "WARM_CODE", warm)
    monkeypatch.setenv("REPORT_ROOT", str(small_book))
    waiting = engine.Waiting(small_book, tmp_path / "waiting.json")
    waiting.renew()
    try:
        assert waiting.ready.wait(120)
        pid = json.loads(waiting.file.read_text(encoding="utf-8"))["pid"]
        if after:
            monkeypatch.setenv(after, "1")
        monkeypatch.setenv(engine.WAITING, str(waiting.file))
        with engine.Kernel(small_book, 120) as running:
            taken = running.adopted == pid
            names = running._state()
        assert taken == (warm == WARM and after is None)
        assert not waiting.file.exists() and names == {}  # taken or not, it serves no other build
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(pid), "the waiting kernel is stopped after the build, or at once when it is not taken"
    finally:
        waiting.stop()


def test_a_waiting_file_that_names_another_process_leaves_that_process_alone(small_book: Path, tmp_path: Path,
                                                                             monkeypatch):
    other = subprocess.Popen(["sleep", "60"])  # a process that took the number of a kernel that has ended
    try:
        file = tmp_path / "waiting.json"
        file.write_text(json.dumps({"pid": other.pid, "connection": {}, "connection_file": str(tmp_path / "k.json"),
                                    "environment": {}}), encoding="utf-8")
        monkeypatch.setenv("REPORT_ROOT", str(small_book))
        monkeypatch.setenv(engine.WAITING, str(file))
        with engine.Kernel(small_book, 120) as running:
            assert running.adopted is None and running._state() == {}
        assert other.poll() is None and not file.exists()
    finally:
        other.kill()
        other.wait()


@pytest.mark.parametrize("where", ["starting", "setting up", "running"])
def test_a_kernel_interrupted_at_any_point_leaves_no_connection_file_and_no_process(
        small_book: Path, tmp_path: Path, monkeypatch, where):
    """Jupyter writes a kernel's connection file into the temporary folder: Ctrl-C while the kernel starts, while
    the engine sets it up, or while it runs a chapter leaves neither the file nor the kernel."""
    import tempfile

    from nbclient import NotebookClient

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("REPORT_ROOT", str(small_book))
    monkeypatch.delenv(engine.WAITING, raising=False)
    kernels: list[int] = []  # the pid of the kernel when it is interrupted
    kept: list = []  # held, as a process that ends at once (os._exit) never collects them: their cleanup is not run

    def interrupt(holder, manager) -> None:
        kept.append(holder)
        kernels.append(manager.provisioner.pid)
        assert list(tmp.glob("*.json")), "the connection file is written"
        raise KeyboardInterrupt

    if where == "starting":  # the kernel has started, no client talks to it yet
        monkeypatch.setattr(NotebookClient, "start_new_kernel_client", lambda self: interrupt(self, self.km))
    elif where == "setting up":
        monkeypatch.setattr(engine.Kernel, "_install", lambda self, expected=None: interrupt(self, self.client.km))
    with pytest.raises(KeyboardInterrupt):
        with engine.Kernel(small_book, 120) as running:
            interrupt(running, running.client.km)
    assert len(kernels) == 1 and list(tmp.iterdir()) == []
    deadline = time.monotonic() + 10
    while alive(kernels[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(kernels[0]), "the kernel is stopped"
