"""The kernel-side part of the builtin engine (``engines/in_kernel``), called as the engine calls it, in a real
kernel: what it records, the reset between chapters, the inline expressions, and that it binds no name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

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
