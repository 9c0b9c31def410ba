"""The evaluation of printed derived figures, on a synthetic frame."""

import pandas as pd

from helpers.core import stats


def frame():
    f = pd.DataFrame({
        "region": ["a", "a", "a", "b", "b", "b"],
        "form": ["x", "y", "total", "x", "y", "total"],
        "value": [1.0, 2.0, 3.0, 10.0, None, 99.0],
        "unit": ["count"] * 6,
        "status": ["published", "published", "derived", "published", "missing", "derived"],
    })
    f.attrs["dimensions"] = ["region", "form"]
    return f


def test_sum_over_a_dimension_recomputes_a_total():
    f = frame()
    assert stats.evaluate("sum{form=*}", f.iloc[2], f) == 3.0


def test_a_missing_input_gives_no_recomputation():
    f = frame()
    assert stats.evaluate("sum{form=*}", f.iloc[5], f) is None


def test_references_with_overridden_dimensions_and_arithmetic():
    f = frame()
    assert stats.evaluate("100*{form=x}/{form=total}", f.iloc[0], f) == 100 * 1 / 3


def test_only_arithmetic_is_evaluated():
    f = frame()
    try:
        stats.evaluate("__import__('os')", f.iloc[0], f)
    except ValueError:
        return
    raise AssertionError("a formula with code must be refused")


def test_difference_keeps_the_precision_of_its_inputs():
    d = stats.difference(stats.Quantity(89.1, "percent"), stats.Quantity(70.4, "percent"))
    assert d.value == 18.7 and d.decimals == 1


# --- where a number comes from (real data: table 1 of the report) -------------------------------------

def test_a_value_knows_its_row_in_the_file():
    q = stats.value("t01_registered_ngos", region="kz", legal_form="total")
    (row,) = q.origin
    lines = (stats.data.data_dir() / "t01_registered_ngos.csv").read_text(encoding="utf-8").splitlines()
    assert lines[row.row - 1].startswith("kz,total,")
    assert row.key == "region=kz;legal_form=total"


def test_computed_numbers_keep_the_rows_of_all_their_inputs_once():
    total = stats.value("t01_registered_ngos", region="kz", legal_form="total")
    part = stats.value("t01_registered_ngos", region="kz", legal_form="foundation")
    share = stats.share(part, total)
    assert [r.key for r in share.origin] == ["region=kz;legal_form=foundation", "region=kz;legal_form=total"]
    again = stats.difference(share, stats.share(part, total))
    assert len(again.origin) == 2
    assert share.as_("percentage_point", 0).origin == share.origin


def test_a_ranking_gives_each_place_its_own_row():
    ranked = stats.ranking("t01_registered_ngos", "region", legal_form="total")
    first, second = ranked[1][1].origin[0], ranked[2][1].origin[0]  # after the national total
    assert first.row != second.row and first.key.endswith("legal_form=total")
