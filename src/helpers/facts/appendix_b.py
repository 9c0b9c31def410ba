"""Appendix Б: data and methods."""

from __future__ import annotations

from .. import data
from ..stats import Quantity
from . import fact


@fact("appendix_b")
def datasets():
    """Data files with numbers of the sources (labels and regions not counted)."""
    return Quantity(sum(1 for r in data.descriptor()["resources"] if r.get("x-source")), "count")


@fact("appendix_b")
def missing_values():
    return Quantity(len(data.gaps()), "count")


@fact("appendix_b")
def datasets_with_gaps():
    return Quantity(data.gaps()["dataset"].nunique(), "count")
