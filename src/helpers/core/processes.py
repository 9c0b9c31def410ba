"""Processes that end with the command that started them, and progress lines that never interleave.

Whatever stops a ``report`` command (Ctrl-C: SIGINT; a service manager or a test: SIGTERM; a closed terminal:
SIGHUP; ``kill -9``), nothing it started goes on running:

- ``stop_on_signals`` makes SIGTERM and SIGHUP interrupt the command as Ctrl-C does (``KeyboardInterrupt``), so
  that its ``finally`` blocks run: servers stop, children are ended, temporary folders removed;
- every child (a build run by the preview, JupyterLab, a Jupyter kernel, an edition's process) is started with
  ``die_with_parent``: on Linux the kernel sends it SIGTERM when its parent ends, even by SIGKILL
  (``prctl(PR_SET_PDEATHSIG)``); a child whose parent is already gone stops at once;
- ``end`` stops a child: SIGTERM, then SIGKILL if it has not ended within a grace period.

Several processes write progress to the same terminal or pipe (the editions' processes, the gate in their
parent). ``say`` writes a line with one ``write`` of the whole line and its newline, so lines never come out
joined or cut.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
from typing import Callable, TextIO

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True) if sys.platform.startswith("linux") else None


def exit_now(code: int) -> None:
    """End a command's process with ``code`` without tearing down its modules, which takes 0.15 to 0.2 s once
    pandas and Jupyter's libraries are loaded. What ``atexit`` holds still runs (temporary folders, logging,
    Jupyter's channels) and the output is flushed; every file a command writes is closed as it is written."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


def die_with_parent(parent: int | None = None, sig: int = signal.SIGTERM) -> None:
    """In a child (just forked, or a ``preexec_fn``): be sent ``sig`` when the parent ends. ``parent``: the pid
    expected as parent (default: the current one); if it has already gone, ``sig`` comes at once."""
    if _LIBC is None:
        return
    expected = parent if parent is not None else os.getppid()
    _LIBC.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != expected:  # the parent ended before the request: it will not come
        os.kill(os.getpid(), sig)


def child_setup() -> Callable[[], None]:
    """A ``preexec_fn`` for ``subprocess``: the child ends with this process (the thread that starts it must
    live as long as the child: the kernel ties the child to it)."""
    parent = os.getpid()
    return lambda: die_with_parent(parent)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP interrupt this process as Ctrl-C does (in its main thread); one that was ignored when
    the command started (``nohup``) stays ignored."""
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:
            signal.signal(sig, _interrupt)


def end(proc: subprocess.Popen, grace: float = 10.0) -> int | None:
    """Stop a child: SIGTERM, then SIGKILL after ``grace`` seconds; its exit status."""
    if proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
        except KeyboardInterrupt:  # interrupted again while waiting: no more grace
            proc.kill()
    return proc.wait()


def children() -> list[int]:
    """The running children of this process (Linux: from /proc; elsewhere none)."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as fh:
                    stat = fh.read()
            except OSError:
                continue
            state, ppid = stat[stat.rfind(")") + 2:].split()[:2]
            if int(ppid) == me and state != "Z":
                found.append(int(entry))
    return found


def say(line: str, stream: TextIO | None = None) -> None:
    """Write ``line`` and its newline in one write, flushed (a line never mixes with another process's)."""
    stream = stream or sys.stdout
    data = (line + "\n").encode("utf-8", "replace")
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # a stream without a file (tests' capture)
        stream.write(line + "\n")
        stream.flush()
        return
    stream.flush()  # what was written before goes first
    while data:
        data = data[os.write(fd, data):]
