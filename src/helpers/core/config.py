"""The book's configuration: ``_quarto.yml`` merged with the edition's profile ``_quarto-<lang>.yml``.

The editions are declared once, under ``report: editions:`` in ``_quarto.yml``: each one's language code, name,
script and number conventions, in the order the book lists them; its chapters are in its profile
``_quarto-<lang>.yml``. Everything that loops over the editions reads them from here (``langs``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from helpers.core import paths
from helpers.core.errors import BuildError

DEFAULT_EPOCH = 1575158400  # 2019-12-01T00:00:00Z: the report's date, for reproducible output


def epoch() -> int:
    """The build's date (``SOURCE_DATE_EPOCH``, else the report's): every date the output carries."""
    return int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))


# The imprint (title verso) of each edition: fields of ``report:``; a code the report has none of is declared
# NOT_ASSIGNED, never left out (the book's checks report an unset field)
IMPRINT_FIELDS = ("publisher", "commissioned-by", "place", "year", "citation", "licence", "udc", "bbk", "isbn")
IMPRINT_CODES = ("udc", "bbk", "isbn")
NOT_ASSIGNED = "not assigned"


@dataclass(frozen=True)
class Language:
    """An edition's language as the book declares it."""

    code: str  # kk, ru: the profile _quarto-<code>.yml, the chapters/<code>/ folder, the --lang value
    name: str  # in its own language, for the language switcher
    script: str  # ISO 15924 (Cyrl, Latn)
    decimal_mark: str
    group_mark: str  # between thousands ("\u00a0": a no-break space)
    group_from: int  # the smallest whole number whose thousands are grouped


_DECLARED: dict[str, dict[str, Language]] = {}  # by the content of _quarto.yml


def editions(root: Path | None = None) -> dict[str, Language]:
    """The editions ``_quarto.yml`` declares (``report: editions:``), by language code, in the book's order."""
    config_file = (root or paths.project_root()) / "_quarto.yml"
    try:
        raw = config_file.read_bytes()
    except OSError:
        raise BuildError(f"{config_file.name} is missing in {config_file.parent}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest not in _DECLARED:
        declared = (_read_yaml(config_file).get("report") or {}).get("editions")
        if not isinstance(declared, dict) or not declared:
            raise BuildError(f"{config_file}: report.editions declares no edition (e.g. kk: {{name: Қазақша, "
                             "script: Cyrl, decimal-mark: ',', group-mark: ' ', group-from: 10000}})")
        out = {}
        for code, spec in declared.items():
            spec = spec or {}
            missing = [k for k in ("name", "script", "decimal-mark", "group-mark", "group-from") if k not in spec]
            if missing:
                raise BuildError(f"{config_file}: report.editions.{code} lacks {', '.join(missing)}")
            out[str(code)] = Language(str(code), str(spec["name"]), str(spec["script"]), str(spec["decimal-mark"]),
                                      str(spec["group-mark"]), int(spec["group-from"]))
        _DECLARED[digest] = out
    return _DECLARED[digest]


def langs(root: Path | None = None) -> tuple[str, ...]:
    """The language codes of the declared editions, in the book's order."""
    return tuple(editions(root))


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
    declared = langs(root)
    if lang not in declared:
        raise BuildError(f"unknown language '{lang}': use one of {', '.join(declared)} (e.g. --lang {','.join(declared)})")
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

