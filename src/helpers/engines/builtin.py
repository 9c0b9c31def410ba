"""The builtin engine: execute, assemble, number, typeset; output replaced only when everything succeeded.

Fast without being stale:

- executed chapters are cached (``chapter_cache.Cache``), keyed by their code, the data files and helper modules
  they used and the Python and library versions;
- pandoc's conversions are cached too (``pandoc_cache``: a prose edit converts one page again, not the whole site);
- an edition whose inputs (``freshness.inputs_key``: config, chapter files, data folder, fonts folder, helper package,
  Python and library versions, build options, ``SOURCE_DATE_EPOCH``) are those of the last build into the output folder,
  and whose files still match that build's manifest, is left as it is;
- the editions are built in parallel processes (``Options.jobs``, ``parallel``; measured: a cold build of both editions
  takes about 60 % of the time on 2 cores), while the caller's ``gate`` (the data and the book's checks) runs: an
  edition replaces its output only once the gate has passed. HTML and PDF of one edition in two threads did not
  pay (measured on 2 busy cores) and are made one after the other.

The book's checks come as hooks (``Options.checks``: gap decisions, an edition's pages, the print file); the
engine calls them and knows none of their rules. Each returns ``Problem``s; ``--strict`` refuses on any that
blocks the print (``core.problems``), after listing them all.

Reproducible: fixed dates, deterministic notebooks, and a manifest (every file with its hash, the engine,
Python and library versions) without timestamps. The inputs key, stage timings and warnings of the last build
of an edition go to ``<output>/.build-<lang>.json`` (and the timings to the progress output), never into the
edition.
"""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import os
import re
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from helpers.core import config, environment, qmd
from helpers.core.cache import Key, Store, read_json, sha_file
from helpers.core.errors import BuildError
from helpers.core.files import alive, exchange, stale_temporaries
from helpers.core.problems import blocking, of_lines
from helpers.core.processes import say
from helpers.engines import assemble, chapter_cache, kernel, linebreaks, notebooks, press, render
from helpers.engines.freshness import MANIFEST, build_log, inputs_key, is_current, write_log, write_manifest
from helpers.engines.options import Options, Result
from helpers.engines.pandoc_cache import package_key, pandoc_cache
from helpers.engines.parallel import Processes

Progress = Callable[[str], None]


def output_root(root: Path, opts: Options) -> Path:
    return (opts.output or root / "output").resolve()


def load_book(root: Path, lang: str, opts: Options) -> config.Edition:
    book = config.load(root, lang)
    if opts.only:
        book.chapters = [p for p in book.chapters if p.stem in opts.only]
        book.appendices = [p for p in book.appendices if p.stem in opts.only]
        if not book.files:
            raise BuildError(f"--only {','.join(opts.only)}: no such chapter file in _quarto-{lang}.yml")
    return book


# --- what a build depends on (freshness) --------------------------------------------------------------

def up_to_date(root: Path, lang: str, opts: Options) -> bool:
    """Whether building ``lang`` would change nothing (always False without the cache)."""
    if not opts.cache:
        return False
    try:
        book = load_book(root, lang, opts)
        return is_current(output_root(root, opts), lang, inputs_key(root, book, opts), root)
    except (BuildError, OSError, ValueError):
        return False


def needs_kernel(root: Path, lang: str, opts: Options) -> bool:
    """Whether building ``lang`` executes a chapter (then Jupyter's libraries are loaded before the editions'
    processes are forked, once for all; a prose edit does without them, about a second)."""
    if not opts.cache:
        return True
    try:
        book = load_book(root, lang, opts)
        cache, env_key = chapter_cache.Cache(root), chapter_cache.environment_key()
        for chapter in (qmd.parse(p) for p in book.files):
            name = cache.places.name_of(chapter.path) or chapter.path.name
            if cache.lookup(lang, chapter, chapter_cache.chapter_key(chapter, lang, env_key, name)).hit is None:
                return True
    except (BuildError, OSError, ValueError):
        return True
    return False


# --- building ------------------------------------------------------------------------------------------

def build_edition(root: Path, lang: str, opts: Options, progress: Progress = say,
                  before_swap: Callable[[], bool] | None = None) -> Result:
    """Build one edition into ``<output>/<lang>``; the previous output stays until the new one is complete
    (and ``before_swap``, if given, has returned True: False keeps the output in place, ``Result.held``; it may
    stop the build by raising ``BuildError``)."""
    start = time.perf_counter()
    result = Result(lang)
    book = load_book(root, lang, opts)
    out_root = output_root(root, opts)
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        lock, stale_lock = _lock(out_root, lang)
    except OSError as err:
        raise BuildError(f"cannot write to the output folder {out_root}: {err.strerror}; "
                         "make it writable or choose another with --output") from None
    staging = None
    try:
        cleaned = recover(out_root, lang, root / ".cache" if opts.cache else None)
        if stale_lock:
            cleaned.append(f"the lock of process {stale_lock}, which no longer runs" if stale_lock.isdigit()
                           else "a lock naming no process")
        if cleaned:
            progress(f"[{lang}] cleaned up after an interrupted build: " + "; ".join(cleaned))
        key = inputs_key(root, book, opts)
        target = out_root / lang
        if opts.cache and is_current(out_root, lang, key, root):
            result.up_to_date = True
            result.warnings = list(read_json(build_log(out_root, lang)).get("warnings", []))
            result.outputs = sorted(p for p in target.rglob("*") if p.is_file())
            progress(f"[{lang}] up to date: chapters, config, data, helpers and versions unchanged since the "
                     "last build")
            return result
        staging = Path(tempfile.mkdtemp(prefix=f".{lang}-", dir=out_root))
        pages = _execute(root, book, opts, progress, result)
        problems = _timed(result.timings, "claims", lambda: opts.checks.edition(book, pages, staging, progress))
        registry = assemble.registry(pages, lang)
        reg_path = assemble.write_registry(registry, staging / "registry.json")
        assemble.write_numbers(pages, staging / "numbers.csv")
        problems += opts.checks.gap_panels(lang, [(gap, page.gap_datasets.get(gap, "?")) for page in pages
                                                  for gap in page.gaps], opts.strict)
        problems += of_lines(_render(book, pages, registry, reg_path, staging, opts, progress, result, key))
        if opts.strict and "pdf" in opts.formats:
            problems += _timed(result.timings, "preflight", lambda: opts.checks.print_file(
                book, staging / print_file(book), press.settings(book.get("print", {})), progress))
        result.warnings += [str(p) for p in problems]
        if opts.strict and blocking(problems):
            raise BuildError(f"[{lang}] strict build (for the printer) stopped on:\n  "
                             + "\n  ".join(dict.fromkeys(str(p) for p in blocking(problems)))
                             + "\nthe draft build (without --strict) shows these as warnings")
        write_manifest(staging, lang, opts, key, environment.record(root))
        if before_swap is not None and not before_swap():
            result.held = True
            progress(f"[{lang}] built; the output in place is kept: the book's checks refused a build for the printer")
            return result
        _swap(staging, target)
        result.outputs = sorted(p for p in target.rglob("*") if p.is_file())
        result.timings["total"] = time.perf_counter() - start
        write_log(out_root, result, key, sha_file(target / MANIFEST))
        progress(f"[{lang}] timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items() if " " not in k)
                 + (f" ({result.pandoc_reused} pandoc conversion(s) reused)" if result.pandoc_reused else ""))
        return result
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        lock.unlink(missing_ok=True)


GO, HOLD, STOP = "go", "hold", "stop"  # what a gate says: replace the output; build but keep it; stop now


def build_editions(root: Path, opts: Options, progress: Progress = say,
                   done: Callable[[Result], None] | None = None,
                   gate: Callable[[], str] | None = None) -> list[Result] | None:
    """Build every edition of ``opts.langs`` (all the book declares when empty); those with work to do in
    parallel processes when it pays.

    ``done`` is called (in this process) as each edition finishes. A failing edition does not stop the others;
    the errors are raised together at the end. In parallel, the editions print their progress lines
    themselves (each line prefixed with its edition).

    ``gate`` (the book's checks) runs in this process while the editions are being built, each in its own
    process, and says ``GO``: the editions replace their output when they are done; ``HOLD``: they are built to
    the end, so that their own problems are found too, but keep the output in place (``Result.held``);
    ``STOP``: they stop without touching their output, their errors are dropped, and the result is None.
    """
    langs = opts.langs or config.langs(root)
    report = done or (lambda res: None)
    results: dict[str, Result] = {}
    errors: list[str] = []
    busy = [lang for lang in langs if not up_to_date(root, lang, opts)]
    if not kernel.preloaded() and any(needs_kernel(root, lang, opts) for lang in busy):
        kernel.preload()
    cores = os.cpu_count() or 1
    jobs = opts.jobs or min(len(busy), cores)
    forking = "fork" in _start_methods()
    parallel = busy if forking and ((jobs > 1 and len(busy) > 1) or (gate is not None and busy)) else []
    # a core no other edition uses makes an edition's web pages and notebooks beside its PDF
    opts = dataclasses.replace(opts, stage_threads=max(1, cores // max(1, min(jobs, len(parallel) or 1))))
    verdict = GO
    if gate is not None and not parallel:
        verdict = gate()
        if verdict == STOP:
            return None
    if parallel:
        # fork: the workers start at once with the libraries this process has imported
        ctx = multiprocessing.get_context("fork")
        go, hold, stop = ctx.Event(), ctx.Event(), ctx.Event()
        if gate is None:
            go.set()
        with Processes(min(jobs, len(parallel)), init=functools.partial(_gate_init, go, hold, stop, os.getpid())) as procs:
            for lang in parallel:
                procs.submit(lang, _edition_worker, root, lang, opts)
            try:
                verdict = gate() if gate is not None else GO
            except BaseException:
                stop.set()
                raise
            if verdict == HOLD:
                hold.set()
            (stop if verdict == STOP else go).set()
            for lang, status, value in procs.results():
                if status == "ok":
                    results[lang] = value
                    report(value)
                elif status == "error":
                    errors.append(value)
                else:
                    errors.append(f"[{lang}] the build process stopped: {value}")
        if verdict == STOP:
            return None
    for lang in langs:  # up to date, or one after the other
        if lang in parallel:
            continue
        try:
            results[lang] = build_edition(root, lang, opts, progress, before_swap=lambda: verdict == GO)
            report(results[lang])
        except BuildError as err:
            errors.append(str(err))
    if errors:
        raise BuildError("\n".join(errors))
    if "html" in opts.formats and any(not res.held for res in results.values()):
        render.home_page(root, output_root(root, opts))  # every edition the book declares, in one list
    return [results[lang] for lang in langs]


def _start_methods() -> list[str]:
    return multiprocessing.get_all_start_methods()


_GATE: tuple = ()


def _gate_init(go, hold, stop, parent: int) -> None:
    global _GATE
    _GATE = (go, hold, stop, parent)


def _wait_for_gate(lang: str) -> bool:
    """In an edition's process: wait until the gate has opened; whether to replace the output (not when the
    gate holds it); a gate that closed stops the build without swapping."""
    go, hold, stop, parent = _GATE
    while not go.wait(0.1):
        if stop.is_set() or os.getppid() != parent:
            raise BuildError(f"[{lang}] stopped before replacing the output")
    return not hold.is_set()


def _print(message: str) -> None:
    say(message)


def _edition_worker(root: Path, lang: str, opts: Options) -> Result:
    def progress(message: str) -> None:
        if _GATE and _GATE[2].is_set():  # the gate has closed: stop at the next step
            raise BuildError(f"[{lang}] stopped before replacing the output")
        _print(message)

    result = build_edition(root, lang, opts, progress=progress, before_swap=lambda: _wait_for_gate(lang))
    result.notebooks = {}  # saved already; not sent back
    return result


def _lock(out_root: Path, lang: str) -> tuple[Path, str | None]:
    """One build of an edition at a time: a second one stops with a clear message instead of interleaving.
    Returns the lock and the pid of a build that was killed holding it (its lock is taken over), if any."""
    lock = out_root / f".{lang}.lock"
    stale = None
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        pid = lock.read_text().strip() or "?"
        if pid.isdigit() and alive(int(pid)):
            raise BuildError(f"another build of the {lang} edition is running (pid {pid}); wait for it to finish") from None
        lock.unlink(missing_ok=True)  # left by a build that was killed
        stale = pid
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return lock, stale


def recover(out_root: Path, lang: str, cache: Path | None = None) -> list[str]:
    """What builds of ``lang`` that were interrupted left in ``out_root``, repaired (under the edition's lock);
    one phrase per kind of leftover. An output caught between the two renames of a swap (``.<lang>-old``
    without ``<lang>``) is put back; staging folders (``.<lang>-xxxxxxxx``, one that held the previous output
    after an exchange too) and temporary files of writers that no longer run (there and in ``cache``) are
    removed."""
    done = []
    target, old = out_root / lang, out_root / f".{lang}-old"
    if old.is_dir() and not target.exists():
        os.replace(old, target)
        done.append(f"{lang}/ put back from .{lang}-old (a replacement stopped half-way)")
    staging = re.compile(rf"^\.{re.escape(lang)}-(old|[a-z0-9_]{{8}})$")
    left = sorted(p for p in out_root.iterdir() if staging.match(p.name) and p.is_dir())
    for path in left:
        shutil.rmtree(path, ignore_errors=True)
    if left:
        done.append(f"{len(left)} staging folder(s) removed ({', '.join(p.name for p in left)})")
    temporaries = stale_temporaries(out_root) + (stale_temporaries(cache, below=True) if cache else [])
    for path in temporaries:
        path.unlink(missing_ok=True)
    if temporaries:
        done.append(f"{len(temporaries)} half-written file(s) removed ({', '.join(p.name for p in temporaries)})")
    return done


def _execute(root: Path, book: config.Edition, opts: Options, progress: Progress, result: Result) -> list:
    cache = chapter_cache.Cache(root, opts.cache)
    env_key = chapter_cache.environment_key()
    chapters = [qmd.parse(p) for p in book.files]
    appendix = {p.resolve() for p in book.appendices}
    pages, todo, done, untrusted = [], [], {}, {}
    for chapter in chapters:
        name = cache.places.name_of(chapter.path) or chapter.path.name
        key = chapter_cache.chapter_key(chapter, book.lang, env_key, name)
        found = cache.lookup(book.lang, chapter, key)
        if found.hit:
            done[chapter.path] = found.hit
        else:
            todo.append((chapter, key, name, found.changed))
            if found.untrusted:
                untrusted.setdefault(found.untrusted, []).append(chapter.path.stem)
    for why, stems in untrusted.items():  # said once per reason; those chapters are executed again
        progress(f"[{book.lang}] cache entries that cannot be trusted ({why}): {', '.join(stems)}; executing them "
                 "again")
    t = time.perf_counter()
    if todo:
        with kernel.Kernel(root, opts.timeout) as running:  # one kernel per edition, only when needed
            result.timings["kernel_start"] = time.perf_counter() - t
            if running.adopted is not None:
                progress(f"[{book.lang}] kernel: the one started ahead of this build, its libraries loaded")
            for chapter, key, name, changed in todo:
                progress(f"[{book.lang}] execute {name} ({len(chapter.cells)} cells"
                         + (f"; changed: {changed})" if changed else ")"))
                started = time.perf_counter()
                res = running.run(chapter, cache.cells(book.lang, chapter), cache.valid_cell, book.lang, env_key)
                result.timings[f"execute {chapter.path.stem}"] = time.perf_counter() - started
                if res.served:
                    progress(f"[{book.lang}] {name}: {len(res.served)} of {len(chapter.cells)} cells unchanged, taken "
                             f"from the cache (cells {_spans(res.served)})")
                if res.outside:
                    progress(f"[{book.lang}] {name} read {res.outside[0]}"
                             + (f" and {len(res.outside) - 1} more file(s)" if len(res.outside) > 1 else "")
                             + " outside the project: its result is not cached")
                    result.uncacheable = True
                cache.put(book.lang, chapter, key, res)
                done[chapter.path] = res
    result.timings["execute"] = time.perf_counter() - t
    result.executed, result.cached = len(todo), len(chapters) - len(todo)
    if result.cached:
        progress(f"[{book.lang}] {result.cached} chapter(s) unchanged, taken from the cache")
    notebooks = {}
    for chapter in chapters:
        res = done[chapter.path]
        result.reads.update({n: d for n, d in res.reads.items() if n != "data" and not n.startswith("data/")})
        page = assemble.chapter_markdown(chapter, res, opts.checks.gap_decisions() if opts.strict else None, book.lang)
        page.appendix = chapter.path.resolve() in appendix
        pages.append(page)
        notebooks[chapter.path.stem] = res.notebook
    result.notebooks = notebooks
    return pages


def _timed(timings: dict[str, float], name: str, stage: Callable):
    t = time.perf_counter()
    try:
        return stage()
    finally:
        timings[name] = time.perf_counter() - t


def _spans(numbers: list[int]) -> str:
    """1, 2, 3, 5 -> '1-3, 5'."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][-1] + 1:
            spans[-1].append(n)
        else:
            spans.append([n])
    return ", ".join(f"{s[0]}-{s[-1]}" if len(s) > 1 else str(s[0]) for s in spans)


def _render(book: config.Edition, pages: list, registry: dict, reg_path: Path, staging: Path, opts: Options,
            progress: Progress, result: Result, build_id: str = "") -> list[str]:
    """The HTML site, then the PDF (and for the printer, ``--strict``, the print file); returns the warnings,
    HTML's first."""
    lang = book.lang
    pdf_name = pdf_file(book)
    print_name = print_file(book)
    draft = not opts.strict
    timings = result.timings

    def html() -> list[str]:
        progress(f"[{lang}] html: {len(pages)} pages")
        return render.html_site(book, pages, registry, reg_path, staging / "html", pdf_name=pdf_name, draft=draft)

    # the chapters' line breaks of the last builds: a chapter's lines depend on its text, the template (in the
    # package), Typst, the fonts and the main font
    layout = Key(package_key(), lang, draft, render.mainfont(book)).folder("fonts", book.root / "fonts").hexdigest()
    memory = linebreaks.Memory(Store(book.root, f"linebreaks/{lang}"), layout) if opts.cache else None

    def pdf() -> list[str]:
        progress(f"[{lang}] pdf: pandoc -> typst -> {pdf_name}")
        try:
            warnings = render.pdf(book, pages, reg_path, staging / "print", staging / pdf_name, draft=draft,
                                  build_id=build_id, press=press.settings(book.get("print", {})),
                                  print_dest=None if draft else staging / print_name, memory=memory,
                                  cache=Store(book.root, "draft-mark") if opts.cache else None)
            if memory:
                memory.forget_others()
            return warnings
        finally:
            shutil.rmtree(staging / "print", ignore_errors=True)

    def timed(name: str, stage: Callable[[], list[str]]) -> list[str]:
        t = time.perf_counter()
        try:
            return stage()
        finally:
            timings[name] = time.perf_counter() - t

    def reviewers_notebooks() -> list[str]:
        progress(f"[{lang}] notebooks: {len(pages)} chapters with their text and a check of their numbers")
        return notebooks.write(book, pages, result.notebooks, reg_path, staging)

    stages = [(name, fn) for name, fn in (("html", html), ("pdf", pdf)) if name in opts.formats]
    stages.append(("notebooks", reviewers_notebooks))
    cache = (book.root / ".cache" / "pandoc" / lang) if opts.cache else None
    with _stopwatch(timings), pandoc_cache(cache, result, progress):
        if opts.stage_threads < 2:
            return [w for name, fn in stages for w in timed(name, fn)]
        # the PDF (the longest) in one thread, the others after one another in the rest: pandoc and Typst run
        # outside Python's lock
        pool = ThreadPoolExecutor(max_workers=min(opts.stage_threads, len(stages)), thread_name_prefix=lang)
        try:
            started = {name: pool.submit(timed, name, fn) for name, fn in sorted(stages, key=lambda s: s[0] != "pdf")}
            return [w for name, _ in stages for w in started[name].result()]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def pdf_file(book: config.Edition, suffix: str = "") -> str:
    """The edition's PDF, named by the report's year (``report: year:`` in the config): ngo-report-2019-kk.pdf."""
    return f"ngo-report-{book.get('year')}-{book.lang}{suffix}.pdf"


def print_file(book: config.Edition) -> str:
    return pdf_file(book, "-print")


@contextmanager
def _stopwatch(timings: dict[str, float]):
    """Adds up the time spent in pandoc and in Typst (``pandoc``, ``typst``: sums over their calls)."""
    lock = threading.Lock()

    def timed(name: str, func: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                with lock:
                    timings[name] = timings.get(name, 0.0) + time.perf_counter() - t
        return wrapper

    pandoc, typst_module = render.pandoc, render.typst
    render.pandoc = timed("pandoc", pandoc)
    render.typst = _Module(typst_module, compile=timed("typst", typst_module.compile),
                           compile_with_warnings=timed("typst", typst_module.compile_with_warnings))
    try:
        yield
    finally:
        render.pandoc, render.typst = pandoc, typst_module


class _Module:
    """A module with some of its functions replaced."""

    def __init__(self, module, **replaced):
        self._module = module
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(self._module, name)


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` in place of ``target`` in one atomic step (``files.exchange``; ``staging`` then holds the
    previous output, removed by the caller or, after a crash, by the next build's ``recover``). Where the system
    cannot exchange: two renames, and a crash between them leaves ``.<lang>-old``, which ``recover`` puts back."""
    if target.exists() and exchange(staging, target):
        return
    old = target.with_name(f".{target.name}-old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
