"""``report kernel`` and ``report lab``: the notebooks' kernel, Jupyter's settings, JupyterLab.

``report kernel`` (run by ``make``'s install, so that it is there after ``make book``) registers the kernel in
the project's environment (``sys.prefix``, i.e. ``.venv/share/jupyter/kernels``, like ``ipykernel install
--sys-prefix``): nothing is written into the user's home, and any Jupyter started from ``.venv`` (``jupyter lab``,
``jupyter nbconvert --execute``, ``jupyter execute``) finds it under the name the notebooks ask for. It also
writes ``.venv/etc/jupyter/jupyter_nbconvert_config.json``: nbconvert records no execution times in the cells'
metadata (``record_timing``), so that ``jupyter nbconvert --execute`` gives the published notebook byte for byte.
JupyterLab and nbdime come with the lock (``make lab``).

JupyterLab runs as a child of ``report lab`` and ends with it: on Ctrl-C, SIGTERM or SIGHUP it is asked to stop
(SIGTERM: it shuts its kernels down) and killed after ``STOP_WAIT`` seconds; if ``report lab`` is killed, the
system sends it SIGTERM (``processes.die_with_parent``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from helpers.core.processes import child_setup, end
from helpers.review import KERNEL_DISPLAY_NAME, KERNEL_NAME


def register_kernel(prefix: str | None = None, user: bool = False) -> Path:
    """Install the project's kernelspec (this Python, with the helper package) into ``prefix``/share/jupyter,
    or with ``user`` into the user's Jupyter folder (an image whose Jupyter runs from another environment)."""
    from ipykernel.kernelspec import install

    if user:
        return Path(install(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME, user=True))
    return Path(install(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME, prefix=prefix or sys.prefix))


# Jupyter's settings for executing the notebooks as they were published: no timestamps in the cells' metadata
SETTINGS = {"jupyter_nbconvert_config.json": {"ExecutePreprocessor": {"record_timing": False}},
            "jupyter_execute_config.json": {"NotebookClient": {"record_timing": False}}}


def write_settings(prefix: str | None = None, user: bool = False) -> list[Path]:
    """``SETTINGS`` into ``prefix``/etc/jupyter (Jupyter reads it for this environment), or with ``user`` into
    the user's Jupyter configuration folder; other keys kept."""
    from jupyter_core.paths import jupyter_config_dir

    folder = Path(jupyter_config_dir()) if user else Path(prefix or sys.prefix) / "etc" / "jupyter"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, settings in SETTINGS.items():
        path = folder / name
        try:
            current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except ValueError:
            raise ValueError(f"{path} is not valid JSON: correct or remove it, then run `report kernel` again") from None
        for section, values in settings.items():
            current.setdefault(section, {}).update(values)
        path.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written


def install(prefix: str | None = None, user: bool = False) -> list[str]:
    """The kernel and the settings into ``prefix`` (default: this Python's environment) or the user's Jupyter
    folders; what was done."""
    spec = register_kernel(prefix, user)
    lines = [f"kernel '{KERNEL_NAME}' ({KERNEL_DISPLAY_NAME}) registered in {spec}"]
    lines += [f"Jupyter settings for reproducible notebooks: {path}" for path in write_settings(prefix, user)]
    return lines


def trust_folder() -> Path:
    """Where Jupyter keeps the signatures of the notebooks it trusts, for this project (not the user's home)."""
    return Path(sys.prefix) / "share" / "jupyter" / "ngo-report-trust"


def trust(folder: Path) -> int:
    """Sign the edition's notebooks, built by the project itself, so that Jupyter shows their figures (SVG)
    and tables (HTML) as it does for outputs it has made; the notebooks themselves are not changed."""
    import nbformat
    from nbformat.sign import NotebookNotary

    trust_folder().mkdir(parents=True, exist_ok=True)
    notary = NotebookNotary(db_file=str(trust_folder() / "nbsignatures.db"),
                            secret_file=str(trust_folder() / "notebook_secret"))
    paths = sorted(folder.glob("*.ipynb"))
    for path in paths:
        notary.sign(nbformat.read(path, as_version=4))
    return len(paths)


def command(folder: Path, port: int, browser: bool, extra: list[str] | None = None) -> list[str]:
    """The JupyterLab command line serving ``folder`` on localhost."""
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
           f"--NotebookNotary.db_file={trust_folder() / 'nbsignatures.db'}",
           f"--NotebookNotary.secret_file={trust_folder() / 'notebook_secret'}"]
    if not browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI and containers run as root; Jupyter refuses without it
        cmd.append("--allow-root")
    return cmd + list(extra or [])


def run(root: Path, folder: Path, port: int = 8888, browser: bool = True, extra: list[str] | None = None) -> int:
    if importlib.util.find_spec("jupyterlab") is None:
        print("error: JupyterLab is not installed in this environment: run `make lab` "
              "(or `pip install -e '.[lab]'`)", file=sys.stderr)
        return 2
    if not any(folder.glob("*.ipynb")):
        print(f"error: no notebooks in {folder}: run `report build` first (or `make lab`)", file=sys.stderr)
        return 2
    for line in install():
        print(line, flush=True)
    print(f"{trust(folder)} notebook(s) of {folder} trusted (their figures and tables are shown)", flush=True)
    env = {**os.environ, "REPORT_ROOT": str(root)}
    # its own session: Ctrl-C reaches this process only, which then stops JupyterLab without its question
    # "Shutdown this Jupyter server?"; it ends with this process, however this one ends
    server = subprocess.Popen(command(folder, port, browser, extra), env=env, start_new_session=True,
                              preexec_fn=child_setup())
    try:
        return server.wait()
    except KeyboardInterrupt:
        print("stopping JupyterLab", file=sys.stderr, flush=True)
        end(server, grace=STOP_WAIT)
        return 130


STOP_WAIT = 15.0  # seconds JupyterLab has to shut its kernels down before it is killed
