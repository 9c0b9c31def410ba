"""Running a chapter in a Jupyter kernel (nbclient): its cells, each output cell taken from the cache when it may
be, its inline expressions, and what it read (recorded in the kernel by ``in_kernel``).

One kernel serves all chapters of an edition; its namespace is reset between chapters. Notebooks are made
deterministic: no timing metadata, cell ids derived from the chapter, execution counts from 1 in each chapter,
no object addresses, paths relative to the project.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Callable

from helpers.core import paths
from helpers.core.errors import BuildError
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


class Kernel:
    """One Jupyter kernel running the chapters of an edition, one after another."""

    def __init__(self, root: Path, timeout: int):
        self.root, self.timeout = root, timeout
        self.places = paths.Places(root)
        self.client = None
        self._ctx = None
        self._log = None

    def __enter__(self):
        import nbformat
        from nbclient.exceptions import CellExecutionError

        os.environ["REPORT_ROOT"] = str(self.root)
        os.environ.setdefault("MPLBACKEND", "Agg")
        bytecode.hash_checked()  # the kernel imports the helpers as they are, not as they were
        self._start()
        skip = [str(self.places.package), str(self.places.root / ".cache"), str(self.places.root / ".git"),
                sys.prefix, sys.base_prefix]
        roots, data = [str(self.places.root), str(self.places.data)], str(self.places.data)
        install = f"install(roots={roots!r}, data={data!r}, skip={sorted(set(skip))!r})"
        cell = nbformat.v4.new_code_cell(call_in_kernel(install), id="install")
        self.client.nb = nbformat.v4.new_notebook(cells=[cell])
        try:
            self.client.execute_cell(cell, 0)
        except CellExecutionError as err:
            raise BuildError(f"the kernel could not record what the chapters read: {err.ename}: {err.evalue}") from None
        return self

    def _start(self) -> None:
        """Start the kernel; again, up to ``KERNEL_STARTS`` times, if it dies before answering.

        A kernel is given its TCP ports by the client, which finds them free and closes them; another process
        starting at that moment (the other edition's kernel) may take one first, and the kernel then exits with
        "Address already in use". A fresh start chooses new ports. The kernel's own log (e.g. its TCP warning) is
        not for readers; it is kept in a temporary file and shown only when the kernel cannot start at all.
        """
        import tempfile

        import nbformat
        from nbclient import NotebookClient

        for attempt in range(1, KERNEL_STARTS + 1):
            log = tempfile.TemporaryFile(prefix="report-kernel-")
            # record_timing=False: no execution timestamps in the saved notebooks (reproducible output)
            self.client = NotebookClient(nbformat.v4.new_notebook(), timeout=self.timeout, kernel_name="python3",
                                         resources={"metadata": {"path": str(self.root)}},
                                         startup_timeout=120, record_timing=False)
            self._ctx = self.client.setup_kernel(stderr=log, preexec_fn=child_setup())  # ends with this process
            try:
                self._ctx.__enter__()
                self._log = log
                return
            except RuntimeError as err:  # "Kernel died before replying to kernel_info"
                self._ctx = None
                log.seek(0)
                tail = log.read().decode("utf-8", "replace").strip().splitlines()[-8:]
                log.close()
                if attempt == KERNEL_STARTS:
                    raise BuildError(f"the Jupyter kernel did not start ({attempt} attempts): {err}" +
                                     "".join(f"\n  kernel: {line}" for line in tail)) from None

    def __exit__(self, *exc):
        if self._ctx is not None:
            if exc[0] is not None:  # an error or Ctrl-C: the kernel may be busy in a cell, stop it without waiting
                self.client.shutdown_kernel = "immediate"
            self._ctx.__exit__(*exc)
        if self._log is not None:
            self._log.close()
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
