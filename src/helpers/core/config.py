"""The book's configuration: ``_quarto.yml`` merged with the edition's profile ``_quarto-<lang>.yml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from helpers.core.errors import BuildError

LANGS = ("kk", "ru")


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        raise BuildError(f"{path.name} is missing in {path.parent}")
    try:
        # libyaml's loader where PyYAML has it: the same documents, ten times faster (the config is read often)
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as err:
        raise BuildError(f"{path}: not valid YAML: {err}") from None


@dataclass
class Edition:
    """One edition's configuration: its language, merged config and chapter files."""

    root: Path
    lang: str
    config: dict
    chapters: list[Path] = field(default_factory=list)
    appendices: list[Path] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return self.chapters + self.appendices

    @property
    def title(self) -> str:
        return str(self.config.get("book", {}).get("title", ""))

    def get(self, key: str, default=""):
        """A value of the report's own settings (``report:`` in the config)."""
        return self.config.get("report", {}).get(key, default)


def load(root: Path, lang: str) -> Edition:
    """Read the book of one edition and check that every chapter file it names exists."""
    if lang not in LANGS:
        raise BuildError(f"unknown language '{lang}': use one of {', '.join(LANGS)} (e.g. --lang kk,ru)")
    config = _merge(_read_yaml(root / "_quarto.yml"), _read_yaml(root / f"_quarto-{lang}.yml"))
    book_cfg = config.get("book", {})
    chapters = [root / c for c in _files(book_cfg.get("chapters", []))]
    appendices = [root / c for c in _files(book_cfg.get("appendices", []))]
    missing = [p for p in chapters + appendices if not p.exists()]
    if missing:
        names = ", ".join(str(p.relative_to(root)) for p in missing)
        raise BuildError(f"_quarto-{lang}.yml names chapter file(s) that do not exist: {names}")
    if not chapters:
        raise BuildError(f"_quarto-{lang}.yml lists no chapters under book.chapters")
    year = config.get("report", {}).get("year")
    if not (isinstance(year, int) and 1900 < year < 2200):
        raise BuildError(f"_quarto.yml: report.year is {year!r}; it must be the report's year (e.g. 2019): it names "
                         "the PDFs and is printed in the book")
    quarto_name = book_cfg.get("output-file")
    if quarto_name and quarto_name != f"ngo-report-{year}-{lang}":
        raise BuildError(f"_quarto-{lang}.yml: book.output-file is '{quarto_name}' but the report's year "
                         f"names it 'ngo-report-{year}-{lang}' (both engines write the same file names)")
    return Edition(root, lang, config, chapters, appendices)


def _files(entries) -> list[str]:
    """Chapter entries may be file names or Quarto parts (``{part: ..., chapters: [...]}``)."""
    out = []
    for entry in entries:
        if isinstance(entry, dict):
            out += _files(entry.get("chapters", []))
        else:
            out.append(str(entry))
    return out


def untranslated(root: Path, langs: tuple[str, ...] = LANGS) -> list[str]:
    """Chapters that one edition has and another lacks: in the profiles, or as files on disk."""
    problems = []
    stems: dict[str, dict[str, Path]] = {}
    for lang in langs:
        try:
            book = load(root, lang)
        except BuildError:
            continue  # reported by the build of that edition
        stems[lang] = {p.stem: p for p in book.files}
    for lang, own in stems.items():
        for other, theirs in stems.items():
            for stem in sorted(set(own) - set(theirs)):
                counterpart = root / "chapters" / other / f"{stem}.qmd"
                where = (f"{counterpart.relative_to(root)} exists but is not in _quarto-{other}.yml"
                         if counterpart.exists() else f"there is no {counterpart.relative_to(root)}")
                problems.append(f"MISSING-TRANSLATION: {own[stem].relative_to(root)} is in the {lang} edition "
                                f"only ({where})")
    return problems
