"""The seaborn-drawn charts as a reader sees them: bars and stacked shares with their values and the hatched
part the source does not give, the heatmap companion of table 1 with every number of the table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LANGS = ["kk", "ru"]


def _chart(lang: str, method: str = "chart", *args, **kwargs):
    """The chart a chapter cell shows for ``b.<method>(*args, **kwargs)``."""
    import helpers.book as book

    shown = []
    saved, book._display = book._display, lambda *objs: shown.extend(objs)
    try:
        getattr(book.Book(lang), method)(*args, **kwargs)
    finally:
        book._display = saved
    return shown[0]


def _hatched_paths(svg: str) -> int:
    return len(re.findall(r'<path[^>]*style="[^"]*fill: url\(#h', svg, re.S))


@pytest.mark.parametrize("lang", LANGS)
def test_bars_print_each_value_and_hatch_the_value_not_given(lang: str):
    from helpers.core import data, stats
    from helpers.lang import fmt

    frame = stats.resolved("d03_projects_per_year")
    chart = _chart(lang, "chart", "d03_projects_per_year")
    labels = data.labels("projects_per_year", lang, short=True) if "projects_per_year" in frame else {}
    given = frame[frame["value"].notna()]
    for _, row in given.iterrows():
        assert fmt.quantity(float(row["value"]), row["unit"], lang) in chart.svg_print
    text = chart.svg_print.replace("\u00a0", " ").replace("&#160;", " ")  # ties of the Russian one-letter words
    for label in labels.values():
        if label in chart.alt:
            assert label in text
    assert _hatched_paths(chart.svg) == int(frame["value"].isna().sum()) > 0


@pytest.mark.parametrize("lang", LANGS)
def test_stacked_shares_keep_their_segments_and_hatch_the_part_not_given(lang: str):
    from helpers.core import stats
    from helpers.lang import fmt

    chart = _chart(lang, "chart", "d09_trust_by_org_type", kind="stacked", where={"respondent_group": "all"},
                   rows="org_type", answers="trust_level")
    frame = stats.select(stats.resolved("d09_trust_by_org_type"), respondent_group="all")
    for v in frame["value"].dropna():
        if v >= 4:  # the segments wide enough to hold their number
            assert f">{fmt.number(float(v), lang)}<" in chart.svg_print.replace("\n", "").replace(" <", "<")
    incomplete = frame.groupby("org_type")["value"].sum(min_count=0)
    assert _hatched_paths(chart.svg) == int((incomplete < 99.5).sum()) + 1  # each short bar and the key


@pytest.mark.parametrize("lang", LANGS)
def test_the_heatmap_of_table_1_shows_every_number_of_the_table(lang: str):
    from helpers.core import data, stats
    from helpers.lang import fmt

    chart = _chart(lang, "heatmap", "t01_registered_ngos", rows="region", cols="legal_form")
    frame = stats.resolved("t01_registered_ngos")
    cells = frame[(frame["region"] != "kz") & (frame["legal_form"] != "total")]
    assert len(cells) == 17 * 4
    text = chart.svg_print
    for _, row in cells.iterrows():
        printed = fmt.number(float(row["value"]), lang, group_from=1000)
        assert f">{printed}<" in re.sub(r"\s*<", "<", text), f"{row['region']}, {row['legal_form']}: {printed}"
    for name in data.labels("region", lang).values():
        if name not in ("Қазақстан Республикасы", "Республика Казахстан"):
            assert name.split()[0] in text
    assert "Барлығы" not in text and "Всего" not in text  # printed totals are not cells of it
    assert data.labels("region", lang)["almaty_city"] in chart.alt


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_appendix_b_has_the_heatmap_with_its_caption_and_csv(built_report: Path, lang: str):
    from helpers.core import stats
    from helpers.lang import fmt, i18n

    html = (built_report / lang / "html" / "appendix-b-data-methods.html").read_text(encoding="utf-8")
    label = i18n.caption_label("dgm", "Б.1", lang)
    figure = re.search(r'<figure class="float dgm">\s*<p><img src="([^"]+)" alt="([^"]+)"', html)
    assert figure and label in html
    assert (built_report / lang / "html" / figure.group(1)).exists()
    capital = stats.value("t01_registered_ngos", region="nur_sultan", legal_form="public_association").value
    assert fmt.number(capital, lang, group_from=1000).replace("\u00a0", " ") in figure.group(2).replace("\u00a0", " ")
    assert re.search(r'href="data/appendix-b-data-methods-cell[\d-]+\.csv"', html)


def test_an_unknown_chart_kind_names_the_kinds_there_are():
    with pytest.raises(ValueError, match="unknown chart kind 'pie': use one of bars, stacked, map, timeline, gap"):
        _chart("kk", "chart", "d05_target_groups", kind="pie")
