"""Chapter 5: involving the population in civil society."""

from __future__ import annotations

from .. import stats
from ..stats import Label
from . import fact

D24 = "d24_social_responsibility"
D25 = "d25_confidence_in_influence"
SELF = "x_participation_self_assessment"
D26 = "d26_volunteering_activity"
F04 = "f04_volunteering_by_region"
BENCH = "x_volunteering_benchmark"
D27 = "d27_civic_activity_types"
D28 = "d28_volunteers_per_ngo"
EXPERTS = "x_expert_ratings"
T07 = "t07_staff_by_volunteers"
D29 = "d29_civil_society_obstacles"


# --- responsibility and confidence (diagrams 24, 25) ------------------------------------------------

@fact("ch5")
def responsibility_home():
    """Feel fully responsible for what happens in their home."""
    return stats.value(D24, scope="home", answer="fully")


@fact("ch5")
def responsibility_courtyard():
    return stats.value(D24, scope="courtyard", answer="fully")


@fact("ch5")
def confidence_home():
    """Sure they can influence the situation at home fully or to a significant degree."""
    return stats.value(D25, scope="home", answer="fully_or_significantly", measure="share")


@fact("ch5")
def confidence_courtyard():
    return stats.value(D25, scope="courtyard", answer="fully_or_significantly", measure="share")


@fact("ch5")
def confidence_drop():
    """Fall from home to courtyard, in percentage points (recomputed: home minus courtyard)."""
    d = stats.difference(confidence_home(), confidence_courtyard())
    return d.as_("percentage_point")


@fact("ch5")
def confidence_drop_fully():
    """Fall for the answer 'fully' alone, in percentage points (as printed: its inputs are not given)."""
    q = stats.value(D25, scope="courtyard", answer="fully", measure="decline_from_home")
    return q.as_("percentage_point", 1)


# --- self-assessment of participation ----------------------------------------------------------------

@fact("ch5")
def self_positive():
    return stats.value(SELF, answer="positive_total")


@fact("ch5")
def self_negative():
    return stats.value(SELF, answer="negative_total")


@fact("ch5")
def self_dont_know():
    return stats.value(SELF, answer="dont_know")


# --- volunteering (diagram 26, map, benchmark) ------------------------------------------------------

@fact("ch5")
def volunteering_yes():
    """Answered positively the question about taking part in volunteering."""
    return stats.value(D26, question="participation", answer="participates")


@fact("ch5")
def volunteering_refused():
    return stats.value(D26, question="activity_level", answer="refused_or_dont_know")


@fact("ch5")
def volunteering_positive_total():
    """Combined share of positive answers on the activity-level diagram (differs from volunteering_yes)."""
    return stats.value(D26, question="activity_level", answer="positive_total")


def _regions_at(level: str) -> list[Label]:
    """Regions of the volunteering map in one category, in the order of the source's text."""
    return stats.labels_of(F04, "region", volunteering_level=level)


@fact("ch5")
def map_well_above():
    return _regions_at("well_above_expected")


@fact("ch5")
def map_slightly_above():
    return _regions_at("slightly_above_expected")


@fact("ch5")
def map_as_expected():
    return _regions_at("as_expected")


@fact("ch5")
def map_slightly_below():
    return _regions_at("slightly_below_expected")


@fact("ch5")
def map_lower():
    return _regions_at("lower_15_25")


@fact("ch5")
def map_much_lower():
    return _regions_at("lower_25_50")


@fact("ch5")
def map_two_times_lower():
    return _regions_at("two_times_lower")


@fact("ch5")
def benchmark_low():
    """Lower bound of the international 'corridor', printed without its unit (followed by the upper one)."""
    return stats.value(BENCH, bound="low").as_("count")


@fact("ch5")
def benchmark_high():
    return stats.value(BENCH, bound="high")


# --- kinds of civic activity (diagram 27) -------------------------------------------------------------

@fact("ch5")
def activity_none():
    return stats.value(D27, civic_activity="none_of_these")


@fact("ch5")
def activity_dont_know():
    return stats.value(D27, civic_activity="dont_know")


@fact("ch5")
def activity_protests():
    return stats.value(D27, civic_activity="protests")


# --- volunteers in NGOs (diagram 28, table 7), expert ratings ----------------------------------------

@fact("ch5")
def ngos_without_volunteers():
    return stats.value(D28, volunteers="none", measure="share")


@fact("ch5")
def ngos_up_to_five_volunteers():
    return stats.value(D28, volunteers="up_to_5", measure="share")


@fact("ch5")
def ngos_over_ten_volunteers():
    return stats.value(D28, volunteers="over_10", measure="share")


@fact("ch5")
def volunteers_mean():
    """Mean number of volunteers over all NGOs."""
    return stats.value(D28, volunteers="all", measure="mean")


@fact("ch5")
def volunteers_mean_low():
    """Mean over NGOs that have volunteers: lower bound of the printed range."""
    return stats.value(D28, volunteers="at_least_one", measure="mean_lower")


@fact("ch5")
def volunteers_mean_high():
    return stats.value(D28, volunteers="at_least_one", measure="mean_upper")


@fact("ch5")
def expert_civic_activity():
    return stats.value(EXPERTS, indicator="civic_activity_level")


@fact("ch5")
def expert_resident_involvement():
    return stats.value(EXPERTS, indicator="resident_involvement")


@fact("ch5")
def table7_total():
    """Organisations in table 7 (recomputed sum of its cells)."""
    return stats.value(T07, staff="total", volunteers="total")


# --- obstacles (diagram 29) ----------------------------------------------------------------------------

@fact("ch5")
def obstacle_passivity():
    return stats.value(D29, problem="population_passivity")


@fact("ch5")
def obstacle_awareness():
    return stats.value(D29, problem="low_awareness")
