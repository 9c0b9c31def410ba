"""Editions built in processes of their own (forked), each sending back its result or its error.

Ctrl-C in a terminal interrupts every process of its group at once. A process interrupted while it writes to a
pipe or queue shared with others can leave that channel half written, and the reader then waits for ever (the
hang of ``concurrent.futures`` pools on Ctrl-C). So the editions' processes ignore SIGINT and each has a pipe of
its own; the process that started them, on KeyboardInterrupt, asks each one to stop (SIGTERM, which raises
KeyboardInterrupt there: its kernel is shut down and its staging folder removed, as in a build in one process),
and kills one that has not stopped within ``STOP_WAIT`` seconds (its kernel, left without a parent, exits too).
A parent that ends without stopping them (killed) takes them with it: each is sent SIGTERM then
(``processes.die_with_parent``) and cleans up as above.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from multiprocessing.connection import wait
from typing import Any, Callable, Iterator

from helpers.core.errors import BuildError
from helpers.core.processes import die_with_parent

STOP_WAIT = 15.0  # seconds a stopped edition's process has to clean up before it is killed


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def _child(conn, init: Callable[[], None] | None, fn: Callable, args: tuple, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _interrupted)
    if signal.getsignal(signal.SIGHUP) != signal.SIG_IGN:  # not under nohup
        signal.signal(signal.SIGHUP, _interrupted)
    die_with_parent(parent)  # SIGTERM when the parent ends, even killed (delivered once unblocked below)
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
        if init is not None:
            init()
        reply = ("ok", fn(*args))
    except BuildError as err:
        reply = ("error", str(err))
    except KeyboardInterrupt:
        reply = ("stopped", "stopped on request")
    except BaseException as err:  # a defect: its traceback, not a silent stop
        reply = ("failed", "".join(traceback.format_exception(err)).rstrip())
    try:
        conn.send(reply)
    except (OSError, KeyboardInterrupt):
        pass  # the parent is gone, or stops us: nothing to tell
    finally:
        conn.close()


class Processes:
    """At most ``jobs`` functions running at a time, each in a forked process; ``results`` yields, as each one
    ends, ``(key, status, value)``: status ``ok`` (value: the return value), ``error`` (a BuildError's message),
    ``stopped`` or ``failed`` (value: what happened). Leaving the ``with`` block by an exception stops them all."""

    def __init__(self, jobs: int, init: Callable[[], None] | None = None):
        self.jobs = max(1, jobs)
        self.init = init
        self.ctx = multiprocessing.get_context("fork")
        self.queued: list[tuple[Any, Callable, tuple]] = []
        self.running: dict[Any, tuple[Any, Any]] = {}  # connection -> (key, process)

    def __enter__(self) -> "Processes":
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if kind is not None:
            self.stop()
        return False

    def submit(self, key: Any, fn: Callable, *args: Any) -> None:
        self.queued.append((key, fn, args))
        self._start_queued()

    def _start_queued(self) -> None:
        while self.queued and len(self.running) < self.jobs:
            key, fn, args = self.queued.pop(0)
            receiver, sender = self.ctx.Pipe(duplex=False)
            # no Ctrl-C between the fork and the child's own handlers: it would kill the child mid-way
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
            try:
                proc = self.ctx.Process(target=_child, args=(sender, self.init, fn, args, os.getpid()), daemon=False)
                proc.start()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            sender.close()
            self.running[receiver] = (key, proc)

    def results(self) -> Iterator[tuple[Any, str, Any]]:
        while self.running:
            for conn in wait(list(self.running)):
                key, proc = self.running.pop(conn)
                try:
                    status, value = conn.recv()
                except (EOFError, OSError):
                    proc.join()
                    status, value = "failed", f"the build process stopped (exit code {proc.exitcode})"
                conn.close()
                proc.join()
                self._start_queued()
                yield key, status, value

    def stop(self) -> None:
        """Ask every running process to stop, wait up to ``STOP_WAIT`` seconds, kill those still running."""
        self.queued.clear()
        procs = [proc for _, proc in self.running.values()]
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        deadline = time.monotonic() + STOP_WAIT
        for proc in procs:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        for conn in self.running:
            conn.close()
        self.running.clear()
