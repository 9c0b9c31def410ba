"""What an edition's output depends on, and whether the output in place is still that output.

``inputs_key`` hashes everything an edition is built from (config, chapter files, data folder, fonts folder,
helper package, Python and library versions, the lock's digest, build options, ``SOURCE_DATE_EPOCH``); ``is_current`` compares it,
and the files the chapters read, with the build log of the output in place and that output with its manifest.
Files are named by their place in the project and their
content's hash, never by absolute path, size or time.
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

from helpers import __version__
from helpers.core import config, environment, paths
from helpers.core.cache import (file_hashes, library_version, package_files, read_json, sha_file, sha_or_none,
                                 write_atomic)
from helpers.engines import chapter_cache
from helpers.engines.options import Options, Result

MANIFEST = "manifest.json"


def build_log(out_root: Path, lang: str) -> Path:
    """Warnings and stage timings of the last build of an edition (not part of the edition)."""
    return out_root / f".build-{lang}.json"


def inputs_key(root: Path, book: config.Edition, opts: Options) -> str:
    """A hash of everything an edition's output depends on; equal keys give byte-identical output."""
    h = hashlib.sha256()

    def add(name: str, digest: str) -> None:
        h.update(f"{name}\0{digest}\n".encode("utf-8"))

    add("engine", f"builtin {__version__} {chapter_cache.environment_key()}")
    pkg = paths.package_dir()
    for path in package_files():
        add(f"helpers/{path.relative_to(pkg).as_posix()}", sha_file(path))
    for name in ("_quarto.yml", f"_quarto-{book.lang}.yml"):
        add(name, sha_file(root / name))
    places = paths.Places(root)
    for path in book.files:  # in book order, by their names in the project (a linked chapter is followed)
        add(f"chapter:{places.name_of(path) or path.name}", sha_file(path))
    data = paths.data_dir(root)
    if data.is_dir():
        for name, digest in file_hashes(data).items():
            add(f"data/{name}", digest)
    fonts = root / "fonts"  # the project's fonts, given to Typst
    if fonts.is_dir():
        for name, digest in file_hashes(fonts).items():
            add(f"fonts/{name}", digest)
    add("lock", environment.record(root).get("sha256", ""))  # named in the manifest and the notebooks
    add("options", json.dumps({"formats": sorted(opts.formats), "strict": opts.strict, "only": sorted(opts.only),
                               "epoch": config.epoch(), "lang": book.lang}, sort_keys=True))
    return h.hexdigest()


def is_current(out_root: Path, lang: str, key: str, root: Path | None = None) -> bool:
    """The edition in ``out_root/lang`` was built from inputs ``key`` (its build log says so, for this very
    manifest), the other files its chapters read (listed in the log by their names in the project) are unchanged,
    and its files are exactly those of its manifest."""
    target, log = out_root / lang, read_json(build_log(out_root, lang))
    if log.get("inputs") != key or not (target / MANIFEST).is_file() or log.get("uncacheable", True):
        return False
    if log.get("manifest") != sha_file(target / MANIFEST):
        return False
    reads = log.get("reads")
    if not isinstance(reads, dict):
        return False
    if reads:
        places = paths.Places(root if root is not None else out_root.parent)
        for name, digest in reads.items():
            path = places.path_of(name)
            if path is None or sha_or_none(path) != digest:
                return False
    return file_hashes(target, skip=(MANIFEST,)) == read_json(target / MANIFEST).get("files")


def write_manifest(staging: Path, lang: str, opts: Options, build_id: str = "", lock: dict | None = None) -> None:
    """``manifest.json``: every file with its sha256, engine, Python and library versions, the lock the
    environment is installed from (``environment.record``); no timestamps."""
    versions = {lib: version for lib in chapter_cache.LIBRARIES if (version := library_version(lib)) != "?"}
    manifest = {"lang": lang, "engine": "builtin", "helpers": __version__,
                "python": f"{platform.python_implementation()} {platform.python_version()}",
                "versions": versions, "lock": lock or {}, "strict": opts.strict, "formats": sorted(opts.formats),
                "only": sorted(opts.only), "source_date_epoch": config.epoch(), "build_id": build_id,
                "files": file_hashes(staging, skip=(MANIFEST,))}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def write_log(out_root: Path, result: Result, key: str, manifest_sha: str) -> None:
    """The build log beside the edition: its inputs key (for this manifest), warnings, stage timings."""
    log = {"lang": result.lang, "inputs": key, "manifest": manifest_sha, "executed": result.executed,
           "cached": result.cached, "reads": dict(sorted(result.reads.items())), "uncacheable": result.uncacheable,
           "pandoc_reused": result.pandoc_reused,
           "warnings": sorted(set(result.warnings)), "timings": {k: round(v, 3) for k, v in result.timings.items()}}
    path = build_log(out_root, result.lang)
    write_atomic(path, json.dumps(log, ensure_ascii=False, indent=1, sort_keys=True))
