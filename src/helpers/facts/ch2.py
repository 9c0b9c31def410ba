"""Chapter 2: level, scale and areas of NGO activity."""

from __future__ import annotations

from .. import stats
from ..stats import Label
from . import fact

T01 = "t01_registered_ngos"


@fact("ch2")
def registered_total():
    """Registered non-commercial organisations on 1 October 2019 (sum of table 1)."""
    return stats.value(T01, region="kz", legal_form="total")


@fact("ch2")
def public_associations_share():
    return stats.share(stats.value(T01, region="kz", legal_form="public_association"), registered_total())


@fact("ch2")
def foundations_share():
    return stats.share(stats.value(T01, region="kz", legal_form="foundation"), registered_total())


def _leaders():
    regions = [(r, q) for r, q in stats.ranking(T01, "region", legal_form="total") if r != "kz"]
    return regions[:5]


@fact("ch2")
def leading_regions():
    """The five regions with most registered organisations, with their counts."""
    return [(Label("region", r), q) for r, q in _leaders()]


@fact("ch2")
def leader_region():
    return Label("region", _leaders()[0][0])


@fact("ch2")
def leader_count():
    return _leaders()[0][1]


@fact("ch2")
def leader_share():
    return stats.share(leader_count(), registered_total())
