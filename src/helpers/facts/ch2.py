"""Chapter 2: level, scale and areas of NGO activity."""

from __future__ import annotations

from helpers.core import stats
from helpers.core.stats import Label
from helpers.facts import categories, declared, fact, rows
from helpers.facts.claims import about, above, all_of, below, claims, largest, leading, not_checkable, ranked, row

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


LEADERS_PRINTED = "x_leading_regions"  # the report's own list of the leading regions


def _leaders():
    """As many leading regions as the report's list names, ranked from table 1."""
    places = len(stats.resolved(LEADERS_PRINTED))
    regions = [(r, q) for r, q in stats.ranking(T01, "region", legal_form="total") if r != "kz"]
    return regions[:places]


@fact("ch2")
def printed_last_leader():
    """The last place of the report's printed list, with the count printed beside it."""
    last = stats.resolved(LEADERS_PRINTED).sort_values("rank").iloc[-1]
    q = stats.value(LEADERS_PRINTED, rank=last["rank"], region=last["region"])
    return (Label("region", last["region"], q.origin), q)


@fact("ch2")
def last_leader():
    """The last of the leading regions ranked from table 1."""
    region, count = _leaders()[-1]
    return (Label("region", region, count.origin), count)


@fact("ch2")
def leading_regions():
    """The five regions with most registered organisations, with their counts."""
    return [(Label("region", r, q.origin), q) for r, q in _leaders()]


@fact("ch2")
def leader_region():
    region, count = _leaders()[0]
    return Label("region", region, count.origin)


@fact("ch2")
def leader_count():
    return _leaders()[0][1]


@fact("ch2")
def leader_share():
    return stats.share(leader_count(), registered_total())


@fact("ch2")
def membership_share():
    """Public associations and associations (membership organisations) among registered organisations."""
    parts = [stats.value(T01, region="kz", legal_form=form) for form in ("public_association", "association")]
    members = stats.computed(sum(p.value for p in parts), "organisation", *parts)
    return stats.share(members, registered_total())


# --- scope of activity (diagram 2) ---------------------------------------------------------------
D02 = "d02_scope_of_activity"


rows("ch2", D02,
     scope_one_oblast=dict(scope="one_oblast"),
     scope_district_or_city=dict(scope="one_district_or_city"),
     scope_several_oblasts=dict(scope="several_oblasts"),
     scope_international=dict(scope="international"))


# --- projects per year (diagram 3, map 1) ----------------------------------------------------------
D03 = "d03_projects_per_year"
F01 = "f01_projects_by_region"


rows("ch2", D03,
     projects_mean=dict(projects_per_year="mean"),
     projects_five_or_more=dict(projects_per_year="five_or_more"),
     projects_none=dict(projects_per_year="none"))


rows("ch2", F01,
     # Mean number of projects of Nur-Sultan organisations (printed in words: about five).
     projects_capital=dict(region="nur_sultan"))


def _projects(*regions):
    return [(_region(r), stats.value(F01, region=r)) for r in regions]


def _region(r):
    return Label("region", r, stats.value(F01, region=r).origin)


@fact("ch2")
def projects_followers():
    """The regions after the capital, as the text lists them, with their mean numbers of projects."""
    return _projects("kostanay", "north_kazakhstan", "west_kazakhstan", "shymkent")


def _outsiders():
    """The regions with the fewest projects on average, lowest first (of the regions the source gives)."""
    return [Label("region", r, q.origin) for r, q in reversed(stats.ranking(F01, "region"))]


@fact("ch2")
def projects_outsider_region():
    return _outsiders()[0]


@fact("ch2")
def projects_outsider():
    return stats.value(F01, region=_outsiders()[0].id)


@fact("ch2")
def projects_next_outsider_region():
    return _outsiders()[1]


@fact("ch2")
def projects_next_outsider():
    return stats.value(F01, region=_outsiders()[1].id)


_GROUP_OF_TWO = ("almaty_oblast", "atyrau", "zhambyl", "kyzylorda")


@fact("ch2")
def projects_group_regions():
    """The group of oblasts with about the same mean (one approximate figure for the group)."""
    return [_region(r) for r in _GROUP_OF_TWO]


@fact("ch2")
def projects_group():
    values = {stats.value(F01, region=r).value for r in _GROUP_OF_TWO}
    if len(values) != 1:
        raise ValueError(f"{F01}: the group of oblasts no longer shares one mean: {values}")
    return stats.value(F01, region=_GROUP_OF_TWO[0])


# --- directions and target groups (diagrams 4-7) -------------------------------------------------
D04 = "d04_ngo_directions"
D05 = "d05_target_groups"
D06 = "d06_expert_directions_represented"


rows("ch2", D04,
     direction_culture=dict(direction="culture_arts"),
     direction_urban_studies=dict(direction="urban_studies"),
     direction_youth_policy=dict(direction="youth_policy"),
     # Health and sport: 'a quarter of the organisations', given only in words (x-precision).
     health_sport_share=dict(direction="health_sport"))


rows("ch2", D05,
     target_youth=dict(target_group="youth"),
     target_vulnerable=dict(target_group="socially_vulnerable"),
     target_dont_know=dict(target_group="dont_know"),
     target_whole_population=dict(target_group="whole_population"))


rows("ch2", D06,
     experts_youth_policy=dict(direction="youth_policy"),
     experts_vulnerable_groups=dict(direction="support_vulnerable_groups"))


# --- involvement and trust (diagrams 8-9) ----------------------------------------------------------
D08 = "d08_involvement_by_org_type"
D09 = "d09_trust_by_org_type"


rows("ch2", D08,
     involvement_not_member=dict(org_type="all_types_mean", involvement="not_member"),
     involvement_no_answer=dict(org_type="all_types_mean", involvement="no_answer"),
     # Combined share of the 'non-participating' (recomputed from its two parts).
     involvement_non_participating=dict(org_type="all_types_mean", involvement="non_participating"))


rows("ch2", D08,
     involved_sports=dict(org_type="sports_leisure", involvement="member_or_involved"),
     involved_trade_unions=dict(org_type="trade_union", involvement="member_or_involved"),
     involved_arts=dict(org_type="arts_music_education", involvement="member_or_involved"),
     involved_parties=dict(org_type="political_party", involvement="member_or_involved"))


rows("ch2", D09,
     trust_charity_full=dict(org_type="humanitarian_charity", respondent_group="all", trust_level="full_trust"),
     trust_charity_rather=dict(org_type="humanitarian_charity", respondent_group="all", trust_level="rather_trust"),
     trust_charity_participants_full=dict(org_type="humanitarian_charity", respondent_group="participants", trust_level="full_trust"),
     trust_charity_participants_rather=dict(org_type="humanitarian_charity", respondent_group="participants", trust_level="rather_trust"))


# --- beneficiaries and satisfaction (diagrams 10-11) -----------------------------------------------
D10 = "d10_ngo_beneficiaries_population"
D11 = "d11_service_satisfaction"


rows("ch2", D10,
     beneficiaries_used_services=dict(answer="used_ngo_services"),
     beneficiaries_participated=dict(answer="participated_not_used"),
     beneficiaries_linked=dict(answer="linked_total"),
     beneficiaries_no_experience=dict(answer="no_experience"),
     beneficiaries_dont_know=dict(answer="dont_know"))


F02 = "f02_beneficiaries_by_region"


categories("ch2", F02, "region", "level",
           # Regions of the beneficiaries map, by level, in the order of the data file.
           beneficiary_regions_high="high",
           beneficiary_regions_above="slightly_above_expected",
           beneficiary_regions_below="slightly_below_expected",
           beneficiary_regions_low="low",
           beneficiary_regions_clearly_low="clearly_low")


rows("ch2", D11,
     satisfaction_full=dict(answer="fully_satisfied"),
     satisfaction_rather=dict(answer="rather_satisfied"))


@fact("ch2")
def satisfaction_positive():
    return stats.value(D11, answer="positive_total")


@fact("ch2")
def satisfaction_negative():
    return stats.value(D11, answer="negative_total")


rows("ch2", D11,
     satisfaction_dont_know=dict(answer="dont_know"))


@fact("ch2")
def satisfaction_ratio():
    """How many times the positive answers outnumber the negative ones (the text: 'practically ten')."""
    pos, neg = satisfaction_positive(), satisfaction_negative()
    return stats.computed(pos.value / neg.value, "count", pos, neg, decimals=1)


# --- size of the target audience and coverage (diagram 12) -----------------------------------------
D12 = "d12_target_audience_size"
COV = "x_ngo_coverage"


rows("ch2", D12,
     audience_mean=dict(audience_size="mean"),
     audience_over_1000=dict(audience_size="over_1000"))


rows("ch2", COV,
     active_ngos_low=dict(indicator="active_ngos", bound="low"),
     active_ngos_high=dict(indicator="active_ngos", bound="high"),
     beneficiaries_per_ngo=dict(indicator="beneficiaries_per_ngo", bound="point"),
     coverage_low=dict(indicator="population_coverage", bound="low"),
     coverage_high=dict(indicator="population_coverage", bound="high"))


# --- claims of the prose: its comparisons, checked against the data ---------------------------------
# Numbers here are the words of the sentences ("more than half" is 50, "a quarter" 25), never data.

F = declared("ch2")  # the facts above that are rows of a table, as operands
claims("ch2",
       most_public_associations=largest(T01, "legal_form", "public_association", region="kz"),
       foundations_second=ranked(T01, "legal_form", ["public_association", "foundation"], region="kz"),
       leading_five=leading(T01, "region", leading_regions, exclude=["kz"], legal_form="total"),
       printed_list_skips_a_region=above(last_leader, printed_last_leader),
       leader_first=largest(T01, "region", leader_region, exclude=["kz"], legal_form="total"),
       scope_majority=above(row(D02, scope="one_oblast"), 50),
       scope_district_over_quarter=above(row(D02, scope="one_district_or_city"), 25),
       capital_leads_projects=largest(F01, "region", "nur_sultan"),
       projects_followers_order=ranked(F01, "region", ["nur_sultan", "kostanay", "north_kazakhstan",
                                                       "west_kazakhstan", "shymkent"]),
       projects_outsiders=ranked(F01, "region", [projects_outsider_region, projects_next_outsider_region],
                                 ascending=True),
       chart_shows_a_tenth=all_of(*(below(row(D04, direction=d), 10)
                                    for d in ("culture_arts", "urban_studies", "youth_policy"))),
       health_sport_quarter=about(row(D04, direction="health_sport"), 25, 0.5),
       audience_about_half_thousand=about(row(D12, audience_size="mean"), 500, 100),  # "about half a thousand"
       youth_most_named=largest(D05, "target_group", "youth"),
       vulnerable_second=ranked(D05, "target_group", ["youth", "socially_vulnerable"]),
       experts_youth_first=ranked(D06, "direction", ["youth_policy", "support_vulnerable_groups"]),
       membership_majority=above(membership_share, 50),
       not_member_majority=above(row(D08, org_type="all_types_mean", involvement="not_member"), 50),
       involvement_order=ranked(D08, "org_type", ["sports_leisure", "trade_union", "arts_music_education",
                                                  "political_party"], involvement="member_or_involved"),
       charity_trust_drops=all_of(below(F.trust_charity_participants_full, F.trust_charity_full),
                                  below(F.trust_charity_participants_rather, F.trust_charity_rather)),
       no_experience_majority=above(row(D10, answer="no_experience"), 50),
       rather_as_many=about(row(D11, answer="fully_satisfied"), row(D11, answer="rather_satisfied"), 1),
       negative_fewer=above(satisfaction_positive, satisfaction_negative),
       every_fifth_over_1000=about(row(D12, audience_size="over_1000"), 20, 1))

CORRELATION = "a link found by the authors' correlation analysis of the survey answers, which the data does not hold"
REASONING = "the authors' reasoning about causes, not a comparison of values"
JUDGEMENT = "the authors' judgement of a value the sentence prints; the data holds no benchmark for it"
UNPUBLISHED = "the source prints no values for the compared answers (listed in the register of gaps)"

not_checkable("ch2",
              usual_method="a statement about methods of counting, not about the data",
              democratic_form="an opinion on forms of governance",
              budget_and_scope=CORRELATION,
              regions_match_capital=CORRELATION,
              projects_one_to_three_most=UNPUBLISHED,
              strongest_organisations=JUDGEMENT,
              no_projects_high=JUDGEMENT,
              experience_resources=CORRELATION,
              staff_and_projects=CORRELATION,
              staff_attracts_resources=REASONING,
              projects_expand_staff=REASONING,
              which_fields_question="the question the section sets out to answer",
              most_popular_direction=UNPUBLISHED,
              non_participating_high=JUDGEMENT,
              least_environmental=UNPUBLISHED,
              parties_trust_low=UNPUBLISHED,
              charity_trust_high=UNPUBLISHED,
              trust_from_notions=REASONING,
              church_trust_low=UNPUBLISHED,
              beneficiary_correlates=CORRELATION,
              beneficiary_level_names="the words name the map's categories, printed from the data "
                                      "(f02_beneficiaries_by_region.level); the sentence compares nothing",
              dont_know_high=JUDGEMENT,
              coverage_contradiction=REASONING)

not_checkable("ch2", experts_environment_most_important=UNPUBLISHED)
