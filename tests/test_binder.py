"""binder/: what launch services that follow repo2docker's conventions read to build an image of the project for
reviewers who cannot install anything: the locked requirements, the Python version, a post-build step."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from packaging.specifiers import SpecifierSet

BINDER = ROOT / "binder"

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def test_binder_installs_the_lock_on_a_python_the_project_and_the_lock_allow():
    # repo2docker reads only the files it knows in binder/: nothing else is there
    assert sorted(p.name for p in BINDER.iterdir()) == ["postBuild", "requirements.txt", "runtime.txt"]
    assert (BINDER / "requirements.txt").read_bytes() == (ROOT / "requirements.lock").read_bytes(), \
        "binder/requirements.txt is not the lock: run make lock"
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8")
    match = re.fullmatch(r"python-(3\.\d+)\n", runtime)
    assert match, f"runtime.txt must read python-3.X: {runtime!r}"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert SpecifierSet(requires).contains(f"{match[1]}.0")
    locked_for = re.search(r"^LOCK_PYTHON := (3\.\d+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)[1]
    assert tuple(map(int, match[1].split("."))) >= tuple(map(int, locked_for.split(".")))


def test_post_build_installs_the_project_on_the_lock_registers_the_kernel_and_builds_the_notebooks():
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "postBuild must be executable"
    lines = [line.strip() for line in post.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[0] == "set -euo pipefail"
    assert lines[1] == "python -m pip install --no-deps -e ."  # the pins stay those of the lock
    assert lines.index("report kernel --user") < lines.index("report build")
    assert lines[-1] == "jupyter trust output/*/notebooks/*.ipynb"
    assert subprocess.run(["bash", "-n", str(post)]).returncode == 0


def test_report_kernel_user_registers_the_kernel_and_settings_in_the_users_jupyter_folders(tmp_path: Path):
    env = {**os.environ, "JUPYTER_DATA_DIR": str(tmp_path / "data"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    res = subprocess.run([sys.executable, "-m", "helpers", "kernel", "--user"], env=env, capture_output=True,
                         text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    spec = json.loads((tmp_path / "data/kernels/ngo-report/kernel.json").read_text(encoding="utf-8"))
    assert spec["argv"][0] == sys.executable
    config = json.loads((tmp_path / "config/jupyter_nbconvert_config.json").read_text(encoding="utf-8"))
    assert config == {"ExecutePreprocessor": {"record_timing": False}}
