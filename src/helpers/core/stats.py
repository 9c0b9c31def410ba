"""Statistics: totals, shares, ranks, differences and the evaluation of printed derived figures.

Numbers here are plain floats; formatting belongs to ``fmt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import pandas as pd

from helpers.core import data, precision
from helpers.core.precision import EXACT, Precision


@dataclass(frozen=True)
class Row:
    """Where a number comes from: one row of a data file (``row`` counts lines as a spreadsheet does)."""

    dataset: str
    row: int
    key: str  # ``dim=id;dim2=id2``


@dataclass(frozen=True)
class Quantity:
    """A number with its unit (``percent``, ``organisation``, ``million_kzt``, ...) and the data rows it is
    computed from."""

    value: float | None
    unit: str
    decimals: int | None = None  # None: the value's own precision
    origin: tuple[Row, ...] = field(default=(), compare=False)
    precision: Precision = field(default=EXACT, compare=False)  # how exact the source gives it (core.precision)

    def interval(self) -> tuple[float, float, bool, bool]:
        """What the value stands for: ``(low, high, low_open, high_open)``; a point when it is exact."""
        return self.precision.interval(float(self.value))

    def __float__(self) -> float:
        return float(self.value)

    def as_(self, unit: str | None = None, decimals: int | None = None) -> "Quantity":
        """The same number (and origin) in another unit or with fixed decimals."""
        return replace(self, unit=unit or self.unit, decimals=self.decimals if decimals is None else decimals)


def computed(value: float | None, unit: str, *inputs: Quantity, decimals: int | None = None) -> Quantity:
    """A number computed from other quantities: it keeps the rows of all of them as its origin."""
    origin = tuple(dict.fromkeys(r for q in inputs for r in q.origin))
    worded = [q.precision for q in inputs if q.precision.kind in precision.WORDED]
    if worded:  # computed from a value the source gives only in words: never exact, its words kept
        return Quantity(value, unit, decimals, origin,
                        Precision("approximate", words="; ".join(dict.fromkeys(p.words for p in worded))))
    return Quantity(value, unit, decimals, origin)


def rows_of(dataset_id: str, rows: pd.DataFrame) -> tuple[Row, ...]:
    """The rows of a selection from ``resolved(dataset_id)`` (or ``data.load``) as an origin."""
    return _rows(dataset_id, rows, rows.attrs.get("dimensions") or data.dimensions(data.resource(dataset_id)))


def _rows(dataset_id: str, rows: pd.DataFrame, dims) -> tuple[Row, ...]:
    return tuple(_row(dataset_id, rows, i, dims) for i in rows.index)


def _row(dataset_id: str, frame: pd.DataFrame, i, dims) -> Row:
    # the frames keep the file's row order in their index: header is row 1
    return Row(dataset_id, int(i) + 2, ";".join(f"{d}={frame.at[i, d]}" for d in dims))


@dataclass(frozen=True)
class Label:
    """An id whose label the presentation layer looks up (``scheme``/``id`` of labels.csv); ``origin``: the
    data rows that single it out, when the data choose it (a leader, a map's category)."""

    scheme: str
    id: str
    origin: tuple["Row", ...] = field(default=(), compare=False)


def select(frame: pd.DataFrame, **key) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for dim, val in key.items():
        mask &= frame[dim] == val
    return frame[mask]


def resolved(dataset_id: str, folder=None) -> pd.DataFrame:
    """All rows of a dataset; a printed derived figure is replaced by its recomputation where its inputs
    exist (the printed number stays in ``printed``)."""
    return _resolved(dataset_id, folder).copy()


def _resolved(dataset_id: str, folder=None) -> pd.DataFrame:
    """``resolved`` without a copy: the process's own frame, to be read and never changed."""
    frame = data.load(dataset_id, derived=True, folder=folder, shared=True)  # records the read, for the cache
    if "value" not in frame.columns:  # a categorical file (e.g. a map of levels)
        return frame
    key = (dataset_id, frame.attrs["version"])
    if key not in _RESOLVED:
        frame = frame.copy()
        frame["printed"] = frame["value"]
        if "formula" in frame.columns:
            for i, row in frame[frame["status"] == "derived"].iterrows():
                if isinstance(row["formula"], str):
                    recomputed = evaluate(row["formula"], row, frame)
                    if recomputed is not None:
                        frame.loc[i, "value"] = recomputed
        _RESOLVED[key] = frame
    return _RESOLVED[key]


_RESOLVED: dict[tuple, pd.DataFrame] = {}  # by dataset and the state of its file: computed once per process
_BY_KEY: dict[tuple, dict[tuple, list]] = {}  # rows of a resolved frame by the values of some of its columns


def _rows_where(dataset_id: str, frame: pd.DataFrame, key: dict) -> list:
    """The index of the rows of ``frame`` (from ``_resolved``) whose columns have the values of ``key``, in file
    order: what ``select`` keeps, found in a table made once per dataset, version and columns."""
    columns = tuple(sorted(key))
    found = _BY_KEY.get((dataset_id, frame.attrs["version"], columns))
    if found is None:
        found = {}
        for i, *values in zip(frame.index, *(frame[c] for c in columns)):
            if not any(v is pd.NA for v in values):  # a missing id equals nothing, as in ``select``
                found.setdefault(tuple(values), []).append(i)
        _BY_KEY[(dataset_id, frame.attrs["version"], columns)] = found
    return found.get(tuple(key[c] for c in columns), [])


def value(dataset_id: str, **key) -> Quantity:
    """The value of one row, recomputed from its inputs when the row is a printed derived figure."""
    frame = _resolved(dataset_id)
    rows = _rows_where(dataset_id, frame, key)
    if len(rows) != 1:
        raise KeyError(f"{dataset_id}: {key} selects {len(rows)} rows, expected exactly one")
    i = rows[0]
    v = frame.at[i, "value"]
    return Quantity(None if pd.isna(v) else float(v), frame.at[i, "unit"],
                    origin=(_row(dataset_id, frame, i, frame.attrs["dimensions"]),),
                    precision=precision.of_row(dataset_id, int(i), frame))


def total(dataset_id: str, over: str, **key) -> Quantity:
    """Sum of the published rows selected by ``key``, over every value of dimension ``over``."""
    frame = data.load(dataset_id, derived=True, shared=True)
    rows = select(frame[frame["status"] != "derived"] if "status" in frame.columns else frame, **key)
    if rows["value"].isna().any():
        raise ValueError(f"{dataset_id}: total over '{over}' needs values that the source does not give")
    parts = [Quantity(float(v), u, precision=precision.of_row(dataset_id, int(i), frame))
             for i, v, u in zip(rows.index, rows["value"], rows["unit"])]
    summed = computed(float(rows["value"].sum()), rows["unit"].iloc[0], *parts)  # a worded part: not exact
    return Quantity(summed.value, summed.unit, origin=_rows(dataset_id, rows, frame.attrs["dimensions"]),
                    precision=summed.precision)


def share(part: Quantity, whole: Quantity, decimals: int = 1) -> Quantity:
    return computed(100.0 * float(part) / float(whole), "percent", part, whole, decimals=decimals)


def difference(a: Quantity, b: Quantity, unit: str | None = None) -> Quantity:
    """``a - b`` (percentage points when both are percentages)."""
    d = max(_decimals(a.value), _decimals(b.value))
    return computed(round(float(a) - float(b), d), unit or a.unit, a, b, decimals=d)


def ranking(dataset_id: str, by: str, n: int | None = None, **key) -> list[tuple[str, Quantity]]:
    """The ids of dimension ``by`` ordered by value, largest first (ties keep file order)."""
    frame = select(_resolved(dataset_id), **key).dropna(subset=["value"])
    frame = frame.sort_values("value", ascending=False, kind="stable")
    dims = frame.attrs["dimensions"]
    items = [(key, Quantity(float(v), unit, origin=(_row(dataset_id, frame, i, dims),),
                            precision=precision.of_row(dataset_id, int(i), frame)))
             for i, key, v, unit in zip(frame.index, frame[by], frame["value"], frame["unit"])]
    return items[:n] if n else items


def labels_of(dataset_id: str, column: str, **key) -> list[Label]:
    """The ids of ``column`` in the rows selected by ``key``, in file order, each with its row as origin."""
    frame = _resolved(dataset_id)
    rows = select(frame, **key)
    if rows.empty:
        raise KeyError(f"{dataset_id}: no row has {key}")
    dims = frame.attrs["dimensions"]
    return [Label(column, id_, (_row(dataset_id, rows, i, dims),)) for i, id_ in zip(rows.index, rows[column])]


def dimension_value(dataset_id: str, dim: str, id_: str, unit: str) -> Quantity:
    """A number that is an id of a dimension (a year), from the first row that has it."""
    frame = _resolved(dataset_id)
    rows = frame[frame[dim] == id_]
    if rows.empty:
        raise KeyError(f"{dataset_id}: no {dim} '{id_}'")
    return Quantity(float(id_), unit, origin=_rows(dataset_id, rows.iloc[:1], frame.attrs["dimensions"]))


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
