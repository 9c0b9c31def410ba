"""A build's process started ahead of the edit it builds: Python started and the engine imported, waiting.

``report preview`` keeps one ready for the next edit (``Ahead``), as it keeps a kernel: starting Python and
importing the engine, pandas and Jupyter's libraries takes about 0.5 s of every build, and the author's edit
need not wait for it. The process is ``python -m helpers --started-ahead <report's arguments>``: it imports what
a build imports (``wait``: ``cli.load_engine``, Jupyter's libraries), hashes the helper package's files and the
data folder's, which every build's cache keys name (known to the build by their states: ``files.digest``, so an
edit made meanwhile is read again), and waits for a line on its standard input; told to build, it runs
``report`` with its arguments, in the same process.

It is told to build only if every file it could have imported has the state it had before the process started
(``stamp.modules``: the helper package's files and the folders of ``sys.path``, taken by the preview before
starting it). An edit to a helper, or a library installed, since then: the preview stops it and builds in a new
process, which imports them as they are now. A process told nothing (its input closed) exits without building.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

FLAG = "--started-ahead"  # the first argument of ``report`` in such a process
GO = "build\n"


def wait(load: Callable[[], None]) -> bool:
    """In the process started ahead: import what a build imports (``load``, then Jupyter's libraries: a data edit
    executes a chapter), then wait to be told; whether to build."""
    from helpers.engines import kernel

    load()
    kernel.preload()
    _known_ahead()
    if sys.stdin.readline() != GO:
        return False
    with open(os.devnull, "rb") as null:  # the build reads nothing from its input
        os.dup2(null.fileno(), 0)
    return True


def _known_ahead() -> None:
    """Hash the files every build's keys name: the helper package's and the data folder's."""
    from helpers.core import paths
    from helpers.core.cache import Key

    Key().package()
    try:
        Key().data(paths.project_root())
    except OSError:  # no project here (FileNotFoundError): the build says so
        pass


class Ahead:
    """The preview's side: one process started ahead (``start``), handed the next build (``take``).

    ``start`` is called from a thread that lives as long as the process: the process ends with that thread
    (``processes.child_setup``)."""

    def __init__(self, cmd: list[str], root: Path, env: dict[str, str]):
        self.cmd, self.root, self.env = cmd, Path(root), env
        self.proc: subprocess.Popen | None = None
        self.before: dict[str, list] = {}  # the state of what it may import, taken before it started

    def start(self) -> None:
        """Start one if none is waiting (the last was taken, or ended)."""
        from helpers.core import stamp
        from helpers.core.processes import child_setup

        if self.proc is not None and self.proc.poll() is None:
            return
        self.before = stamp.modules(self.root)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "helpers", FLAG, *self.cmd], cwd=self.root, env=self.env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
            errors="replace", preexec_fn=child_setup())

    def take(self) -> tuple[subprocess.Popen | None, str]:
        """The waiting process, told to build, or None and why there is none to take."""
        from helpers.core import stamp

        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return None, "no build process waiting"
        if not stamp.same_modules(self.root, self.before):
            self._end(proc)
            return None, "the helper package or a library changed since the build process waiting started"
        try:
            proc.stdin.write(GO)
            proc.stdin.close()
        except OSError:  # it ended meanwhile
            proc.wait()
            return None, "the build process waiting has ended"
        return proc, "the build process started ahead of this edit, its modules loaded"

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            self._end(proc)

    @staticmethod
    def _end(proc: subprocess.Popen) -> None:
        from helpers.core.processes import end

        try:
            proc.stdin.close()  # it exits without building
        except OSError:
            pass
        end(proc, grace=5.0)
