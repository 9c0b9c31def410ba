"""What every chart kind needs: the rows of a dataset to draw, the labels of an edition, the CSV under the chart."""

from __future__ import annotations

import io

import pandas as pd

from helpers.core import data, precision, stats
from helpers.lang import fmt, i18n


def select(dataset: str, where: dict | None = None, exclude: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The rows to draw and the dimensions left to draw them by.

    Printed totals over the charted dimension are left out when the selection has observations; other derived
    figures (combined shares, complements) stay, recomputed from their inputs where they exist."""
    frame = stats.resolved(dataset)
    if "value" in frame:
        frame = precision.with_marks(dataset, frame)  # a value the source gives in words is drawn marked
    if where:
        frame = stats.select(frame, **where)
    if "status" in frame and (frame["status"] != "derived").any():
        # totals over the charted dimension are not bars of it; a combined share or a complement is
        is_total = frame["formula"].fillna("").str.contains("=*", regex=False) if "formula" in frame else False
        frame = frame[~((frame["status"] == "derived") & is_total)]
    if exclude:
        frame = frame[~frame[[d for d in frame.attrs["dimensions"] if d not in (where or {})]].isin(exclude).any(axis=1)]
    dims = [d for d in frame.attrs["dimensions"] if not where or d not in where]
    return frame, dims


def level_column(frame: pd.DataFrame) -> str | None:
    """The category column of a categorical map (``level``, ``volunteering_level``, ...), if any."""
    if "value" in frame.columns:
        return None
    return next((c for c in frame.columns if c.endswith("level")), None)


def guess_kind(frame: pd.DataFrame, dims: list[str]) -> str:
    if "region" in dims or level_column(frame):
        return "map"
    if "value" in frame.columns and frame["value"].isna().all():
        return "gap"
    if "unit" in frame.columns and (frame["unit"] == "year").all():
        return "timeline"
    return "stacked" if len(dims) >= 2 else "bars"


def labels_for(column: str, ids, lang: str, short: bool = True) -> list[str]:
    labels = data.labels(column, lang, short=short)
    missing = [i for i in ids if i not in labels]
    if missing:
        raise KeyError(f"no {lang} label for {missing} (scheme '{column}') in data/labels.csv")
    return [labels[i] for i in ids]


def row_group(scheme: str, id_: str) -> int:
    """Regions: the oblasts first, then the cities of republican significance (as official statistics list them)."""
    if scheme != "region":
        return 0
    kinds = dict(zip(data.regions()["region"], data.regions()["kind"]))
    return 1 if kinds.get(id_) == "city" else 0


def worded(frame: pd.DataFrame, dims: list[str], lang: str) -> list[str]:
    """The note under a chart for the values the source gives only in words: each drawn mark, label and the
    source's words (``≈25% – денсаулық және спорт: «ұйымның төрттен бір бөлігі»``)."""
    if "mark" not in frame:
        return []
    out = []
    whole = stats.resolved(frame.attrs["dataset"])
    for i, row in frame[frame["mark"] != ""].iterrows():
        label = " / ".join(labels_for(d, [row[d]], lang)[0] for d in dims)
        shown = fmt.mark(fmt.quantity(float(row["value"]), row["unit"], lang), row["mark"])
        say = precision.of_row(frame.attrs["dataset"], int(i), whole).say.get(lang)
        out.append(f"{label} {shown} ({i18n.quoted(row['words'], lang)}{': ' + say if say else ''})")
    return out


def csv_of(frame: pd.DataFrame) -> str:
    """The CSV under a chart: the rows drawn, with the precision of a value the source gives in words."""
    buf = io.StringIO()
    worded = "mark" in frame and (frame["mark"] != "").any()
    cols = [c for c in frame.columns if c != "printed" and (worded or c not in ("mark", "words"))]
    frame[cols].to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()
