"""Running a chapter in a Jupyter kernel (nbclient): its cells, each output cell taken from the cache when it may
be, its inline expressions, and what it read (recorded in the kernel by ``in_kernel``).

One kernel serves all chapters of an edition; its namespace is reset between chapters. Notebooks are made
deterministic: no timing metadata, cell ids derived from the chapter, execution counts from 1 in each chapter,
no object addresses, paths relative to the project.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Callable

from helpers.core import paths
from helpers.core.errors import BuildError
from helpers.core.files import alive, atomic
from helpers.core.processes import child_setup
from helpers.core.qmd import Chapter
from helpers.engines import bytecode
from helpers.engines.chapter_cache import Executed, cell_key, cells_may_be_served, output_cell_names, usable_state


def call_in_kernel(call: str) -> str:
    """A cell calling ``helpers.engines.in_kernel``; it binds no name in the chapter's namespace."""
    return f'__import__("helpers.engines.in_kernel", fromlist=["in_kernel"]).{call}'


def preload() -> None:
    """Load Jupyter's libraries now (before the editions' processes are forked, so that they are loaded once)."""
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401

    import helpers.engines.kernel_client  # noqa: F401 - and jupyter_client's, which nbclient loads when it starts one


def preloaded() -> bool:
    return "nbclient" in sys.modules and "nbformat" in sys.modules


def notebook_of(chapter: Chapter, source: str | None = None):
    """The chapter's cells as a notebook; cell ids follow the chapter's file name and the cell's position."""
    import nbformat  # here, not at the top: a build with nothing to execute does not load Jupyter's libraries

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["source"] = source or chapter.path.name
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in chapter.path.stem)[:50] or "cell"
    for i, cell in enumerate(chapter.cells):
        opts = "".join(f"#| {k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in cell.options.items())
        nb.cells.append(nbformat.v4.new_code_cell(opts + cell.code, id=f"{stem}-{i + 1}"))
    nb.cells.append(nbformat.v4.new_code_cell(call_in_kernel(f"finish({chapter.inline!r})"), id=f"{stem}-inline"))
    return nb


KERNEL_STARTS = 3  # a kernel that dies before answering is started again, this many times in all
WAITING = "REPORT_WAITING_KERNEL"  # a file naming a kernel started ahead of the next build (``Waiting``)
# what a waiting kernel loads before a build takes it: the libraries the chapters import, never the helpers (a
# line that binds no name)
WARM_LIBRARIES = ("pandas", "matplotlib.pyplot", "seaborn")
WARM_CODE = f"[__import__(name) for name in {WARM_LIBRARIES!r}] and None"
EXTRA_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]  # as nbclient starts a kernel


def kernel_environment(root: Path, env=os.environ) -> None:
    """The environment the chapters' kernel is started in (set in ``env``)."""
    env["REPORT_ROOT"] = str(root)
    env.setdefault("MPLBACKEND", "Agg")


def _the_kernel(pid: int, connection_file: str) -> bool:
    """Whether process ``pid`` runs and is the kernel started with ``connection_file`` (not another process that
    was given its number since)."""
    try:
        return alive(pid) and connection_file in Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except (OSError, UnicodeDecodeError):
        return False


def _kill(pid: int | None) -> None:
    """End a kernel's process at once (it keeps nothing a build needs); one already gone is left alone."""
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _comparable(env) -> dict[str, str]:
    """A kernel's environment as it is started, but for what Jupyter sets for each kernel and ``WAITING``."""
    return {k: v for k, v in env.items() if not k.startswith("JPY_") and k != WAITING}


class Kernel:
    """One Jupyter kernel running the chapters of an edition, one after another."""

    def __init__(self, root: Path, timeout: int):
        self.root, self.timeout = root, timeout
        self.places = paths.Places(root)
        self.client = None
        self._ctx = None
        self._log = None
        self.adopted: int | None = None  # the process of a waiting kernel this build took (``_adopt``)

    def __enter__(self):
        from nbclient.exceptions import CellExecutionError

        kernel_environment(self.root)
        bytecode.hash_checked()  # the kernel imports the helpers as they are, not as they were
        if not self._adopt():
            self._start()
            try:
                self._install()
            except BaseException as err:  # a failure or an interruption: the kernel is stopped as after the chapters
                self.__exit__(None, None, None)
                if isinstance(err, CellExecutionError):
                    raise BuildError(f"the kernel could not record what the chapters read: {err.ename}: "
                                     f"{err.evalue}") from None
                raise
        return self

    def _install(self, expected: dict | None = None) -> None:
        """The kernel's first cell: ``in_kernel.install`` (after ``in_kernel.fresh``, with ``expected``)."""
        import nbformat

        skip = [str(self.places.package), str(self.places.root / ".cache"), str(self.places.root / ".git"),
                sys.prefix, sys.base_prefix]
        roots, data = [str(self.places.root), str(self.places.data)], str(self.places.data)
        install = f"install(roots={roots!r}, data={data!r}, skip={sorted(set(skip))!r}, expected={expected!r})"
        cell = nbformat.v4.new_code_cell(call_in_kernel(install), id="install")
        self.client.nb = nbformat.v4.new_notebook(cells=[cell])
        self.client.execute_cell(cell, 0)

    def _adopt(self) -> bool:
        """Take the kernel started for the next build (``WAITING``: ``report preview`` keeps one), if there is one
        and it is the kernel this build would start: started in the same environment, folder and Python, with no
        helper module in it yet, and its libraries the installed ones (``in_kernel.fresh``).
        A waiting kernel serves one build, which stops it when done; one that does not qualify is stopped at
        once, and the build starts its own."""
        file = os.environ.get(WAITING)
        if not file:
            return False
        from jupyter_core.utils import run_sync

        from helpers.engines.kernel_client import Client

        taken = f"{file}.{os.getpid()}"
        try:
            os.rename(file, taken)  # the first build to rename it has it
            info = json.loads(Path(taken).read_text(encoding="utf-8"))
            pid, connection = int(info["pid"]), dict(info["connection"])
            started_in, connection_file = dict(info["environment"]), str(info["connection_file"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        finally:
            Path(taken).unlink(missing_ok=True)
        if not _the_kernel(pid, connection_file):  # ended, and its number perhaps another process's: left alone
            return False
        self.adopted = pid
        self.client = self._notebook_client()
        expected = {"cwd": str(self.root), "executable": sys.executable}
        try:
            if started_in != _comparable(os.environ):
                raise RuntimeError("the kernel was started in another environment than this build's")
            self.client.kc = Client()
            self.client.kc.load_connection_info(connection)
            self.client.kc.start_channels()
            run_sync(self.client.kc.wait_for_ready)(timeout=5)
            self.client.kc.allow_stdin = False
            self._install(expected)
            return True
        except Exception:  # not reachable, not fresh, or not this build's: stopped, never used
            self._stop_adopted()
            return False

    def _notebook_client(self):
        import nbformat
        from nbclient import NotebookClient

        from helpers.engines.kernel_client import Manager

        # record_timing=False: no execution timestamps in the saved notebooks (reproducible output)
        return NotebookClient(nbformat.v4.new_notebook(), timeout=self.timeout, kernel_name="python3",
                              resources={"metadata": {"path": str(self.root)}}, startup_timeout=120,
                              record_timing=False, kernel_manager_class=Manager)

    def _stop_adopted(self) -> None:
        if self.client is not None and self.client.kc is not None:
            self.client.kc.stop_channels()
        _kill(self.adopted)
        self.adopted, self.client = None, None

    def _start(self) -> None:
        """Start the kernel; again, up to ``KERNEL_STARTS`` times, if it dies before answering.

        A kernel is given its TCP ports by the client, which finds them free and closes them; another process
        starting at that moment (the other edition's kernel) may take one first, and the kernel then exits with
        "Address already in use". A fresh start chooses new ports. The kernel's own log (e.g. its TCP warning) is
        not for readers; it is kept in a temporary file and shown only when the kernel cannot start at all.
        """
        import tempfile

        for attempt in range(1, KERNEL_STARTS + 1):
            log = tempfile.TemporaryFile(prefix="report-kernel-")
            self.client = self._notebook_client()
            self._ctx = self.client.setup_kernel(stderr=log, preexec_fn=child_setup())  # ends with this process
            try:
                self._ctx.__enter__()
                self._log = log
                return
            except RuntimeError as err:  # "Kernel died before replying to kernel_info"
                self._ctx = None
                self._remove_connection_file()
                log.seek(0)
                tail = log.read().decode("utf-8", "replace").strip().splitlines()[-8:]
                log.close()
                if attempt == KERNEL_STARTS:
                    raise BuildError(f"the Jupyter kernel did not start ({attempt} attempts): {err}" +
                                     "".join(f"\n  kernel: {line}" for line in tail)) from None
            except BaseException:  # interrupted while it starts
                self._ctx = None
                _kill(getattr(getattr(self.client.km, "provisioner", None), "pid", None))
                self._remove_connection_file()
                log.close()
                raise

    def _remove_connection_file(self) -> None:
        """Jupyter writes a kernel's connection file into the temporary folder: removed however the kernel ended,
        its start interrupted included."""
        manager = getattr(self.client, "km", None) if self.client is not None else None
        if manager is not None:
            try:
                manager.cleanup_connection_file()
            except OSError:
                pass

    def __exit__(self, *exc):
        if self.adopted is not None:
            self._stop_adopted()
        if self._ctx is not None:
            # stopped without waiting, after the chapters as after an error or Ctrl-C (when it may be busy in a
            # cell): it keeps nothing the build needs, and asking it to end would wait for its interpreter's
            # teardown (0.3-0.5 s, before the edition's pages can be made)
            self.client.shutdown_kernel = "immediate"
            ctx, self._ctx = self._ctx, None
            try:
                ctx.__exit__(*exc)
            finally:
                self._remove_connection_file()
        if self._log is not None:
            self._log.close()
            self._log = None
        return False

    def _where(self, chapter: Chapter) -> str:
        return self.places.name_of(chapter.path) or chapter.path.name

    def run(self, chapter: Chapter, cells: dict[str, dict] | None = None, valid: Callable[[dict], bool] | None = None,
            lang: str = "", env_key: str = "") -> Executed:
        """Execute a chapter: its setup cells always, each output cell unless ``cells`` (the chapter's cached output
        cells, by cell key) has it for the state it would see and ``valid`` says nothing it read has changed."""
        import nbformat

        where = self._where(chapter)
        nb = notebook_of(chapter, where)
        nb.cells.insert(0, nbformat.v4.new_code_cell(call_in_kernel("reset()"), id="reset"))
        self.client.nb = nb
        self._exec(chapter, nb.cells[0], -1)
        names = [output_cell_names(c.code) for c in chapter.cells]
        if not cells_may_be_served(chapter):
            names = [None] * len(names)
        runs: list[int | None] = []  # each recorded run in the kernel: a chapter cell's position, None: a look at the state
        served, used, state = [], {}, None
        for index, cell in enumerate(chapter.cells):
            if cells and valid is not None and names[index] is not None:
                if state is None:  # the state the last executed cell left (a cell taken from the cache changes none)
                    state = self._state()
                    runs.append(None)
                usable = usable_state(names[index], state)
                entry = cells.get(cell_key(cell, lang, env_key, where, usable)) if usable is not None else None
                if entry is not None and valid(entry):
                    nb.cells[index + 1].outputs = [nbformat.from_dict(o) for o in entry["outputs"]]
                    served.append(index + 1)
                    used[cell_key(cell, lang, env_key, where, usable)] = entry
                    continue
            self._exec(chapter, nb.cells[index + 1], index)
            runs.append(index)
            state = None
        self._exec(chapter, nb.cells[-1], len(chapter.cells))
        nb.cells = nb.cells[1:]
        _normalise(nb)
        outputs = [list(map(dict, c.outputs)) for c in nb.cells[:-1]]
        payload = next(o["data"]["application/json"] for o in nb.cells[-1].outputs
                       if o.get("output_type") == "display_data" and "application/json" in o.get("data", {}))
        errors = [x for x in payload["inline"] if isinstance(x, dict)]
        if errors:
            first = errors[0]
            raise BuildError(f"{where}:{first['line']}: inline expression `{{python}} {first['expr']}` "
                             f"failed: {first['error']}")
        nb.cells = nb.cells[:-1]
        reads, outside = {}, []
        for file, digest in payload["reads"].items():
            name = self.places.name_of(file)
            if name is None:
                outside.append(file)
            else:
                reads[name] = digest
        modules = {}
        for file, digest in payload["modules"].items():
            name = self.places.module_name(file)
            if name is None:  # a helper module from outside the package in use (not expected)
                outside.append(file)
            else:
                modules[name] = digest
        listings = {self.places.name_of(folder): digest for folder, digest in payload["listings"].items()}
        outputs = _plain(outputs)
        if len(payload["cells"]) == len(runs) and not outside:
            for record, index in zip(payload["cells"], runs):
                entry = self._cell_entry(chapter, index, names, record, payload, outputs, modules)
                if entry is not None:
                    used[cell_key(chapter.cells[index], lang, env_key, where, entry.pop("state"))] = entry
        for entry in used.values():  # what the cells taken from the cache read is read by the chapter too
            reads.update(entry["reads"])
            modules.update(entry["modules"])
            listings.update(entry["listings"])
        return Executed(outputs, payload["inline"], dict(sorted(reads.items())),
                        notebook=json.loads(nbformat.v4.nbjson.writes(nb)), modules=dict(sorted(modules.items())),
                        listings={k: v for k, v in sorted(listings.items()) if k}, outside=sorted(outside),
                        cells=dict(sorted(used.items())), served=served)

    def _state(self) -> dict:
        """The fingerprints of the names in the kernel's namespace (a cell of its own, outside the chapter)."""
        import nbformat
        from nbclient.exceptions import CellExecutionError

        cell = nbformat.v4.new_code_cell(call_in_kernel("state()"), id="state")
        chapter_nb, self.client.nb = self.client.nb, nbformat.v4.new_notebook(cells=[cell])
        try:
            self.client.execute_cell(cell, 0)
        except CellExecutionError as err:
            raise BuildError(f"the kernel could not fingerprint its names: {err.ename}: {err.evalue}") from None
        finally:
            self.client.nb = chapter_nb
        return next(o["data"]["application/json"]["state"] for o in cell.outputs
                    if o.get("output_type") == "display_data")

    def _cell_entry(self, chapter: Chapter, index: int | None, names: list, record: dict, payload: dict,
                    outputs: list, modules: dict) -> dict | None:
        """What an executed output cell showed and read, to be cached; None for a setup cell, a look at the state,
        or a cell that changed a name or used one that cannot be compared (those run every time)."""
        if index is None or names[index] is None:
            return None
        before, after = record["before"], record["after"]
        state = usable_state(names[index], before)
        if state is None or before != after or any(fp is None for fp in before.values()):
            return None
        reads, listings = {}, {}
        for file in [*record["opened"], *payload["project"]]:
            name, digest = self.places.name_of(file), payload["reads"].get(file)
            if name is None or digest is None:
                return None
            reads[name] = digest
        for folder in record["listed"]:
            name, digest = self.places.name_of(folder), payload["listings"].get(folder)
            if name is None:
                return None
            listings[name] = digest
        return {"outputs": outputs[index], "reads": dict(sorted(reads.items())), "listings": listings,
                "modules": modules, "state": state}

    def _exec(self, chapter: Chapter, cell, index: int) -> None:
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        try:
            self.client.execute_cell(cell, index + 1)
        except CellExecutionError as err:
            line = chapter.cells[index].line if 0 <= index < len(chapter.cells) else "?"
            raise BuildError(f"{self._where(chapter)}:{line}: cell {index + 1} raised {err.ename}: {err.evalue}") from None
        except (CellTimeoutError, TimeoutError):
            line = chapter.cells[index].line if 0 <= index < len(chapter.cells) else "?"
            raise BuildError(f"{self._where(chapter)}:{line}: cell {index + 1} did not finish within {self.timeout} s "
                             "(raise it with --timeout)") from None
        except DeadKernelError as err:
            line = chapter.cells[index].line if 0 <= index < len(chapter.cells) else "?"
            raise BuildError(f"{self._where(chapter)}:{line}: the kernel died while running cell {index + 1}: {err}") from None


def _normalise(nb) -> None:
    """What depends on the kernel's history, not on the chapter: execution counts (numbered from 1 in each
    chapter, whichever chapters ran before it in the kernel). Nothing else is rewritten: every displayed object
    has a repr without a memory address, so that Jupyter itself gives the published outputs again."""
    for number, cell in enumerate(nb.cells, start=1):
        cell.execution_count = number
        for out in cell.outputs:
            if "execution_count" in out:
                out["execution_count"] = number


def _plain(obj):
    return json.loads(json.dumps(obj))


class Waiting:
    """A kernel started ahead of the next build, as a build would start it, with ``WARM_LIBRARIES`` loaded: kept
    by ``report preview``, so that an edit that executes a chapter does not wait for a kernel to start and load
    them (about 1.3 s). Its connection is written to ``file`` once it is ready; the build that takes it
    (``Kernel._adopt``) removes the file and stops the kernel when it is done.

    ``renew`` (from the thread that lives as long as the kernels: they end with it) starts one when there is
    none, or when the last one was taken or died; ``stop`` ends it."""

    def __init__(self, root: Path, file: Path):
        self.root, self.file = Path(root), Path(file)
        self.manager = None
        self.ready = threading.Event()  # the connection has been written
        self._lock = threading.Lock()  # publishing a kernel and stopping it are not interleaved
        self._log = None

    def renew(self) -> None:
        if self.manager is not None and self.manager.is_alive() and not (self.ready.is_set() and
                                                                         not self.file.exists()):
            return  # waiting, or still starting
        self.stop()
        self._start()

    def _start(self) -> None:
        import tempfile

        from jupyter_client import KernelManager

        env = self.environment = dict(os.environ)
        kernel_environment(self.root, env)
        self._log = tempfile.TemporaryFile(prefix="report-kernel-")
        self.manager = KernelManager(kernel_name="python3")
        warm = f"--IPKernelApp.exec_lines={json.dumps([WARM_CODE])}"
        self.manager.start_kernel(cwd=str(self.root), env=env, stderr=self._log, preexec_fn=child_setup(),
                                  extra_arguments=[*EXTRA_ARGUMENTS, warm])
        threading.Thread(target=self._publish, args=(self.manager, self.ready), name="waiting-kernel",
                         daemon=True).start()

    def _publish(self, manager, ready: threading.Event) -> None:
        """Wait until the kernel answers (its libraries loaded), then write its connection for a build. A kernel
        that dies or never answers is not published: a build then starts its own."""
        from jupyter_core.utils import run_sync

        from helpers.engines.kernel_client import until_ready

        try:
            client = manager.client()
            client.start_channels()
            try:
                run_sync(until_ready)(client, 120)
            finally:
                client.stop_channels()
            with self._lock:
                if manager is not self.manager:  # stopped meanwhile
                    return
                info = {k: v.decode() if isinstance(v, bytes) else v
                        for k, v in manager.get_connection_info().items()}
                with atomic(self.file) as tmp:  # readable by this user only, as Jupyter's own connection files
                    tmp.touch(mode=0o600)
                    tmp.write_text(json.dumps({"pid": manager.provisioner.pid, "connection": info,
                                               "connection_file": manager.connection_file,
                                               "environment": _comparable(self.environment)}), encoding="utf-8")
                ready.set()
        except Exception:  # noqa: BLE001 - in its own thread: nothing to report to, and nothing is lost
            return

    def stop(self) -> None:
        with self._lock:
            manager, self.manager, self.ready = self.manager, None, threading.Event()
            self.file.unlink(missing_ok=True)
        if manager is not None:
            try:
                manager.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - already ended (a build stopped it): its resources go below
                manager.cleanup_resources()
        if self._log is not None:
            self._log.close()
            self._log = None
