"""100% stacked bars (drawn by ``draw.stacked``): one bar per row, one segment per answer.

An answer or a row the source gives no value of is not drawn and is named under the chart; a single missing
cell is hatched by the drawing and named too."""

from __future__ import annotations

import pandas as pd

from helpers.lang import fmt, i18n
from helpers.present.charts import draw
from helpers.present.charts.common import labels_for


def prepare(frame: pd.DataFrame, dims: list[str], lang: str, csv: str, *, rows: str | None = None,
            answers: str | None = None, order: list[str] | None = None):
    """``rows``/``answers``: the dimensions of bars and segments (by default the first and the last);
    one dimension only draws one bar of the whole distribution (a Likert scale of one question)."""
    rows = rows or (dims[0] if len(dims) > 1 else None)
    answers = answers or dims[-1]
    if rows is None:
        frame = frame.assign(_all="")
        rows = "_all"
    row_ids = list(dict.fromkeys(frame[rows]))
    answer_ids = order or list(dict.fromkeys(frame[answers]))
    shares = []
    for r in row_ids:
        line = []
        for a in answer_ids:
            cell = frame[(frame[rows] == r) & (frame[answers] == a)]["value"]
            line.append(None if cell.empty or pd.isna(cell.iloc[0]) else float(cell.iloc[0]))
        shares.append(line)
    row_labels = [""] if rows == "_all" else labels_for(rows, row_ids, lang)
    answer_labels = labels_for(answers, answer_ids, lang)
    everywhere = i18n.word("all_values", lang)
    absent = [f"{a} ({everywhere})" for j, a in enumerate(answer_labels) if all(line[j] is None for line in shares)]
    keep = [j for j, a in enumerate(answer_labels) if any(line[j] is not None for line in shares)]
    answer_labels = [answer_labels[j] for j in keep]
    shares = [[line[j] for j in keep] for line in shares]
    for r, line in zip(row_labels, shares):
        if all(v is None for v in line):
            absent.append(f"{r} ({everywhere})")
        else:
            absent += [f"{r} – {a}" if r else a for a, v in zip(answer_labels, line) if v is None]
    alt = " | ".join(f"{r}: " + "; ".join(f"{a} {fmt.percent(v, lang)}" for a, v in zip(answer_labels, line)
                                         if v is not None) for r, line in zip(row_labels, shares))
    chart = draw.stacked(row_labels, answer_labels, shares, lang, alt=alt, csv=csv,
                            missing_label=i18n.word("not_given", lang))
    return chart, absent or None
