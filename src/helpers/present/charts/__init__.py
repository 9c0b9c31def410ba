"""Each chart kind's data preparation, one module per kind; ``figures`` draws them in the house style.

A kind's module turns the selected rows of a dataset into what its drawing takes: order, shares, labels of
the edition, alt text, and the names of the values the source does not give (said under the chart):

    frame, dims = charts.select("d05_target_groups", where=None, exclude=None)
    chart, not_given = charts.prepare("bars", frame, dims, "kk", order=None)

``Book.chart`` only selects, dispatches and shows. To change how stacked bars treat a missing answer, open
``charts/stacked.py``.
"""

from __future__ import annotations

from helpers.present.charts import bars, heatmap, maps, stacked, timeline
from helpers.present.charts.common import csv_of, guess_kind, labels_for, row_group, select, worded

KINDS = ("bars", "stacked", "map", "timeline", "gap")

__all__ = ["KINDS", "csv_of", "guess_kind", "heatmap", "labels_for", "prepare", "row_group", "select", "worded"]


def prepare(kind: str, frame, dims: list[str], lang: str, *, order: list[str] | None = None,
            rows: str | None = None, answers: str | None = None, as_shares: bool = False):
    """The chart of one kind and the labels of the values it cannot draw (``None``: all given)."""
    csv = csv_of(frame)
    if kind == "map":
        return maps.prepare(frame, lang, csv), None
    if kind == "stacked":
        return stacked.prepare(frame, dims, lang, csv, rows=rows, answers=answers, order=order)
    if kind == "timeline":
        return timeline.prepare(frame, dims, lang, csv), None
    if kind == "bars":
        return bars.prepare(frame, dims, lang, csv, order=order, as_shares=as_shares)
    raise ValueError(f"unknown chart kind '{kind}': use one of {', '.join(KINDS)}")
