"""``report verify``: rebuild the editions without the cache into a temporary folder and compare them, file by
file, with the manifest of the output folder (``<output>/<lang>/manifest.json``).

Two comparisons per edition, both against the manifest's hashes:

- the rebuild (is the output reproducible from the sources, in this environment?);
- the files now in the output folder (were they changed after the build?).

A file is *added* when it is not in the manifest, *missing* when the manifest lists it but it is not there,
*changed* when its hash differs. Differences in versions or inputs are printed as notes: they explain
differences, they are not differences themselves. A rebuild that differs is kept, and its folder named, so that the
reviewer can compare the two files; a rebuild that matches is removed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from helpers.core.cache import file_hashes
from helpers.core.errors import BuildError
from helpers.core.problems import Checks
from helpers.engines import builtin
from helpers.engines.freshness import MANIFEST, build_log
from helpers.engines.options import Options

Progress = Callable[[str], None]


@dataclass
class Comparison:
    """What differs between a set of files and the manifest; ``where`` names the set."""

    where: str
    added: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (self.added or self.missing or self.changed)

    def lines(self, lang: str) -> list[str]:
        out = [f"[{lang}] {kind} in {self.where}: {name}"
               for kind, names in (("added", self.added), ("missing", self.missing), ("changed", self.changed))
               for name in names]
        return out


@dataclass
class Report:
    lang: str
    manifest: Path
    files: int  # listed in the manifest
    rebuild: Comparison
    output: Comparison
    notes: list[str] = field(default_factory=list)
    rebuild_folder: Path | None = None  # kept when the rebuild differs from the manifest

    @property
    def same(self) -> bool:
        return self.rebuild.same and self.output.same


def compare(expected: dict[str, str], actual: dict[str, str], where: str) -> Comparison:
    """Files of ``actual`` against ``expected`` (relative path -> sha256)."""
    return Comparison(where,
                      added=sorted(set(actual) - set(expected)),
                      missing=sorted(set(expected) - set(actual)),
                      changed=sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k]))


def _manifest(path: Path) -> dict:
    if not path.exists():
        raise BuildError(f"{path} does not exist: build the edition first (report build), then verify it")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise BuildError(f"{path} is not valid JSON: {err}") from None
    if not isinstance(manifest.get("files"), dict):
        raise BuildError(f"{path} lists no files: it is not a manifest of the builtin engine")
    return manifest


def _log(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _notes(stored: dict, rebuilt: dict, stored_log: dict, rebuilt_log: dict) -> list[str]:
    notes = []
    if stored.get("python") != rebuilt.get("python"):
        notes.append(f"built with Python {stored.get('python', '?')}, rebuilt with {rebuilt.get('python', '?')}")
    locks = [m.get("lock", {}).get("sha256", "")[:12] or "(none)" for m in (stored, rebuilt)]
    if locks[0] != locks[1]:
        notes.append(f"built from the lock {locks[0]}, rebuilt from the lock {locks[1]} (requirements.lock, sha256)")
    old, new = stored.get("versions", {}), rebuilt.get("versions", {})
    for lib in sorted(set(old) | set(new)):
        if old.get(lib) != new.get(lib):
            notes.append(f"built with {lib} {old.get(lib, '(none)')}, rebuilt with {new.get(lib, '(none)')}")
    if stored_log.get("inputs") and stored_log.get("inputs") != rebuilt_log.get("inputs") and not notes:
        notes.append("the sources (chapters, config, data or helper code) changed since the output was built")
    return notes


def verify(root: Path, langs: tuple[str, ...], output: Path | None = None, progress: Progress = print,
           jobs: int = 0, checks: Checks | None = None) -> list[Report]:
    """Rebuild ``langs`` without the cache with the options recorded in their manifests (and the book's
    ``checks``, which write part of the output) and compare."""
    out_root = (output or root / "output").resolve()
    stored = {lang: _manifest(out_root / lang / MANIFEST) for lang in langs}
    groups: dict[tuple, list[str]] = {}  # editions built with the same options are rebuilt together
    for lang in langs:
        m = stored[lang]
        key = (tuple(m.get("formats") or ("html", "pdf")), bool(m.get("strict")), tuple(m.get("only") or ()))
        groups.setdefault(key, []).append(lang)
    reports = []
    tmp = tempfile.mkdtemp(prefix="report-verify-")
    try:
        for number, ((formats, strict, only), group) in enumerate(groups.items()):
            rebuild_root = Path(tmp) / f"rebuild-{number + 1}"
            progress(f"rebuilding {', '.join(group)} without the cache into a temporary folder ...")
            opts = Options(langs=tuple(group), formats=formats, cache=False, strict=strict, only=only,
                           output=rebuild_root, jobs=jobs, checks=checks or Checks())
            builtin.build_editions(root, opts, progress=progress)
            for lang in group:
                manifest = stored[lang]
                rebuilt = _manifest(rebuild_root / lang / MANIFEST)
                reports.append(Report(
                    lang, out_root / lang / MANIFEST, len(manifest["files"]),
                    rebuild=compare(manifest["files"], rebuilt["files"], "the rebuild"),
                    output=compare(manifest["files"],
                                   file_hashes(out_root / lang, skip=(MANIFEST,)),
                                   f"{out_root / lang}"),
                    notes=_notes(manifest, rebuilt, _log(build_log(out_root, lang)),
                                 _log(build_log(rebuild_root, lang))),
                    rebuild_folder=rebuild_root / lang))
    finally:
        if not reports or all(r.rebuild.same for r in reports):
            shutil.rmtree(tmp, ignore_errors=True)
    for r in reports:
        if r.rebuild.same:
            r.rebuild_folder = None
    return sorted(reports, key=lambda r: langs.index(r.lang))


def summary(report: Report) -> list[str]:
    """Lines for the reader: every difference, the notes, and a verdict."""
    lines = report.output.lines(report.lang) + report.rebuild.lines(report.lang)
    lines += [f"[{report.lang}] note: {n}" for n in report.notes]
    if report.rebuild_folder is not None:
        lines.append(f"[{report.lang}] the rebuild is kept for comparison in {report.rebuild_folder}")
    if report.same:
        lines.append(f"[{report.lang}] verified: the rebuild and the output folder match all {report.files} files of "
                     f"{report.manifest}")
    else:
        count = sum(len(c.added) + len(c.missing) + len(c.changed) for c in (report.rebuild, report.output))
        lines.append(f"[{report.lang}] {count} difference(s) from {report.manifest}")
    return lines
