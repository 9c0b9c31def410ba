"""A table of counts as a heatmap (drawn by ``draw.heatmap``), its companion where a reader would rather
look than read: rows and columns in the table's order, printed totals left out."""

from __future__ import annotations

import pandas as pd

from helpers.core import data, stats
from helpers.lang import fmt, i18n
from helpers.present.charts import draw
from helpers.present.charts.common import csv_of, row_group


def prepare(dataset: str, rows: str, cols: str, lang: str):
    frame = stats.resolved(dataset)
    is_total = frame["formula"].fillna("").str.contains("=*", regex=False)
    frame = frame[~((frame["status"] == "derived") & is_total)]
    row_labels, col_labels = data.labels(rows, lang), data.labels(cols, lang, short=True)
    row_ids = sorted(dict.fromkeys(frame[rows]),
                     key=lambda r: (row_group(rows, r), i18n.sort_key(row_labels.get(r, r), lang)))
    col_ids = list(dict.fromkeys(frame[cols]))
    cell = frame.set_index([rows, cols])["value"]
    values = [[None if pd.isna(cell.get((r, c))) else float(cell[(r, c)]) for c in col_ids] for r in row_ids]
    alt = "; ".join(f"{row_labels[r]}: " + ", ".join(f"{col_labels[c]} {fmt.number(v, lang)}"
                                                    for c, v in zip(col_ids, line) if v is not None)
                    for r, line in zip(row_ids, values))
    return draw.heatmap([row_labels[r] for r in row_ids], [col_labels[c] for c in col_ids], values,
                           lang, scale_label=i18n.word("log_scale", lang), alt=alt, csv=csv_of(frame))
