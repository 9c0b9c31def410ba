"""Chapter 5: involving the population in civil society."""

from __future__ import annotations

from helpers.core import stats
from helpers.facts import categories, fact, rows
from helpers.facts.claims import (
    about,
    above,
    all_of,
    at_least,
    at_most,
    below,
    claims,
    grew,
    not_checkable,
    ratio_at_least,
    row,
    smallest,
)

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

rows("ch5", D24,
     # Feel fully responsible for what happens in their home.
     responsibility_home=dict(scope="home", answer="fully"),
     responsibility_courtyard=dict(scope="courtyard", answer="fully"))


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

rows("ch5", SELF,
     self_positive=dict(answer="positive_total"),
     self_negative=dict(answer="negative_total"),
     self_dont_know=dict(answer="dont_know"))


# --- volunteering (diagram 26, map, benchmark) ------------------------------------------------------

rows("ch5", D26,
     # Answered positively the question about taking part in volunteering.
     volunteering_yes=dict(question="participation", answer="participates"),
     volunteering_refused=dict(question="activity_level", answer="refused_or_dont_know"),
     # Combined share of positive answers on the activity-level diagram (differs from volunteering_yes).
     volunteering_positive_total=dict(question="activity_level", answer="positive_total"))


categories("ch5", F04, "region", "volunteering_level",
           map_well_above="well_above_expected",
           map_slightly_above="slightly_above_expected",
           map_as_expected="as_expected",
           map_slightly_below="slightly_below_expected",
           map_lower="lower_15_25",
           map_much_lower="lower_25_50",
           map_two_times_lower="two_times_lower")


rows("ch5", BENCH, unit="count",
     # Lower bound of the international 'corridor', printed without its unit (followed by the upper one).
     benchmark_low=dict(bound="low"))


rows("ch5", BENCH,
     benchmark_high=dict(bound="high"))


# --- kinds of civic activity (diagram 27) -------------------------------------------------------------

rows("ch5", D27,
     activity_none=dict(civic_activity="none_of_these"),
     activity_dont_know=dict(civic_activity="dont_know"),
     activity_protests=dict(civic_activity="protests"))


# --- volunteers in NGOs (diagram 28, table 7), expert ratings ----------------------------------------

rows("ch5", D28,
     ngos_without_volunteers=dict(volunteers="none", measure="share"),
     ngos_up_to_five_volunteers=dict(volunteers="up_to_5", measure="share"),
     ngos_over_ten_volunteers=dict(volunteers="over_10", measure="share"),
     # Mean number of volunteers over all NGOs.
     volunteers_mean=dict(volunteers="all", measure="mean"),
     # Mean over NGOs that have volunteers: lower bound of the printed range.
     volunteers_mean_low=dict(volunteers="at_least_one", measure="mean_lower"),
     volunteers_mean_high=dict(volunteers="at_least_one", measure="mean_upper"))


rows("ch5", EXPERTS,
     expert_civic_activity=dict(indicator="civic_activity_level"),
     expert_resident_involvement=dict(indicator="resident_involvement"))


rows("ch5", T07,
     # Organisations in table 7 (recomputed sum of its cells).
     table7_total=dict(staff="total", volunteers="total"))


# --- obstacles (diagram 29) ----------------------------------------------------------------------------

rows("ch5", D29,
     obstacle_passivity=dict(problem="population_passivity"),
     obstacle_awareness=dict(problem="low_awareness"))


# --- claims of the prose: its comparisons, checked against the data ---------------------------------
# Numbers here are the words of the sentences ("half" is 50, "almost twice" at least 1.75 times, the middle
# of a five-point scale 3), never data.

claims("ch5",
       responsibility_falls=below(row(D24, scope="courtyard", answer="fully"), row(D24, scope="home", answer="fully")),
       courtyard_nearly_half=ratio_at_least(row(D24, scope="home", answer="fully"),
                                            row(D24, scope="courtyard", answer="fully"), 1.75),
       confidence_falls=below(confidence_courtyard, confidence_home),
       drop_larger_for_fully=above(confidence_drop_fully, confidence_drop),
       not_volunteering_majority=above(row(D26, question="activity_level", answer="refused_or_dont_know"), 50),
       within_corridor=all_of(at_least(row(D26, question="participation", answer="participates"), row(BENCH, bound="low")),
                              at_most(row(D26, question="participation", answer="participates"), row(BENCH, bound="high"))),
       subbotniks_every_second=about(row(D27, civic_activity="subbotniks_landscaping"), 50, 2),
       protests_least=smallest(D27, "civic_activity", "protests", exclude=["none_of_these", "dont_know"]),
       up_to_five_majority=above(row(D28, volunteers="up_to_5", measure="share"), 50),
       mean_grows_without_zero=grew(row(D28, volunteers="all", measure="mean"),
                                    row(D28, volunteers="at_least_one", measure="mean_lower")),
       civic_activity_low=below(row(EXPERTS, indicator="civic_activity_level"), 3))

UNPUBLISHED = "the source prints no values for the compared answers (listed in the register of gaps)"

not_checkable("ch5",
              scales_of_life="a description of the question's scales, not a comparison of values",
              sharpest_drop_first=UNPUBLISHED,
              home_responsibility_high="the authors' judgement of a value the sentence prints; the data holds no "
                                       "benchmark for it",
              seasonal_most=UNPUBLISHED,
              volunteer_correlates="a link found by the authors' correlation analysis of the survey answers, "
                                   "which the data does not hold",
              volunteering_level_names="the words name the map's categories, printed from the data "
                                       "(f04_volunteering_by_region); the sentence compares nothing",
              help_actions_second=UNPUBLISHED)
