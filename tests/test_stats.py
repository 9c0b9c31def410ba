"""The evaluation of printed derived figures, on a synthetic frame."""

import pandas as pd

from helpers import stats


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
