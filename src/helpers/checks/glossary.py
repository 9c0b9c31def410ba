"""One terminology: ``data/glossary.csv`` names each term, its abbreviation and the variants the book may not use.

:func:`check` finds a forbidden variant in the chapters and in the chart labels (``data/labels.csv``);
``report check`` prints the findings as warnings, ``report check --strict`` and the print build as errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from helpers.core import config, data

LETTER = r"[^\W\d_]"


@dataclass(frozen=True)
class Variant:
    lang: str
    text: str  # as written in the glossary ('*' at the end: any ending)
    preferred: str
    row: int  # line of glossary.csv (the header is line 1)

    @cached_property  # compiled once per variant, not once per line it is matched against
    def pattern(self) -> re.Pattern:
        stem = self.text.rstrip("*")
        tail = rf"{LETTER}*" if self.text.endswith("*") else ""
        return re.compile(rf"(?<!{LETTER}){re.escape(stem)}{tail}(?!{LETTER})", re.IGNORECASE)


def table(folder: Path | None = None):
    return data.read_table(data.resource("glossary", folder), folder)


def variants(folder: Path | None = None) -> list[Variant]:
    out = []
    for i, row in table(folder).iterrows():
        for lang in config.langs():
            forbidden = row.get(f"{lang}_forbidden")
            if not isinstance(forbidden, str) or not forbidden.strip():
                continue
            abbr = row.get(f"{lang}_abbr")
            preferred = abbr if isinstance(abbr, str) and abbr else row[lang]
            for v in filter(None, (v.strip() for v in forbidden.split("|"))):
                text, _, correction = v.partition(">")  # "МӘТ-ты>МӘТ-ті": the variant and what to write
                out.append(Variant(lang, text.strip(), correction.strip() or preferred, int(i) + 2))
    return out


def prose_lines(path: Path, inline: bool = False):
    """(line number, text) of a chapter's prose, captions and cell options; code is left out, and the inline
    expressions unless ``inline``."""
    in_code = False
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code and not line.startswith("#|"):
            continue
        yield no, line if inline else re.sub(r"`\{python\}[^`]*`", " ", line)


def check(root: Path, folder: Path | None = None) -> list[str]:
    """Every use of a forbidden variant: ``chapters/kk/x.qmd:12: «АЖҚДМ» ...`` (empty: the terminology holds)."""
    folder = folder or root / "data"
    return [line for path in chapters(root) for line in chapter_terms(root, path, folder)] + label_terms(folder)


def chapters(root: Path) -> list[Path]:
    """Every chapter file of every edition, in the order the checks report them."""
    return sorted((root / "chapters").glob("*/*.qmd"))


def chapter_terms(root: Path, path: Path, folder: Path) -> list[str]:
    """The forbidden variants in one chapter file."""
    found = []
    rel, mine = path.relative_to(root), [v for v in variants(folder) if v.lang == path.parent.name]
    for no, line in prose_lines(path):
        for v in mine:
            for m in v.pattern.finditer(line):
                found.append(f"TERMINOLOGY at {rel}:{no}: «{m.group(0)}» is a variant the glossary does not "
                             f"allow; write «{v.preferred}» (data/glossary.csv, line {v.row})")
    return found


def label_terms(folder: Path) -> list[str]:
    """The forbidden variants in the labels (data/labels.csv) of every declared edition."""
    found, vs = [], variants(folder)
    labels = data.read_table(data.resource("labels", folder), folder)
    for i, row in labels.iterrows():
        for lang, col in ((lang, col) for lang in config.langs() for col in (lang, f"{lang}_short")):
            text = row.get(col)
            if not isinstance(text, str):
                continue
            for v in vs:
                if v.lang != lang:
                    continue
                for m in v.pattern.finditer(text):
                    found.append(f"TERMINOLOGY at data/labels.csv:{int(i) + 2} ({col}): «{m.group(0)}» is a variant "
                                 f"the glossary does not allow; write «{v.preferred}» (data/glossary.csv, line {v.row})")
    return found


def terms(lang: str, folder: Path | None = None) -> list[list[str]]:
    """The Terms table, one glossary for every edition: each abbreviation of this edition, its term, and the term
    with its abbreviation in each other edition (``state social order (SSO)``), in the book's order."""
    others = [x for x in config.langs() if x != lang]
    rows = table(folder)

    def named(r, x: str) -> str:
        abbr = r.get(f"{x}_abbr")
        return f"{r[x]} ({abbr})" if isinstance(abbr, str) and abbr else str(r[x])
    return [[r[f"{lang}_abbr"], r[lang], *(named(r, x) for x in others)] for _, r in rows.iterrows()
            if isinstance(r.get(f"{lang}_abbr"), str) and r.get(f"{lang}_abbr")]
