"""Appendix Б: data and methods."""

from __future__ import annotations

from helpers.core import data, precision
from helpers.core.stats import Quantity, Row
from helpers.facts import fact

DESCRIPTOR = (Row("datapackage", 0, ""),)  # counted over the whole data package


@fact("appendix_b")
def datasets():
    """Data files with numbers of the sources (labels and regions not counted)."""
    return Quantity(sum(1 for r in data.descriptor()["resources"] if r.get("x-source")), "count", origin=DESCRIPTOR)


@fact("appendix_b")
def missing_values():
    return Quantity(len(data.gaps()), "count", origin=DESCRIPTOR)


@fact("appendix_b")
def worded_values():
    """Values the source gives only in words (x-precision: approximate, bounds, group statements)."""
    return Quantity(sum(r["kind"] != "derived" for r in precision.register()), "count", origin=DESCRIPTOR)


@fact("appendix_b")
def datasets_with_gaps():
    return Quantity(data.gaps()["dataset"].nunique(), "count", origin=DESCRIPTOR)
