"""Charts in one house style. Each function returns a ``Chart``: SVG for the web and for print, alt text, the
data.

The house theme is seaborn's (``THEME``: its "ticks" style and "paper" context with the report's palette and
type); bars, stacked shares and heatmaps are drawn by seaborn from tidy frames. Charts know languages only
through the labels and number formats they are given by ``book``.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
import shapely  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402
from matplotlib.patches import PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from helpers.lang import fmt, typography  # noqa: E402

PALETTE = ["#1f5a8a", "#5b9bd5", "#a9c9e8", "#f0b45a", "#c8553d", "#7f7f7f", "#4c956c", "#b5a1d6"]
ACCENT = PALETTE[0]
MISSING = "#d9d9d9"
WIDTH_IN = 6.3
PRINT_TEXT_ROOM = 0.03  # of the width, at each side of a chart for print

STYLE = {  # the house theme: seaborn's style and context, the report's type, palette and stable SVG
    **sns.axes_style("ticks", {"axes.edgecolor": "#555555", "axes.spines.top": False,
                               "axes.spines.right": False}),
    **sns.plotting_context("paper", rc={"font.size": 8.5, "axes.titlesize": 9, "xtick.labelsize": 8.5,
                                        "ytick.labelsize": 8.5, "legend.fontsize": 7.5, "axes.linewidth": 0.8}),
    "axes.prop_cycle": matplotlib.cycler(color=sns.color_palette(PALETTE)),
    "font.family": "DejaVu Sans",  # bundled with matplotlib; covers Ә Ғ Қ Ң Ө Ұ Ү Һ І
    "svg.hashsalt": "ngo-report-2019",  # stable ids: two builds give the same SVG
    "svg.fonttype": "path",
    "figure.dpi": 100,
}
HATCHED = {"facecolor": MISSING, "hatch": "///", "edgecolor": "#999999", "linewidth": 0.4}
WORDED = PALETTE[2]  # a value the source gives only in words: a pale bar with a dashed outline, its label marked
WORDED_STYLE = {"facecolor": WORDED, "edgecolor": ACCENT, "linewidth": 0.8, "linestyle": "--"}


@dataclass
class Chart:
    """A rendered figure with what a reader and a reviewer need besides the picture."""

    svg: str  # text drawn as outlines: looks the same in every browser
    alt: str
    csv: str = ""
    notes: list[str] = field(default_factory=list)
    gap: str = ""  # the dataset of a diagram the source gives no values of (a gap panel): see helpers.decisions
    svg_print: str = ""  # text kept as text: Typst sets it in the embedded font, so the PDF's text is searchable

    def _repr_mimebundle_(self, include=None, exclude=None):
        extra = {"csv": self.csv, "notes": self.notes, **({"gap": self.gap} if self.gap else {}),
                 **({"print_svg": self.svg_print} if self.svg_print else {})}
        meta = {"image/svg+xml": {"alt": self.alt}, "ngo-report": extra}
        return {"image/svg+xml": self.svg, "text/plain": self.alt}, meta


def _svg(fig, fonttype: str, bbox) -> str:
    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": fonttype}):
        fig.savefig(buf, format="svg", bbox_inches=bbox, metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def _chart(fig, alt: str, csv: str = "", notes: list[str] | None = None, *, gap: str = "") -> Chart:
    """The figure as a Chart: one SVG for the web, one for print (the tight bounding box computed once)."""
    # the tight box lays out the text, ticks and callouts itself: no draw before it (the charts use no layout
    # engine, which only a draw would run), so each chart is drawn twice, once for each SVG
    bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
    # Typst lays out SVG text itself, a little wider than matplotlib measures it: room at both sides
    room = PRINT_TEXT_ROOM * bbox.width
    wider = Bbox.from_extents(bbox.x0 - room, bbox.y0, bbox.x1 + room, bbox.y1)
    web, printed = _svg(fig, "path", bbox), _svg(fig, "none", wider)
    plt.close(fig)
    return Chart(web, alt, csv, notes or [], gap=gap, svg_print=printed)


def _is_dark(colour: str) -> bool:
    """Whether white text reads better than black on a fill (relative luminance of an ``#rrggbb`` colour)."""
    r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] < 0.18


def _row_major(items: list, ncol: int) -> list:
    """Legend entries reordered so that matplotlib's column-by-column layout reads left to right, row by row."""
    return [items[i] for c in range(ncol) for i in range(c, len(items), ncol)]


def _wrap(label: str, width: int = 38) -> str:
    """A label in lines of ``width``, never parted at a typographic tie ("№ 154", " – ", "в Алматы")."""
    tied = typography.apply(label, "ru")  # the Russian one-letter words; Kazakh labels have none
    return "\n".join(textwrap.wrap(tied, width, break_long_words=False, break_on_hyphens=False)) or label


def bars(labels: list[str], values: list[float | None], lang: str, *, unit: str = "percent",
         sort: bool = True, alt: str = "", csv: str = "", notes: list[str] | None = None,
         marks: list[str] | None = None) -> Chart:
    """Horizontal bars, largest on top; a category without a published value shows a grey stub; a value the
    source gives only in words (``marks``: ``≈``, ``>``, ...) a pale bar with a dashed outline, labelled with its mark."""
    with plt.rc_context(STYLE):
        items = list(zip(labels, values, marks or [""] * len(values)))
        if sort:
            items.sort(key=lambda kv: -1 if kv[1] is None else kv[1], reverse=True)
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.9 + 0.32 * len(items)))
        top = max([v for _, v, _ in items if v is not None], default=1.0)
        tidy = pd.DataFrame({"label": [_wrap(l) for l, _, _ in items],
                             "state": [_state(v, m) for _, v, m in items],
                             "value": [top * 0.02 if v is None else v for _, v, _ in items]})
        states = [s for s in ("given", "worded", "missing") if s in set(tidy["state"])]
        sns.barplot(tidy, x="value", y="label", hue="state", palette={"given": ACCENT, "worded": WORDED, "missing": MISSING},
                    hue_order=states, legend=False, width=0.8, saturation=1, ax=ax)
        for bars_of, state in zip(ax.containers, states):
            texts = [fmt.mark(fmt.quantity(v, unit, lang), m) if v is not None else "–"
                     for _, v, m in items if _state(v, m) == state]
            ax.bar_label(bars_of, texts, padding=3, fontsize=8, color="#666666" if state == "missing" else "black")
            for bar in bars_of if state != "given" else []:
                bar.set(**(HATCHED if state == "missing" else WORDED_STYLE))
        ax.set(xlim=(0, top * 1.15), xlabel="", ylabel="")
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        return _chart(fig, alt, csv, notes)


def _state(value: float | None, mark: str) -> str:
    return "missing" if value is None else ("worded" if mark else "given")


def stacked(rows: list[str], answers: list[str], shares: list[list[float | None]], lang: str, *,
            alt: str = "", csv: str = "", notes: list[str] | None = None, missing_label: str = "") -> Chart:
    """100% stacked horizontal bars: one bar per row (item or level), one segment per answer; the part of a
    bar the source does not give is hatched grey (``missing_label`` in the legend)."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 1.3 + 0.45 * len(rows)))
        names_of_rows = [_wrap(r, 30) or " " * (i + 1) for i, r in enumerate(rows)]  # unique, top to bottom
        tidy = pd.DataFrame([(names_of_rows[i], answers[j], v) for i, line in enumerate(shares)
                             for j, v in enumerate(line) if v is not None], columns=["row", "answer", "share"])
        tidy["end"] = tidy.groupby("row", sort=False)["share"].cumsum()
        given = tidy.groupby("row")["end"].max().reindex(names_of_rows, fill_value=0.0)
        hatched = bool((given < 99.5).any())
        colours = {a: PALETTE[j % len(PALETTE)] for j, a in enumerate(answers)}
        # each segment is a bar from 0 to its cumulative end, the longest drawn first: together, stacked shares
        whole = pd.DataFrame({"row": given.index[given < 99.5], "answer": "", "end": 100.0})  # the part not given
        sns.barplot(pd.concat([whole, tidy]), x="end", y="row", hue="answer", hue_order=["", *answers[::-1]],
                    palette={"": MISSING, **colours}, dodge=False, legend=False, width=0.8, saturation=1,
                    edgecolor="white", linewidth=0.5, ax=ax)
        for bar in ax.containers[0]:  # seaborn makes one container per hue level, in hue_order
            bar.set(**HATCHED)
        for _, seg in tidy[tidy["share"] >= 4].iterrows():
            ax.text(seg["end"] - seg["share"] / 2, names_of_rows.index(seg["row"]), fmt.number(seg["share"], lang),
                    ha="center", va="center", fontsize=7, color="white" if _is_dark(colours[seg["answer"]]) else "black")
        ax.set(xlim=(0, 100), xlabel="", ylabel="")
        ax.xaxis.set_major_formatter(lambda x, _: fmt.percent(x, lang, 0))
        handles = [Rectangle((0, 0), 1, 1, color=PALETTE[j % len(PALETTE)]) for j in range(len(answers))]
        names = [_wrap(a, 28) for a in answers]
        if hatched and missing_label:
            handles.append(Rectangle((0, 0), 1, 1, **HATCHED))
            names.append(missing_label)
        ncol = min(3, len(names))
        ax.legend(_row_major(handles, ncol), _row_major(names, ncol), loc="upper center",
                  bbox_to_anchor=(0.5, -0.12 - 0.06 / max(1, len(rows))), ncol=ncol, frameon=False, fontsize=7.5)
        ax.tick_params(axis="y", length=0)
        return _chart(fig, alt, csv, notes)


def heatmap(rows: list[str], cols: list[str], values: list[list[float | None]], lang: str, *, scale_label: str = "",
            alt: str = "", csv: str = "", notes: list[str] | None = None) -> Chart:
    """A large rows x columns table of counts as shades (logarithmic: a few cells hold most), each cell with
    its number; a cell the source does not give is left hatched."""
    with plt.rc_context(STYLE):
        grid = pd.DataFrame(values, index=[_wrap(r, 30) for r in rows], columns=[_wrap(c, 13) for c in cols],
                            dtype=float)
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 1.0 + 0.24 * len(rows)))
        ax.add_patch(Rectangle((0, 0), len(cols), len(rows), **HATCHED))  # seen where a cell is empty
        known = grid.stack().dropna()
        steps = [b * 10 ** e for e in range(7) for b in (1, 3)]  # 1, 3, 10, 30, ...: shades of equal ratio
        bounds = [b for b in steps if known.min() / 3 < b <= known.max() * 3]
        cmap = sns.light_palette(ACCENT, n_colors=len(bounds) - 1, as_cmap=False)
        sns.heatmap(grid, annot=grid.map(lambda v: "–" if pd.isna(v) else fmt.number(v, lang)),
                    fmt="", norm=BoundaryNorm(bounds, len(bounds) - 1), cmap=ListedColormap(cmap), linewidths=0.5,
                    linecolor="white", annot_kws={"fontsize": 7.5}, cbar_kws={"shrink": 0.6, "ticks": bounds}, ax=ax)
        mesh = ax.collections[0]
        for text in ax.texts:  # the number in the colour that contrasts most with its cell (WCAG's ratio)
            x, y = text.get_position()
            value = grid.iat[int(y), int(x)]
            if not pd.isna(value):
                text.set_color(_readable_on(mesh.cmap(mesh.norm(value))))
        bar = mesh.colorbar  # a few bands: drawn as vector shapes, not as a raster image
        bar.ax.yaxis.set_major_formatter(lambda v, _: fmt.number(v, lang))
        bar.ax.set_title(_wrap(scale_label, 12), fontsize=7, loc="left")
        ax.xaxis.tick_top()
        ax.set(xlabel="", ylabel="")
        ax.tick_params(length=0)
        return _chart(fig, alt, csv, notes)


def _readable_on(rgba) -> str:
    """Black or white, whichever contrasts more with a background colour (WCAG 2 relative luminance)."""
    channel = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    lum = 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2]
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


@dataclass
class Region:
    """One region of a choropleth: its outline (WKT, longitude and latitude), where its label goes, its fill
    (``None``: the source gives no value, drawn hatched) and the value printed on it."""

    id: str  # the region's id (data/regions.csv): the SVG group of its outline is ``region-<id>``
    name: str
    wkt: str
    label_at: tuple[float, float]
    fill: str | None
    text: str = ""
    callout: bool = False  # too small to hold its label: a line joins it to the label at ``label_at``


def _patch(geom, **style) -> PathPatch:
    """A shapely (multi)polygon as one matplotlib patch, holes included."""
    rings = [r for p in getattr(geom, "geoms", [geom]) for r in (p.exterior, *p.interiors)]
    return PathPatch(MplPath.make_compound_path(*(MplPath(list(r.coords), closed=True) for r in rings)), **style)


def region_map(regions: list[Region], legend: list[tuple[str, str]], lang: str, *, missing_label: str = "",
               alt: str = "", csv: str = "", notes: list[str] | None = None) -> Chart:
    """A choropleth of the regions on their real outlines: name and published value on each region, the
    three cities by callouts, hatching where the source gives no value, the key of colours below the map.

    A region's name and value are placed where they fit inside its outline, clear of the cities' dots
    (``_place_label``). Drawn with plain matplotlib patches: seaborn has no geometry plots."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, WIDTH_IN * 0.62))
        dots = []  # the cities' dots and leader lines: no region's label may cover one
        outlines = [shapely.from_wkt(reg.wkt) for reg in regions]
        for reg, geom in zip(regions, outlines):
            style = ({"facecolor": reg.fill} if reg.fill else
                     {"facecolor": MISSING, "hatch": "///"})
            ax.add_patch(_patch(geom, edgecolor="white" if reg.fill else "#999999", linewidth=0.6, **style,
                                gid=f"region-{reg.id}"))
            if reg.callout:  # the city as a dot, its name and value in a box outside the country
                colour, (x, y) = reg.fill or MISSING, reg.label_at
                inside = geom.representative_point()
                dots.append(inside.buffer(0.3))
                dots.append(shapely.LineString([(inside.x, inside.y), (x, y)]).buffer(0.1))  # and its leader line
                ax.plot([inside.x, x], [inside.y, y], color="#333333", linewidth=0.6, zorder=3)
                ax.scatter([inside.x], [inside.y], s=22, facecolor=colour, edgecolor="#333333", linewidth=0.6,
                           zorder=4, **({} if reg.fill else {"hatch": "/////"}))
                ax.text(x, y, f"{reg.name}\n{reg.text}".strip(), ha="center", va="center", fontsize=6.5,
                        linespacing=1.1, zorder=5,
                        bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "#333333",
                              "linewidth": 0.5})
        ax.set_aspect(1 / math.cos(math.radians(48)))  # longitude and latitude, true to scale at 48° N
        x0, y0, x1, y1 = shapely.total_bounds(outlines)
        xs, ys = [x0, x1, *(r.label_at[0] for r in regions)], [y0, y1, *(r.label_at[1] for r in regions)]
        ax.set_xlim(min(xs) - 1.0, max(xs) + 1.0)
        ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
        ax.axis("off")
        ax.apply_aspect()  # the final data-to-page transform: labels are measured against it
        renderer = fig.canvas.get_renderer()
        avoid = shapely.union_all(dots) if dots else None
        for reg, geom in zip(regions, outlines):
            if not reg.callout:
                _place_label(ax, renderer, reg, geom, avoid, lang)
        handles = [Rectangle((0, 0), 1, 1, color=c) for c, _ in legend]
        names = [_wrap(t, 30) for _, t in legend]
        if missing_label and any(r.fill is None for r in regions):
            handles.append(Rectangle((0, 0), 1, 1, facecolor=MISSING, hatch="///", edgecolor="#999999",
                                     linewidth=0.4))
            names.append(missing_label)
        ncol = min(3, len(names))
        ax.legend(_row_major(handles, ncol), _row_major(names, ncol), loc="upper center",
                  bbox_to_anchor=(0.5, 0.0), ncol=ncol, frameon=False, fontsize=7.5, handlelength=1.6,
                  handleheight=1.2)
        return _chart(fig, alt, csv, notes)


LABEL_SIZES = (6.5, 6.0, 5.5, 5.0)  # a region's name, largest first, until it fits


def _place_label(ax, renderer, reg: Region, geom, avoid, lang: str) -> tuple[float, str, float]:
    """The region's name (above) and value (below) at the first place, nearest to ``reg.label_at``, where both lie
    inside the outline, a little off its border, and clear of ``avoid``. Tried in turn: one line at the two larger
    sizes, two lines (at a space, else hyphenated) at those sizes, then any form at the smaller ones. If nothing
    fits, the try that leaves the least of the label outside. Returns the share of the label inside, the form of
    the name and its size."""
    dark = _is_dark(reg.fill or MISSING)
    colour = "white" if dark else "black"
    name = ax.text(0, 0, reg.name, ha="center", va="bottom", color=colour, linespacing=1.0)
    value = ax.text(0, 0, reg.text, ha="center", va="top", fontsize=7.5, fontweight="bold", color=colour,
                    bbox=None if reg.fill else {"facecolor": "white", "edgecolor": "none", "pad": 0.6})
    room = geom.buffer(-0.08)  # a label may not touch the border
    if avoid is not None:
        room = room.difference(avoid)
    inverse = ax.transData.inverted()
    shapely.prepare(room)

    def put(x: float, y: float) -> None:
        name.set_position((x, y + 0.25))
        value.set_position((x, y + 0.15))

    def extents() -> list[tuple[float, float, float, float]]:
        """The label's boxes (name, value) in map coordinates when placed at (0, 0); the map's transform is
        affine, so at (x, y) they are these moved by (x, y)."""
        put(0, 0)
        drawn = [name.get_window_extent(renderer)] + ([value.get_window_extent(renderer)] if reg.text else [])
        return [(*inverse.transform([(b.x0, b.y0)])[0], *inverse.transform([(b.x1, b.y1)])[0]) for b in drawn]

    x0, y0, x1, y1 = geom.bounds
    gx, gy = [a.ravel() for a in np.meshgrid(np.linspace(x0, x1, 25), np.linspace(y0, y1, 17))]
    inside = shapely.contains_xy(room, gx, gy)
    ax_, ay_ = reg.label_at
    spots = [reg.label_at] + sorted(zip(gx[inside].tolist(), gy[inside].tolist()),
                                    key=lambda p: (p[0] - ax_) ** 2 + (p[1] - ay_) ** 2)
    one_line = [reg.name]
    two_lines = list(dict.fromkeys(f for f in [_wrap(reg.name, 12), *typography.hyphenated(reg.name, lang)[:3]]
                                   if f != reg.name))
    large, small = LABEL_SIZES[:2], LABEL_SIZES[2:]
    tries = ([(f, s) for s in large for f in one_line] + [(f, s) for s in large for f in two_lines] +
             [(f, s) for s in small for f in one_line + two_lines])
    best = (-1.0, reg.name, LABEL_SIZES[-1], reg.label_at)
    for form, size in tries:
        name.set_text(form)
        name.set_fontsize(size)
        at_origin = extents()
        for x, y in spots:
            areas = [shapely.box(a + x, b + y, c + x, d + y) for a, b, c, d in at_origin]
            if all(room.contains(a) for a in areas):
                put(x, y)
                return 1.0, form, size
            if size == LABEL_SIZES[-1]:  # the last resort: the least outside
                share = sum(room.intersection(a).area for a in areas) / sum(a.area for a in areas)
                best = max(best, (share, form, size, (x, y)), key=lambda b: b[0])
    _, form, size, (x, y) = best
    name.set_text(form)
    name.set_fontsize(size)
    put(x, y)
    return best[0], form, size


def timeline(years: list[str], texts: list[str], *, alt: str = "", csv: str = "") -> Chart:
    """Milestones on a vertical time axis, oldest on top; rows grow with their wrapped text (or date).

    Plain matplotlib: text placed by hand on one line; seaborn has no statistical plot for it."""
    with plt.rc_context(STYLE):
        wrapped = [_wrap(t, 74) for t in texts]
        heights = [0.16 + 0.17 * max(w.count("\n"), str(y).count("\n")) + 0.17 for w, y in zip(wrapped, years)]
        total = sum(heights)
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.3 + total))
        y = total
        for year, text, h in zip(years, wrapped, heights):
            y -= h / 2
            ax.plot([0], [y], "o", color=ACCENT, markersize=5)
            ax.text(-0.15, y, str(year), ha="right", va="center", fontweight="bold",
                    fontsize=8.5 if "\n" not in str(year) else 7.5, linespacing=1.1)
            ax.text(0.15, y, text, ha="left", va="center", fontsize=7.5)
            y -= h / 2
        ax.plot([0, 0], [0, total], color="#bbbbbb", linewidth=1, zorder=0)
        ax.set_xlim(-1.9, 8)
        ax.set_ylim(-0.05, total + 0.05)
        ax.axis("off")
        return _chart(fig, alt, csv)


def gap_panel(message: str, *, alt: str = "", csv: str = "", dataset: str = "?") -> Chart:
    """The panel that keeps a diagram's place when the source gives none of its values (plain matplotlib: no
    data to plot)."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 1.1))
        ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="#f4f4f4", edgecolor="#999999", hatch="//",
                               linewidth=0.8, transform=ax.transAxes))
        ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=9, transform=ax.transAxes,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 4})
        ax.axis("off")
        return _chart(fig, alt, csv, [message], gap=dataset)
