"""How precise each value of the data is, as the source gives it: the one module that reads ``x-precision``.

A resource of ``datapackage.json`` lists its values that are not exact as printed:

    "x-precision": [
      {"row": {"direction": "health_sport"}, "kind": "approximate", "words": "ұйымның төрттен бір бөлігі",
       "say": {"kk": "төрттен бір бөлігі", "ru": "четверть"}}
    ]

Every other value is ``exact`` (a published row) or ``derived`` (a derived row, with the formula of its row).
Kinds (README, "Precision of the values"):

- ``exact``: printed as a number, taken as printed;
- ``approximate``: "about", "a quarter", "every second": the value the words stand for, its interval
  ``interval`` or, by default, the value ± 10 % of it;
- ``lower_bound`` / ``upper_bound``: "more than half", "at most 8%": the value is the bound; the interval runs
  to 100 for a share (to infinity otherwise), or down to 0; ``strict`` (default true: "more than") leaves the
  bound itself out;
- ``group``: one figure the source says of a group ("a whole group of oblasts has about 2"), recorded for
  each member: ``interval`` is required;
- ``derived``: computed from other values with ``formula`` (a row's own formula, or one across files).

Non-exact kinds keep the source's own words (``words``) and how each edition says the value (``say``,
optional: the chart's and table's mark and the number's tooltip use it)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.core import config, data
from helpers.core.data import DataError

KINDS = ("exact", "approximate", "lower_bound", "upper_bound", "group", "derived")
WORDED = ("approximate", "lower_bound", "upper_bound", "group")  # kinds that keep the source's words
APPROXIMATE_SPREAD = 0.10  # "about x": x ± 10 % of x unless the entry declares its interval
ENTRY_KEYS = {"row", "field", "kind", "words", "say", "interval", "strict", "formula", "note"}


@dataclass(frozen=True)
class Precision:
    """The precision of one value: its kind, the interval it stands for, the source's words."""

    kind: str = "exact"
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    words: str = ""
    say: dict = field(default_factory=dict, compare=False, hash=False)
    formula: str = ""

    @property
    def exact(self) -> bool:
        return self.kind in ("exact", "derived")

    def interval(self, value: float) -> tuple[float, float, bool, bool]:
        """``(low, high, low_open, high_open)``; an exact value is the point ``[value, value]``."""
        if self.low is None:
            return value, value, False, False
        return self.low, self.high, self.low_open, self.high_open

    @property
    def sign(self) -> str:
        """How a chart or a table marks the value: ``≈`` about, ``>``/``≥`` more than / at least, ``<``/``≤``."""
        if self.kind in ("approximate", "group"):
            return "≈"
        if self.kind == "lower_bound":
            return ">" if self.low_open else "≥"
        if self.kind == "upper_bound":
            return "<" if self.high_open else "≤"
        return ""

    def describe(self) -> str:
        """The interval in plain notation: ``(50, 100]``, ``[22.5, 27.5]``."""
        if self.low is None:
            return ""
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        return f"{lo}{self.low:g}, {self.high:g}{hi}"


EXACT = Precision()
MISSING = Precision("missing")


def _entry_error(res: dict, i: int, message: str, hint: str = "") -> DataError:
    return DataError("datapackage.json", "precision", f"resource '{res['name']}', x-precision[{i}]: {message}",
                     column="x-precision", hint=hint)


def _interval(kind: str, value: float, unit: str, entry: dict) -> tuple[float, float, bool, bool]:
    strict = bool(entry.get("strict", True))
    top = 100.0 if unit == "percent" else math.inf
    if "interval" in entry:
        lo, hi = (float(x) for x in entry["interval"])
        return lo, hi, kind == "lower_bound" and strict, kind == "upper_bound" and strict
    if kind == "approximate":
        spread = abs(value) * APPROXIMATE_SPREAD
        return max(value - spread, 0.0), min(value + spread, top), False, False
    if kind == "lower_bound":
        return value, top, strict, False
    return 0.0, value, False, strict  # upper_bound


def _parse(res: dict, table: pd.DataFrame) -> tuple[dict[int, Precision], list[DataError]]:
    """Each row (by its index in the file's frame) with its declared precision, and the problems of the
    declaration; rows not listed are exact, derived or missing by their status."""
    out, problems = {}, []
    fields = {f["name"] for f in res["schema"]["fields"]}
    for i, entry in enumerate(res.get("x-precision") or []):
        if not isinstance(entry, dict):
            problems.append(_entry_error(res, i, "an entry must be an object"))
            continue
        unknown = sorted(set(entry) - ENTRY_KEYS)
        if unknown:
            problems.append(_entry_error(res, i, f"unknown key(s) {unknown}", "use " + ", ".join(sorted(ENTRY_KEYS))))
            continue
        key, column, kind = entry.get("row") or {}, entry.get("field", "value"), entry.get("kind")
        if kind not in KINDS:
            problems.append(_entry_error(res, i, f"unknown kind '{kind}'", "one of " + ", ".join(KINDS)))
            continue
        if column not in fields:
            problems.append(_entry_error(res, i, f"no field '{column}' in the schema"))
            continue
        bad_dims = [d for d in key if d not in fields]
        if not key or bad_dims:
            problems.append(_entry_error(res, i, f"'row' must name the row by its key columns ({bad_dims or 'empty'})",
                                         "e.g. {\"row\": {\"direction\": \"health_sport\"}}"))
            continue
        picked = _select(table, key)
        if len(picked) != 1:
            problems.append(_entry_error(res, i, f"row {key} selects {len(picked)} rows of {res['path']}, expected 1"))
            continue
        index = int(picked.index[0])
        line, row = index + 2, picked.iloc[0]
        err = _row_error(res, entry, kind, row, line, column)
        if err:
            problems.append(err)
            continue
        value = float(row[column])
        unit = row.get("unit") if "unit" in row else ""
        formula = entry.get("formula") or (row.get("formula") if isinstance(row.get("formula"), str) else "")
        if kind in ("exact", "derived"):
            out[index] = Precision(kind, formula=formula or "")
            continue
        lo, hi, lo_open, hi_open = _interval(kind, value, unit, entry)
        if not (lo <= value <= hi) or lo > hi:
            problems.append(DataError(res["path"], "precision", f"value {value:g} is outside its interval "
                                      f"[{lo:g}, {hi:g}] (datapackage.json, x-precision[{i}])", line, column))
            continue
        out[index] = Precision(kind, lo, hi, lo_open, hi_open, entry["words"], dict(entry.get("say") or {}),
                               formula or "")
    return out, problems


def _select(table: pd.DataFrame, key: dict) -> pd.DataFrame:
    mask = pd.Series(True, index=table.index)
    for dim, val in key.items():
        mask &= table[dim].astype("string") == str(val)
    return table[mask]


def _row_error(res: dict, entry: dict, kind: str, row, line: int, column: str) -> DataError | None:
    where = dict(file=res["path"], rule="precision", row=line, column=column)
    if pd.isna(row[column]):
        return DataError(**where, message=f"a precision '{kind}' is declared but the value is empty",
                         hint="a value the source does not give stays missing, without precision")
    if kind in WORDED and not str(entry.get("words") or "").strip():
        return DataError(**where, message=f"a '{kind}' value must keep the source's own words ('words')",
                         hint="quote the source, e.g. \"words\": \"ұйымның төрттен бір бөлігі\"")
    if kind == "group" and "interval" not in entry:
        return DataError(**where, message="a value read from a group statement needs its 'interval'")
    if kind == "derived" and not (entry.get("formula") or isinstance(row.get("formula"), str)):
        return DataError(**where, message="a derived value needs its formula (the row's or the entry's 'formula')")
    if "interval" in entry:
        iv = entry["interval"]
        if not (isinstance(iv, list) and len(iv) == 2 and all(isinstance(x, (int, float)) for x in iv)):
            return DataError(**where, message=f"'interval' must be two numbers [low, high], not {iv!r}")
    say = entry.get("say") or {}
    if not isinstance(say, dict) or not all(isinstance(v, str) and v.strip() for v in say.values()):
        return DataError(**where, message="'say' must give each edition's words as text: {\"kk\": ..., \"ru\": ...}")
    lacking = [lang for lang in config.langs() if say and lang not in say]
    if lacking:
        return DataError(**where, message=f"'say' gives no words for the edition(s) {', '.join(lacking)}")
    return None


_CACHE: dict[tuple, dict[int, Precision]] = {}


def of_table(dataset: str, table: pd.DataFrame, folder: Path | None = None) -> dict[int, Precision]:
    """The precision of every row of ``table`` (the whole file, as ``data.load(derived=True)`` reads it) that is
    not simply exact; raises the first problem of the declaration."""
    res = data.resource(dataset, folder)
    key = (table.attrs.get("version"), repr(res.get("x-precision")))
    if key not in _CACHE:
        found, problems = _parse(res, table)
        if problems:
            raise problems[0]
        _CACHE[key] = found
    return _CACHE[key]


def of_row(dataset: str, index: int, table: pd.DataFrame, folder: Path | None = None) -> Precision:
    """The precision of one row (``index``: its place in the file's frame)."""
    found = of_table(dataset, table, folder)
    if index in found:
        return found[index]
    status = table.at[index, "status"] if "status" in table.columns else "published"
    if "value" in table.columns and pd.isna(table.at[index, "value"]):
        return MISSING
    if status == "derived":
        formula = table.at[index, "formula"] if "formula" in table.columns else None
        return Precision("derived", formula=formula if isinstance(formula, str) else "")
    return EXACT


def with_marks(dataset: str, frame: pd.DataFrame, whole: pd.DataFrame | None = None) -> pd.DataFrame:
    """``frame`` (rows of the dataset's file, by their index) with the columns ``mark`` (``≈``, ``>``, ...: empty
    for an exact value) and ``words`` (the source's words of a value it gives only in words)."""
    whole = frame if whole is None else whole
    found = [of_row(dataset, int(i), whole) if i in whole.index else EXACT for i in frame.index]
    frame = frame.copy()
    frame["mark"] = [p.sign for p in found]
    frame["words"] = [p.words for p in found]
    return frame


def check(folder: Path | None = None) -> list[DataError]:
    """Every problem of the precision declarations of the data folder (``report check``)."""
    problems = []
    for res in data.descriptor(folder)["resources"]:
        if res.get("x-precision") is None:
            continue
        table = data.read_table(res, folder)
        problems += _parse(res, table)[1]
    return problems


def register(folder: Path | None = None) -> list[dict]:
    """Every value that is not exact as printed: dataset, row, key, kind, interval, words (README, appendix Б)."""
    rows = []
    for res in data.descriptor(folder)["resources"]:
        if not res.get("x-precision"):
            continue
        table = data.read_table(res, folder)
        dims = data.dimensions(res)
        for index, p in sorted(of_table(res["name"], table, folder).items()):
            if p.kind == "exact":
                continue
            row = table.loc[index]
            rows.append({"dataset": res["name"], "row": index + 2, "key": ";".join(f"{d}={row[d]}" for d in dims),
                         "value": float(row["value"]), "unit": row.get("unit", ""), "kind": p.kind,
                         "interval": p.describe(), "sign": p.sign, "words": p.words, "formula": p.formula})
    return rows
