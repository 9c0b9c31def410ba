"""Problems the checks and the engines report: a code, a place, a message, and whether it blocks the print;
and ``Checks``, the hooks through which an engine runs a book's checks without knowing their rules.

A draft build prints every problem as a warning; ``report build --strict`` (the print build) refuses when any
problem of a code in ``BLOCKS_PRINT`` is found, after listing all of them from every stage it reached. This
table is the one place that says what a printed report may not contain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from helpers.core.config import Edition

BLOCKS_PRINT = {
    # the data and the book as a whole
    "DATA": "a data file fails report check",
    "MISSING-TRANSLATION": "a chapter one edition has and another lacks",
    "EDITIONS-DIFFER": "editions whose chapters differ in footnotes, cells, references, ids or numbers",
    "TERMINOLOGY": "a term the glossary does not allow",
    "GLOSSARY": "a glossary that cannot be read",
    "MISSING-CLAIM": "a claim bound in one edition only",
    "UNACKNOWLEDGED-FINDING": "an audit finding neither fixed in the data nor acknowledged",
    "AUDIT": "an audit that cannot run",
    "IMPRINT-FIELD": "an imprint field left unset",
    "TYPED-NUMBER": "a digit typed in a chapter's prose, outside inline expressions and the allow-list",
    "NUMBER-WORD": "a number said in words, bound to no claim and no fact the source gives in words",
    # an edition's pages
    "FALSE-CLAIM": "a comparison of the prose that the data contradicts",
    "UNWORDED-VALUE": "a value the source gives only in words, printed as if exact",
    "GAP-PANEL": "a diagram without values and without an editors' decision",
    "UNRESOLVED-REFERENCE": "a cross-reference that points nowhere",
    "MISSING-CAPTION": "a float without caption",
    # the print file
    "PREFLIGHT": "a print file that fails preflight",
}
# Reported, never blocking: UNCHECKED-CLAIM (a comparative word bound to no claim), UNDECIDED-CLAIM (a claim the
# intervals of values given in words cannot decide), MISSING-ALT (a caption
# stands in for a figure's text alternative), TYPST (the typesetter's warnings).

_CODE = re.compile(r"(?P<code>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)\b")
_PLACE = re.compile(r" at (?P<place>[^\s:]+(?::\d+)?)")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str  # the whole line as shown to the reader, code first
    place: str = ""  # file:line, or the file, or the id it concerns
    blocks_print: bool = False

    def __str__(self) -> str:
        return self.message

    @classmethod
    def of(cls, line: str) -> Problem:
        """A problem from its line (``FALSE-CLAIM at chapters/kk/02-activity.qmd:12: ...``)."""
        m = _CODE.match(line)
        code = m.group("code") if m else "PROBLEM"
        where = _PLACE.search(line)
        place = where.group("place") if where else line[len(code):].strip(" :").split(" ", 1)[0].rstrip(":")
        return cls(code, line, place, code in BLOCKS_PRINT)


def of_lines(lines: list[str]) -> list[Problem]:
    return [Problem.of(line) for line in lines]


def blocking(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.blocks_print]


class Checks:
    """The checks a book brings to the engine, called at fixed points of an edition's build; the engine knows
    none of their rules. This default checks nothing (the report's are ``checks.gate.BookChecks``)."""

    def gap_decisions(self) -> dict[str, str]:
        """What the print build does with each diagram the source gives no values of: dataset -> note | omit."""
        return {}

    def gap_panels(self, lang: str, panels: list[tuple[str, str]], strict: bool) -> list[Problem]:
        """The gap panels an edition shows (place, dataset)."""
        return []

    def edition(self, edition: Edition, pages: list, folder: Path,
                progress: Callable[[str], None] | None = None) -> list[Problem]:
        """An edition's executed pages (their claim markers may be rewritten); files for the output may be written
        into ``folder``; ``progress`` takes a line of the build's summary."""
        return []

    def print_file(self, edition: Edition, path: Path, settings: dict,
                   progress: Callable[[str], None]) -> list[Problem]:
        """The print file of a strict build, with its print settings (``report: print:``)."""
        return []
