"""The builtin engine: execute, assemble, number, typeset; output replaced only when everything succeeded."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import __version__
from . import BuildError, assemble, execute, project, render, qmd

Progress = Callable[[str], None]


@dataclass
class Options:
    langs: tuple[str, ...] = ("kk", "ru")
    formats: tuple[str, ...] = ("html", "pdf")
    cache: bool = True
    strict: bool = False
    timeout: int = 600
    output: Path | None = None  # default <root>/output
    only: tuple[str, ...] = ()  # chapter file stems: a quick build of some chapters (numbering restarts)


@dataclass
class Result:
    lang: str
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    executed: int = 0
    cached: int = 0
    notebooks: dict = field(default_factory=dict)


def build_edition(root: Path, lang: str, opts: Options, progress: Progress = print) -> Result:
    """Build one edition into ``<output>/<lang>``; the previous output stays until the new one is complete."""
    result = Result(lang)
    book = project.load(root, lang)
    if opts.only:
        book.chapters = [p for p in book.chapters if p.stem in opts.only]
        book.appendices = [p for p in book.appendices if p.stem in opts.only]
        if not book.files:
            raise BuildError(f"--only {','.join(opts.only)}: no such chapter file in _quarto-{lang}.yml")
    out_root = (opts.output or root / "output").resolve()
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        lock = _lock(out_root, lang)
    except OSError as err:
        raise BuildError(f"cannot write to the output folder {out_root}: {err.strerror}; "
                         "make it writable or choose another with --output") from None
    staging = Path(tempfile.mkdtemp(prefix=f".{lang}-", dir=out_root))
    try:
        pages = _execute(root, book, opts, progress, result)
        save_notebooks(staging, result.notebooks)
        registry = assemble.registry(pages, lang)
        reg_path = assemble.write_registry(registry, staging / "registry.json")
        pdf_name = f"ngo-report-2019-{lang}.pdf"
        draft = not opts.strict
        if "html" in opts.formats:
            t = time.perf_counter()
            progress(f"[{lang}] html: {len(pages)} pages")
            result.warnings += render.html_site(book, pages, registry, reg_path, staging / "html",
                                                pdf_name=pdf_name, draft=draft)
            result.timings["pandoc_html"] = time.perf_counter() - t
        if "pdf" in opts.formats:
            t = time.perf_counter()
            progress(f"[{lang}] pdf: pandoc -> typst -> {pdf_name}")
            result.warnings += render.pdf(book, pages, reg_path, staging / "print", staging / pdf_name, draft=draft)
            result.timings["pdf"] = time.perf_counter() - t
            shutil.rmtree(staging / "print", ignore_errors=True)
        problems = [w for w in result.warnings if "UNRESOLVED-REFERENCE" in w or "MISSING-CAPTION" in w]
        if problems and opts.strict:
            raise BuildError(f"[{lang}] strict build: " + "; ".join(sorted(set(problems))))
        _manifest(staging, lang, opts)
        target = out_root / lang
        _swap(staging, target)
        result.outputs = sorted(p for p in target.rglob("*") if p.is_file())
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        lock.unlink(missing_ok=True)


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


def _execute(root: Path, book: project.Book, opts: Options, progress: Progress, result: Result) -> list:
    cache = execute.Cache((root / ".cache" / "exec") if opts.cache else None)
    env_key = execute.environment_key()
    chapters = [qmd.parse(p) for p in book.files]
    appendix = {p.resolve() for p in book.appendices}
    pages, todo, done = [], [], {}
    for chapter in chapters:
        key = execute.chapter_key(chapter, book.lang, env_key)
        hit = cache.get(book.lang, chapter, key)
        if hit:
            done[chapter.path] = hit
        else:
            todo.append((chapter, key))
    t = time.perf_counter()
    if todo:
        with execute.Kernel(root, opts.timeout) as kernel:
            for chapter, key in todo:
                progress(f"[{book.lang}] execute {chapter.path.relative_to(root)} ({len(chapter.cells)} cells)")
                res = kernel.run(chapter)
                cache.put(book.lang, chapter, key, res)
                done[chapter.path] = res
    result.timings["execute"] = time.perf_counter() - t
    result.executed, result.cached = len(todo), len(chapters) - len(todo)
    if result.cached:
        progress(f"[{book.lang}] {result.cached} chapter(s) unchanged, taken from the cache")
    notebooks = {}
    for chapter in chapters:
        res = done[chapter.path]
        page = assemble.chapter_markdown(chapter, res)
        page.appendix = chapter.path.resolve() in appendix
        pages.append(page)
        notebooks[chapter.path.stem] = res.notebook
    result.notebooks = notebooks
    return pages


def _manifest(staging: Path, lang: str, opts: Options) -> None:
    import hashlib
    from importlib import metadata

    files = {}
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        files[str(path.relative_to(staging))] = hashlib.sha256(path.read_bytes()).hexdigest()
    versions = {}
    for lib in ("pandas", "matplotlib", "pypandoc-binary", "typst", "nbclient", "ipykernel"):
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            pass
    manifest = {"lang": lang, "engine": "builtin", "helpers": __version__, "versions": versions,
                "strict": opts.strict, "files": files}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")


def _swap(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` in two renames; the old output survives any failure before that."""
    old = target.with_name(f".{target.name}-old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def save_notebooks(target: Path, notebooks: dict) -> None:
    folder = target / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    for stem, nb in notebooks.items():
        (folder / f"{stem}.ipynb").write_text(json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True),
                                              encoding="utf-8")
