"""Number formats of the editions (the marks ``_quarto.yml`` declares per edition), units in words, and the words
that agree with a number."""

from __future__ import annotations

import math
import re

from helpers.core import config
from helpers.lang import kk_grammar

NBSP = "\u00a0"

UNIT_WORDS = {
    "kk": {"million_kzt": "млн теңге", "billion_kzt": "млрд теңге"},
    "ru": {"million_kzt": "млн тенге", "billion_kzt": "млрд тенге"},
    "en": {"million_kzt": "million tenge", "billion_kzt": "billion tenge"},
}


class Formatted(str):
    """A localised number or label: prints as itself in Jupyter, Quarto and the builtin engine.

    ``origin`` says where a number comes from; in prose it becomes the number's tooltip on the web page
    (a Markdown span, which the print edition typesets as plain text).
    """

    origin: str = ""
    rows: str = ""  # the same, for programs: ``file.csv:row`` separated by spaces
    precision: str = ""  # a kind of core.precision when the source gives the value only in words

    def __new__(cls, text: str, origin: str = "", rows: str = "", precision: str = ""):
        obj = super().__new__(cls, text)
        obj.origin, obj.rows, obj.precision = origin, rows, precision
        return obj

    def kk(self, ending: str) -> "Formatted":
        """The number with a Kazakh case ending that agrees with its reading: ``n.total.kk("ға")`` -> ``17 988‑ге``."""
        return Formatted(kk_grammar.attach(self, ending), self.origin, self.rows, self.precision)

    def to(self, high: "Formatted") -> "Formatted":
        """A range with its unit written once: ``n.low.to(n.high)`` -> ``12–15%``, ``2006–2011``."""
        low, high_text = str(self), str(high)
        for unit in ("%", NBSP + high_text.rpartition(NBSP)[2]):
            if unit != NBSP and low.endswith(unit) and high_text.endswith(unit) and not unit[-1].isdigit():
                low = low[: -len(unit)]
                break
        origin = self.origin if self.origin == high.origin else "; ".join(filter(None, (self.origin, high.origin)))
        return Formatted(f"{low}–{high_text}", origin, " ".join(filter(None, (self.rows, high.rows))),
                         self.precision or getattr(high, "precision", ""))

    def ru(self, one: str, few: str, many: str) -> "Formatted":
        """The number with the Russian noun form it governs: ``n.rows.ru("строка", "строки", "строк")``."""
        return Formatted(f"{self}{NBSP}{ru_plural(self, one, few, many)}", self.origin, self.rows, self.precision)

    def en(self, one: str, many: str) -> "Formatted":
        """The number with the English noun form it governs: ``n.rows.en("row", "rows")`` -> ``3 rows``."""
        noun = one if str(self).replace(",", "") in ("1", "−1") else many
        return Formatted(f"{self}{NBSP}{noun}", self.origin, self.rows, self.precision)

    def _repr_markdown_(self) -> str:
        if not self.origin:
            return str(self)
        title = self.origin.replace("\\", "\\\\").replace('"', '\\"')
        worded = f' data-precision="{self.precision}"' if self.precision else ""
        return f'[{self}]{{.num title="{title}" data-rows="{self.rows}"{worded}}}'


def ru_plural(printed: str, one: str, few: str, many: str) -> str:
    """The Russian form after a printed number: 1, 21 -> ``one``; 2-4, 22 -> ``few``; 5-20, 25 -> ``many``;
    a fraction takes ``few`` (``2,5 строки``)."""
    digits = printed.replace(NBSP, "").replace(" ", "").rstrip("%")
    if "," in digits:
        return few
    n = int(digits.lstrip("−-"))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _decimals_of(value: float, max_decimals: int = 2) -> int:
    for d in range(max_decimals + 1):
        if math.isclose(value, round(value, d), abs_tol=10 ** -(max_decimals + 2)):
            return d
    return max_decimals


def number(value: float | int | None, lang: str, decimals: int | None = None, *, group: bool = True,
           group_from: int | None = None) -> str:
    """``17988`` -> ``17 988``; ``29.3`` -> ``29,3``. ``decimals=None`` keeps the value's own precision.

    The marks are the edition's (``report: editions:`` in ``_quarto.yml``). Thousands are grouped from its
    ``group-from`` (``1000`` in both editions: ``1 317`` in the text, the tables and the charts alike, with the
    same no-break space); a year is never grouped (``quantity(..., "year")``)."""
    edition = config.editions()[lang]
    group_from = edition.group_from if group_from is None else group_from
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    value = float(value)
    d = _decimals_of(value) if decimals is None else decimals
    text = f"{abs(value):,.{d}f}"
    whole, _, frac = text.partition(".")
    whole = whole.replace(",", edition.group_mark if group and abs(value) >= group_from else "")
    sign = "−" if value < 0 and round(abs(value), d) != 0 else ""
    return sign + whole + (edition.decimal_mark + frac if frac else "")


def percent(value: float | None, lang: str, decimals: int | None = None) -> str:
    return number(value, lang, decimals) + ("%" if value is not None else "")


def quantity(value: float | None, unit: str, lang: str, decimals: int | None = None, *,
             group_from: int | None = None) -> str:
    """A number with its unit as the edition writes it."""
    if unit == "percent":
        return percent(value, lang, decimals)
    if unit == "year":
        return number(value, lang, 0, group=False)
    words = UNIT_WORDS[lang].get(unit)
    text = number(value, lang, decimals, group_from=group_from)
    return f"{text}{NBSP}{words}" if words else text


ORIGIN_SPAN = re.compile(r'\[(?P<text>.*)\]\{\.num title="(?P<origin>(?:[^"\\]|\\.)*)"'
                         r' data-rows="(?P<rows>[^"]*)"(?: data-precision="(?P<precision>[a-z_]*)")?\}', re.S)


def inline_origin(markdown: str) -> dict:
    """The text of an inline value and, when it says where it comes from
    (``[text]{.num title=".." data-rows=".."}``), its origin in words and its data rows (``file.csv:row ...``)."""
    m = ORIGIN_SPAN.fullmatch(markdown)
    if not m:
        return {"text": markdown, "origin": "", "rows": "", "precision": ""}
    return {"text": m.group("text"), "origin": re.sub(r"\\(.)", r"\1", m.group("origin")), "rows": m.group("rows"),
            "precision": m.group("precision") or ""}


def mark(text: str, sign: str) -> str:
    """A value as a chart or a table shows it, with the mark of a value the source gives in words
    (``core.precision.Precision.sign``): ``≈25%`` about, ``>75%`` more than, ``≤3`` at most."""
    return f"{sign}{text}" if sign else text
