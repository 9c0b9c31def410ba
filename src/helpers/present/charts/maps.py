"""Regional maps (drawn by ``draw.region_map`` on the outlines of ``data/region_boundaries.csv``).

A categorical map colours the levels in the schema's order; a number map shades four steps of its range and
prints the value on each region. A region the source gives nothing for is hatched and keyed as "no data"."""

from __future__ import annotations

import pandas as pd

from helpers.core import data
from helpers.lang import fmt, i18n
from helpers.present.charts import draw
from helpers.present.charts.common import level_column

MAP_SHADES = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"]  # a number's four steps, lowest first
LEVEL_COLOURS = ["#08306b", "#2171b5", "#6baed6", "#c6dbef", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]


def prepare(frame: pd.DataFrame, lang: str, csv: str):
    kinds = dict(zip(data.regions()["region"], data.regions()["kind"]))
    names = data.labels("region", lang, short=True)
    by_region = frame.set_index("region")
    level_col = level_column(frame)
    if level_col:
        levels = _level_order(frame, level_col)
        level_labels = data.labels(level_col, lang)
        colours = dict(zip(levels, _spread(LEVEL_COLOURS, len(levels))))
        legend = [(colours[l], level_labels.get(l, l)) for l in levels]
    else:
        values = frame["value"].dropna()
        lo, hi = float(values.min()), float(values.max())
        width = (hi - lo) / 3 if hi > lo else 0
        legend = []
        for step, colour in enumerate(MAP_SHADES):
            a, z = max(lo, lo + width * (step - 0.5)), min(hi, lo + width * (step + 0.5))
            text = fmt.number(a, lang, 2) if a == z else f"{fmt.number(a, lang, 2)}–{fmt.number(z, lang, 2)}"
            legend.append((colour, text))
    outlines = data.region_boundaries().set_index("region")
    shapes, described = [], []
    for rid in data.regions()["region"]:
        reg = outlines.loc[rid]
        row = by_region.loc[rid] if rid in by_region.index else None
        if level_col:
            level = None if row is None or pd.isna(row[level_col]) else row[level_col]
            fill, text = colours.get(level), ""
            said = level_labels.get(level, level) if level else i18n.word("no_data", lang)
        else:
            v = None if row is None or pd.isna(row["value"]) else float(row["value"])
            step = 0 if v is None or hi == lo else int(round(3 * (v - lo) / (hi - lo)))
            fill = None if v is None else MAP_SHADES[step]
            sign = row["mark"] if row is not None and "mark" in row else ""
            text = said = "–" if v is None else fmt.mark(fmt.number(v, lang), sign)
        shapes.append(draw.Region(rid, names[rid], reg["geometry"], (float(reg["label_lon"]), float(reg["label_lat"])),
                                     fill, text, callout=kinds[rid] == "city"))
        described.append(f"{names[rid]}: {said}")
    drawn = {c for c in (r.fill for r in shapes) if c}
    legend = [(c, t) for c, t in legend if c in drawn or level_col]
    return draw.region_map(shapes, legend, lang, missing_label=i18n.word("no_data", lang),
                              alt="; ".join(described), csv=csv)


def _level_order(frame: pd.DataFrame, column: str) -> list[str]:
    """Levels in the order of the schema's enum (highest first), else in order of appearance."""
    for f in data.resource(frame.attrs["dataset"])["schema"]["fields"]:
        if f["name"] == column and f.get("constraints", {}).get("enum"):
            return list(f["constraints"]["enum"])
    return list(dict.fromkeys(frame[column].dropna()))


def _spread(colours: list[str], n: int) -> list[str]:
    if n <= 1:
        return colours[:1]
    return [colours[round(i * (len(colours) - 1) / (n - 1))] for i in range(n)]
