"""Statistics: totals, shares, ranks, differences and the evaluation of printed derived figures.

Numbers here are plain floats; formatting belongs to ``fmt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from . import data


@dataclass(frozen=True)
class Quantity:
    """A number with its unit (``percent``, ``organisation``, ``million_kzt``, ...)."""

    value: float | None
    unit: str
    decimals: int | None = None  # None: the value's own precision

    def __float__(self) -> float:
        return float(self.value)


@dataclass(frozen=True)
class Label:
    """An id whose label the presentation layer looks up (``scheme``/``id`` of labels.csv)."""

    scheme: str
    id: str


def select(frame: pd.DataFrame, **key) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for dim, val in key.items():
        mask &= frame[dim] == val
    return frame[mask]


def resolved(dataset_id: str, folder=None) -> pd.DataFrame:
    """All rows of a dataset; a printed derived figure is replaced by its recomputation where its inputs
    exist (the printed number stays in ``printed``)."""
    frame = data.load(dataset_id, derived=True, folder=folder)  # records the read, for the build cache
    if "value" not in frame.columns:  # a categorical file (e.g. a map of levels)
        return frame
    key = (dataset_id, frame.attrs["version"])
    if key in _RESOLVED:
        return _RESOLVED[key].copy()
    frame["printed"] = frame["value"]
    if "formula" in frame.columns:
        for i, row in frame[frame["status"] == "derived"].iterrows():
            if isinstance(row["formula"], str):
                recomputed = evaluate(row["formula"], row, frame)
                if recomputed is not None:
                    frame.loc[i, "value"] = recomputed
    _RESOLVED[key] = frame.copy()
    return frame


_RESOLVED: dict[tuple, pd.DataFrame] = {}  # by dataset and the state of its file: computed once per process


def value(dataset_id: str, **key) -> Quantity:
    """The value of one row, recomputed from its inputs when the row is a printed derived figure."""
    rows = select(resolved(dataset_id), **key)
    if len(rows) != 1:
        raise KeyError(f"{dataset_id}: {key} selects {len(rows)} rows, expected exactly one")
    row = rows.iloc[0]
    v = row["value"]
    return Quantity(None if pd.isna(v) else float(v), row["unit"])


def total(dataset_id: str, over: str, **key) -> Quantity:
    """Sum of the published rows selected by ``key``, over every value of dimension ``over``."""
    frame = data.load(dataset_id)
    rows = select(frame, **key)
    if rows["value"].isna().any():
        raise ValueError(f"{dataset_id}: total over '{over}' needs values that the source does not give")
    return Quantity(float(rows["value"].sum()), rows["unit"].iloc[0])


def share(part: Quantity, whole: Quantity, decimals: int = 1) -> Quantity:
    return Quantity(100.0 * float(part) / float(whole), "percent", decimals)


def difference(a: Quantity, b: Quantity, unit: str | None = None) -> Quantity:
    """``a - b`` (percentage points when both are percentages)."""
    d = max(_decimals(a.value), _decimals(b.value))
    return Quantity(round(float(a) - float(b), d), unit or a.unit, d)


def ranking(dataset_id: str, by: str, n: int | None = None, **key) -> list[tuple[str, Quantity]]:
    """The ids of dimension ``by`` ordered by value, largest first (ties keep file order)."""
    frame = select(resolved(dataset_id), **key).dropna(subset=["value"])
    frame = frame.sort_values("value", ascending=False, kind="stable")
    items = [(r[by], Quantity(float(r["value"]), r["unit"])) for _, r in frame.iterrows()]
    return items[:n] if n else items


def _decimals(v: float | None) -> int:
    if v is None:
        return 0
    text = repr(float(v))
    return 0 if text.endswith(".0") else min(len(text.split(".")[1]), 2)


# --- printed derived figures -------------------------------------------------------------------------

_REF = re.compile(r"(sum)?\{([^{}]*)\}")


def parse_ref(body: str) -> dict[str, list[str]]:
    out = {}
    for part in filter(None, (p.strip() for p in body.split(";"))):
        dim, _, vals = part.partition("=")
        out[dim.strip()] = [v.strip() for v in vals.split("|")]
    return out


def references(formula: str) -> list[tuple[bool, dict[str, list[str]]]]:
    """The row references of a formula: ``(is_sum, {dim: [values]})``."""
    return [(bool(m.group(1)), parse_ref(m.group(2))) for m in _REF.finditer(formula)]


def inputs(formula: str, row: pd.Series, frame: pd.DataFrame) -> list[pd.DataFrame]:
    """For each reference of the formula, the rows of ``frame`` it designates."""
    dims = frame.attrs.get("dimensions") or [c for c in frame.columns if c not in data.STANDARD_COLUMNS]
    out = []
    for is_sum, ref in references(formula):
        mask = pd.Series(True, index=frame.index)
        for dim in dims:
            if dim in ref:
                if ref[dim] != ["*"]:
                    mask &= frame[dim].isin(ref[dim])
            else:
                mask &= frame[dim] == row[dim]
        picked = frame[mask]
        if is_sum and any(v == ["*"] for v in ref.values()):
            picked = picked[picked["status"] != "derived"]  # a missing input leaves the sum unknown
        out.append(picked)
    return out


def evaluate(formula: str, row: pd.Series, frame: pd.DataFrame) -> float | None:
    """Recompute a derived figure from its inputs; None when an input is missing."""
    picked = inputs(formula, row, frame)
    values = []
    for (is_sum, _), rows in zip(references(formula), picked):
        if rows.empty or rows["value"].isna().any():
            return None
        if not is_sum and len(rows) != 1:
            return None
        values.append(float(rows["value"].sum()))
    return substitute(formula, values, _REF)


def substitute(formula: str, values: list[float], pattern: re.Pattern = _REF) -> float:
    """The value of ``formula`` with its references (matches of ``pattern``) replaced by ``values`` in order;
    anything but arithmetic is refused."""
    it = iter(values)
    expr = pattern.sub(lambda m: repr(next(it)), formula)
    if not re.fullmatch(r"[0-9eE.+\-*/() ]+", expr):
        raise ValueError(f"formula '{formula}' has something other than arithmetic and references")
    return float(eval(expr, {"__builtins__": {}}, {}))  # noqa: S307 - checked to be arithmetic only
