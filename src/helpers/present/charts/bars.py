"""Bars: one value per category (drawn by ``draw.bars``); a category the source gives no value of is named."""

from __future__ import annotations

import pandas as pd

from helpers.lang import fmt, i18n
from helpers.present.charts import draw
from helpers.present.charts.common import labels_for


def prepare(frame: pd.DataFrame, dims: list[str], lang: str, csv: str, *, order: list[str] | None = None,
            as_shares: bool = False):
    """``order``: the categories in the text's order (else by value); ``as_shares``: counts as percentages of
    their sum (a distribution computed from a table)."""
    dim = dims[0]
    if order:
        frame = frame.set_index(dim).loc[order].reset_index()
    ids = list(frame[dim])
    labels = labels_for(dim, ids, lang)
    values = [None if pd.isna(v) else float(v) for v in frame["value"]]
    marks = list(frame["mark"]) if "mark" in frame else None
    unit = frame["unit"].dropna().iloc[0] if frame["unit"].notna().any() else "percent"
    if as_shares:
        whole = sum(v for v in values if v is not None)
        values = [None if v is None else round(100 * v / whole, 1) for v in values]
        unit = "percent"
    not_given = i18n.word("not_given", lang)
    if as_shares:
        marks = None  # shares computed by the book: their own precision
    alt = "; ".join(f"{l}: {fmt.mark(fmt.quantity(v, unit, lang), m) if v is not None else not_given}"
                    for l, v, m in zip(labels, values, marks or [""] * len(values)))
    chart = draw.bars(labels, values, lang, unit=unit, sort=order is None, alt=alt, csv=csv, marks=marks)
    absent = [l for l, v in zip(labels, values) if v is None]
    return chart, absent or None
