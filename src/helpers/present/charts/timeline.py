"""A timeline of dated milestones (drawn by ``draw.timeline``), in the order of their years."""

from __future__ import annotations

import pandas as pd

from helpers.lang import i18n
from helpers.present.charts import draw
from helpers.present.charts.common import labels_for


def prepare(frame: pd.DataFrame, dims: list[str], lang: str, csv: str):
    dim = dims[0]
    frame = frame.sort_values("value", kind="stable")
    texts = labels_for(dim, list(frame[dim]), lang, short=False)
    years = [i18n.milestone_date(m, int(v), lang) for m, v in zip(frame[dim], frame["value"])]
    alt = "; ".join(f"{y}: {t}" for y, t in zip(years, texts))
    return draw.timeline(years, texts, alt=alt, csv=csv)
