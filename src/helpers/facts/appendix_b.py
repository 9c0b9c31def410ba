"""Appendix Б: data and methods."""

from __future__ import annotations

from .. import data
from ..claims import not_checkable
from ..stats import Quantity, Row
from . import fact

DESCRIPTOR = (Row("datapackage", 0, ""),)  # counted over the whole data package


@fact("appendix_b")
def datasets():
    """Data files with numbers of the sources (labels and regions not counted)."""
    return Quantity(sum(1 for r in data.descriptor()["resources"] if r.get("x-source")), "count", origin=DESCRIPTOR)


@fact("appendix_b")
def missing_values():
    return Quantity(len(data.gaps()), "count", origin=DESCRIPTOR)


@fact("appendix_b")
def datasets_with_gaps():
    return Quantity(data.gaps()["dataset"].nunique(), "count", origin=DESCRIPTOR)


not_checkable("appendix_b",
              sums_exceed_total="how the book reads some sums; each case is a finding of the audit (appendix В)")
