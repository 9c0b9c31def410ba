"""The builtin engine: execute, assemble, number, typeset; output replaced only when everything succeeded.

Fast without being stale:

- executed chapters are cached (``chapter_cache.Cache``), keyed by their code, the data files and helper modules
  they used and the Python and library versions;
- pandoc's conversions are cached too (``pandoc_cache``: a prose edit converts one page again, not the whole site);
- an edition whose inputs (``freshness.inputs_key``: config, chapter files, data folder, fonts folder, helper package,
  Python and library versions, build options, ``SOURCE_DATE_EPOCH``) are those of the last build into the output folder,
  and whose files still match that build's manifest, is left as it is;
- the editions are built in parallel processes (``Options.jobs``, ``parallel``; measured: a cold build of both editions
  takes about 60 % of the time on 2 cores), while the caller's ``gate`` (the data check) runs: an edition
  replaces its output only once the gate has passed. HTML and PDF of one edition in two threads did not pay
  (measured on 2 busy cores) and are made one after the other.

Reproducible: fixed dates, deterministic notebooks, and a manifest (every file with its hash, the engine,
Python and library versions) without timestamps. The inputs key, stage timings and warnings of the last build
of an edition go to ``<output>/.build-<lang>.json`` (and the timings to the progress output), never into the
edition.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from helpers.checks import prose_claims
from helpers.core import config, gap_decisions, paths, qmd
from helpers.core.cache import read_json, sha_file
from helpers.core.errors import BuildError
from helpers.engines import assemble, chapter_cache, kernel, notebooks, press, render
from helpers.engines.freshness import MANIFEST, build_log, inputs_key, is_current, write_log, write_manifest
from helpers.engines.pandoc_cache import pandoc_cache

Progress = Callable[[str], None]


@dataclass
class Options:
    langs: tuple[str, ...] = ("kk", "ru")
    formats: tuple[str, ...] = ("html", "pdf")
    cache: bool = True  # False: execute everything, rebuild even an up-to-date edition
    strict: bool = False
    timeout: int = 600
    output: Path | None = None  # default <root>/output
    only: tuple[str, ...] = ()  # chapter file stems: a quick build of some chapters (numbering restarts)
    jobs: int = 0  # editions built at the same time, in separate processes; 0: one per core, at most one per edition


@dataclass
class Result:
    lang: str
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    executed: int = 0
    cached: int = 0
    notebooks: dict = field(default_factory=dict)
    up_to_date: bool = False  # nothing changed since the build in the output folder: nothing was done
    pandoc_reused: int = 0  # pandoc conversions taken from the cache
    reads: dict = field(default_factory=dict)  # files the chapters read besides data/ and the helpers (for the log)
    uncacheable: bool = False  # a chapter read a data file outside the project: never "up to date"


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


# --- building ------------------------------------------------------------------------------------------

# What the final print may not contain (a draft build reports them as warnings and marks its pages)
STRICT_PROBLEMS = ("UNRESOLVED-REFERENCE", "MISSING-CAPTION", "GAP-PANEL", "IMPRINT-FIELD", "PREFLIGHT",
                   "FALSE-CLAIM")


def decided_gaps(root: Path) -> dict[str, str]:
    """The editors' decisions for the gap panels (``data/gap-decisions.csv``): dataset -> note | omit."""
    from helpers.core.data import DataError

    try:
        return {d.dataset: d.decision for d in gap_decisions.load(paths.data_dir(root)).values()}
    except DataError as err:
        raise BuildError(f"data/{err}") from None


def build_edition(root: Path, lang: str, opts: Options, progress: Progress = print,
                  before_swap: Callable[[], None] | None = None) -> Result:
    """Build one edition into ``<output>/<lang>``; the previous output stays until the new one is complete
    (and ``before_swap``, if given, has returned: it may stop the build by raising ``BuildError``)."""
    start = time.perf_counter()
    result = Result(lang)
    book = load_book(root, lang, opts)
    out_root = output_root(root, opts)
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        lock = _lock(out_root, lang)
    except OSError as err:
        raise BuildError(f"cannot write to the output folder {out_root}: {err.strerror}; "
                         "make it writable or choose another with --output") from None
    staging = None
    try:
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
        result.warnings += _claims(root, book, pages, staging / "claims.csv", result.timings)
        registry = assemble.registry(pages, lang)
        reg_path = assemble.write_registry(registry, staging / "registry.json")
        assemble.write_numbers(pages, staging / "numbers.csv")
        decided = decided_gaps(root)  # the print build applies them; the draft shows every panel and says so
        result.warnings += [f"GAP-PANEL at {gap}: a diagram the source gives no values of ({dataset}); "
                            + (f"the print build follows data/{gap_decisions.REGISTER_FILE}: {decided[dataset]}"
                               if dataset in decided else
                               f"data/{gap_decisions.REGISTER_FILE} has no decision for it (note or omit)")
                            for page in pages for gap in page.gaps
                            for dataset in [page.gap_datasets.get(gap, "?")]
                            if not (opts.strict and dataset in decided)]
        result.warnings += _render(book, pages, registry, reg_path, staging, opts, progress, result, key)
        if opts.strict and "pdf" in opts.formats:
            result.warnings += _preflight(book, staging, progress, result)
        problems = [w for w in result.warnings if any(k in w for k in STRICT_PROBLEMS)]
        if problems and opts.strict:
            raise BuildError(f"[{lang}] strict build (for the printer) stopped on:\n  "
                             + "\n  ".join(sorted(set(problems)))
                             + "\nthe draft build (without --strict) shows these as warnings")
        write_manifest(staging, lang, opts, key)
        if before_swap is not None:
            before_swap()
        _swap(staging, target)
        result.outputs = sorted(p for p in target.rglob("*") if p.is_file())
        result.timings["total"] = time.perf_counter() - start
        write_log(out_root, result, key, sha_file(target / MANIFEST))
        progress(f"[{lang}] timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
                 + (f" ({result.pandoc_reused} pandoc conversion(s) reused)" if result.pandoc_reused else ""))
        return result
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        lock.unlink(missing_ok=True)


def build_editions(root: Path, opts: Options, progress: Progress = print,
                   done: Callable[[Result], None] | None = None,
                   gate: Callable[[], bool] | None = None) -> list[Result] | None:
    """Build every edition of ``opts.langs``; those with work to do in parallel processes when it pays.

    ``done`` is called (in this process) as each edition finishes. A failing edition does not stop the others;
    the errors are raised together at the end. In parallel, the editions print their progress lines
    themselves (each line prefixed with its edition).

    ``gate`` (e.g. the data check) runs in this process while the editions are being built, each in its own
    process; an edition replaces its output only once the gate has returned True. When it returns False the
    editions stop without touching their output, their errors are dropped, and the result is None.
    """
    report = done or (lambda res: None)
    results: dict[str, Result] = {}
    errors: list[str] = []
    busy = [lang for lang in opts.langs if not up_to_date(root, lang, opts)]
    if busy:
        kernel.preload()
    jobs = opts.jobs or min(len(busy), os.cpu_count() or 1)
    forking = "fork" in _start_methods()
    parallel = busy if forking and ((jobs > 1 and len(busy) > 1) or (gate is not None and busy)) else []
    if gate is not None and not parallel and not gate():
        return None
    if parallel:
        import functools
        import multiprocessing

        from helpers.engines.parallel import Processes

        # fork: the workers start at once with the libraries this process has imported
        ctx = multiprocessing.get_context("fork")
        go, stop = ctx.Event(), ctx.Event()
        if gate is None:
            go.set()
        with Processes(min(jobs, len(parallel)), init=functools.partial(_gate_init, go, stop, os.getpid())) as procs:
            for lang in parallel:
                procs.submit(lang, _edition_worker, root, lang, opts)
            try:
                passed = gate() if gate is not None else True
            except BaseException:
                stop.set()
                raise
            (go if passed else stop).set()
            for lang, status, value in procs.results():
                if status == "ok":
                    results[lang] = value
                    report(value)
                elif status == "error":
                    errors.append(value)
                else:
                    errors.append(f"[{lang}] the build process stopped: {value}")
        if not passed:
            return None
    for lang in opts.langs:  # up to date, or one after the other
        if lang in parallel:
            continue
        try:
            results[lang] = build_edition(root, lang, opts, progress)
            report(results[lang])
        except BuildError as err:
            errors.append(str(err))
    if errors:
        raise BuildError("\n".join(errors))
    return [results[lang] for lang in opts.langs]


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


_GATE: tuple = ()


def _gate_init(go, stop, parent: int) -> None:
    global _GATE
    _GATE = (go, stop, parent)


def _wait_for_gate(lang: str) -> None:
    """In an edition's process: wait until the gate has opened (or closed: then stop without swapping)."""
    go, stop, parent = _GATE
    while not go.wait(0.1):
        if stop.is_set() or os.getppid() != parent:
            raise BuildError(f"[{lang}] stopped before replacing the output")


def _print(message: str) -> None:
    print(message, flush=True)


def _edition_worker(root: Path, lang: str, opts: Options) -> Result:
    def progress(message: str) -> None:
        if _GATE and _GATE[1].is_set():  # the gate has closed: stop at the next step
            raise BuildError(f"[{lang}] stopped before replacing the output")
        _print(message)

    result = build_edition(root, lang, opts, progress=progress, before_swap=lambda: _wait_for_gate(lang))
    result.notebooks = {}  # saved already; not sent back
    return result


def _lock(out_root: Path, lang: str) -> Path:
    """One build of an edition at a time: a second one stops with a clear message instead of interleaving."""
    lock = out_root / f".{lang}.lock"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        pid = lock.read_text().strip() or "?"
        alive = pid.isdigit() and Path(f"/proc/{pid}").exists()
        if alive:
            raise BuildError(f"another build of the {lang} edition is running (pid {pid}); wait for it to finish") from None
        lock.unlink(missing_ok=True)  # left by a build that was killed
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return lock


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
            for chapter, key, name, changed in todo:
                progress(f"[{book.lang}] execute {name} ({len(chapter.cells)} cells"
                         + (f"; changed: {changed})" if changed else ")"))
                res = running.run(chapter, cache.cells(book.lang, chapter), cache.valid_cell, book.lang, env_key)
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
        page = assemble.chapter_markdown(chapter, res, decided_gaps(root) if opts.strict else None, book.lang)
        page.appendix = chapter.path.resolve() in appendix
        pages.append(page)
        notebooks[chapter.path.stem] = res.notebook
    result.notebooks = notebooks
    return pages


def _spans(numbers: list[int]) -> str:
    """1, 2, 3, 5 -> '1-3, 5'."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][-1] + 1:
            spans[-1].append(n)
        else:
            spans.append([n])
    return ", ".join(f"{s[0]}-{s[-1]}" if len(s) > 1 else str(s[0]) for s in spans)


def _claims(root: Path, book: config.Edition, pages: list, path: Path, timings: dict) -> list[str]:
    """Each claim marker of the prose gets its verdict on the data (evaluated once for all editions, usually
    by the caller's gate while the chapters execute); ``claims.csv`` lists them. ``claims`` in the timings:
    what the build waited for the verdicts and spent on the markers and the scanner."""
    t = time.perf_counter()
    try:
        rows, warnings = prose_claims.check_edition(root, book.lang, book.files, pages, prose_claims.verdicts(root))
    except prose_claims.ClaimError as err:
        raise BuildError(str(err)) from None
    finally:
        timings["claims"] = time.perf_counter() - t
    prose_claims.write_csv(rows, path)
    return warnings


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

    def pdf() -> list[str]:
        progress(f"[{lang}] pdf: pandoc -> typst -> {pdf_name}")
        try:
            return render.pdf(book, pages, reg_path, staging / "print", staging / pdf_name, draft=draft,
                              build_id=build_id, press=press.settings(book.get("print", {})),
                              print_dest=None if draft else staging / print_name)
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
        return [w for name, fn in stages for w in timed(name, fn)]


def pdf_file(book: config.Edition, suffix: str = "") -> str:
    """The edition's PDF, named by the report's year (``report: year:`` in the config): ngo-report-2019-kk.pdf."""
    return f"ngo-report-{book.get('year')}-{book.lang}{suffix}.pdf"


def print_file(book: config.Edition) -> str:
    return pdf_file(book, "-print")


def _preflight(book: config.Edition, staging: Path, progress: Progress, result: Result) -> list[str]:
    """The print file checked as a printing house does (``helpers.checks.preflight``); its problems, located."""
    from helpers.checks import preflight

    t = time.perf_counter()
    options = press.settings(book.get("print", {}))
    report = preflight.check(staging / print_file(book), min_dpi=options["min-dpi"],
                             pages_multiple=options["pages-multiple"])
    result.timings["preflight"] = time.perf_counter() - t
    progress(f"[{book.lang}] preflight: " + ("passed" if report.passed else f"{len(report.problems)} problem(s)")
             + f" ({report.pages} pages, {len(report.fonts)} fonts embedded, {report.images} raster image(s))")
    return [f"PREFLIGHT {print_file(book)}: {problem}" for problem in report.problems]


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
    """Replace ``target`` by ``staging`` in two renames; the old output survives any failure before that."""
    old = target.with_name(f".{target.name}-old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)

