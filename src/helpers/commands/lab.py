"""``report lab``: JupyterLab on an edition's notebooks, with the project's kernel registered.

The kernel is registered in the project's environment (``sys.prefix``, i.e. ``.venv/share/jupyter/kernels``,
like ``ipykernel install --sys-prefix``): nothing is written into the user's home, and any Jupyter started from
``.venv`` (``jupyter lab``, ``jupyter nbconvert --execute``, ``jupyter execute``) finds it under the name the
notebooks ask for. JupyterLab and nbdime come with the ``lab`` extra (``make lab``).

JupyterLab runs as a child of ``report lab`` and ends with it: on Ctrl-C, SIGTERM or SIGHUP it is asked to stop
(SIGTERM: it shuts its kernels down) and killed after ``STOP_WAIT`` seconds; if ``report lab`` is killed, the
system sends it SIGTERM (``processes.die_with_parent``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from helpers.core.processes import child_setup, end
from helpers.review import KERNEL_DISPLAY_NAME, KERNEL_NAME


def register_kernel(prefix: str | None = None) -> Path:
    """Install the project's kernelspec (this Python, with the helper package) into ``prefix``/share/jupyter."""
    from ipykernel.kernelspec import install

    return Path(install(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME, prefix=prefix or sys.prefix))


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
    spec = register_kernel()
    print(f"kernel '{KERNEL_NAME}' ({KERNEL_DISPLAY_NAME}) registered in {spec}", flush=True)
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
