"""Chapter 3: organisational capacity, funding sources and material-technical equipment."""

from __future__ import annotations

from helpers.core import stats
from helpers.core.stats import Label, Quantity
from helpers.facts import fact, rows
from helpers.facts.claims import (
    above,
    all_of,
    among_smallest,
    below,
    claims,
    grew,
    largest,
    not_checkable,
    ranked,
    row,
    smallest,
)

D13 = "d13_permanent_staff"
D14 = "d14_staff_size"
D15 = "d15_ngo_budget"
MEANS = "x_ngo_capacity_means"
SOURCES_3Y = "x_funding_sources_3y"
T02 = "t02_main_funding_sources"
T03 = "t03_sso_projects_2017"
SSO = "x_sso_totals"
OBLASTS_2018 = "x_sso_oblast_departments_2018"
SSO_2018 = "x_sso_funding_2018"
SSO_2019 = "x_sso_funding_2019"
GRANTS = "x_state_grants"
OFFICE_CAR = "x_office_car"
PLAN = "x_strategic_plan"


def _q(q: Quantity, decimals: int) -> Quantity:
    """The same quantity with a fixed number of decimals (recomputed figures carry many)."""
    return q.as_(decimals=decimals)


def _year(y: int) -> Quantity:
    """A year of the SSO data (x_sso_totals), as a quantity to print."""
    return stats.dimension_value(SSO, "year", str(y), "year")


# --- years ------------------------------------------------------------------------------------------

@fact("ch3")
def year_2017():
    return _year(2017)


@fact("ch3")
def year_2018():
    return _year(2018)


@fact("ch3")
def year_2019():
    """The SSO year and the year of the NGO survey."""
    return _year(2019)


# --- staff ------------------------------------------------------------------------------------------

rows("ch3", D13,
     permanent_staff_share=dict(answer="yes"))


rows("ch3", D13, decimals=0,
     no_permanent_staff_share=dict(answer="no"))


rows("ch3", D14,
     staff_up_to_5_share=dict(staff="up_to_5"),
     staff_5_to_10_share=dict(staff="from_5_to_10"),
     staff_over_10_share=dict(staff="over_10"))


rows("ch3", MEANS,
     staff_mean_all=dict(indicator="staff_mean_all"),
     staff_mean_permanent=dict(indicator="staff_mean_permanent_staff"))


# --- funding sources of the last three years --------------------------------------------------------

rows("ch3", SOURCES_3Y,
     # A lower bound: 'more than 50%'.
     sources3y_sso=dict(funding_source="state_social_order"),
     # Approximate: 'about 43%'.
     sources3y_international=dict(funding_source="international_grants"),
     sources3y_sponsorship=dict(funding_source="sponsorship"),
     sources3y_personal=dict(funding_source="personal_contributions"),
     sources3y_membership=dict(funding_source="membership_fees"))


rows("ch3", MEANS,
     # Income sources per organisation (printed in words, rounded).
     funding_sources_mean=dict(indicator="funding_sources_mean"))


rows("ch3", T02,
     # Share naming state social order as the main funding source (first row of table 2).
     main_source_sso=dict(funding_source="state_social_order"))


# --- state social order, 2017 -----------------------------------------------------------------------

rows("ch3", SSO, decimals=1,
     sso2017_amount=dict(year="2017", admin_level="total", measure="amount"))


rows("ch3", SSO,
     sso2017_central_amount=dict(year="2017", admin_level="central", measure="amount"),
     sso2017_local_amount=dict(year="2017", admin_level="local", measure="amount"),
     sso2017_central_admins=dict(year="2017", admin_level="central", measure="administrators"),
     sso2017_oblast_admins=dict(year="2017", admin_level="oblast", measure="administrators"),
     sso2017_city_district_admins=dict(year="2017", admin_level="city_district", measure="administrators"),
     sso2017_projects=dict(year="2017", admin_level="total", measure="projects"),
     sso2017_central_projects=dict(year="2017", admin_level="central", measure="projects"),
     sso2017_local_projects=dict(year="2017", admin_level="local", measure="projects"),
     sso2017_ngos=dict(year="2017", admin_level="total", measure="ngos"))


def _t03(direction: str, measure: str) -> Quantity:
    q = stats.value(T03, direction=direction, measure=measure)
    return _q(q, 1) if measure == "share_projects" else q


@fact("ch3")
def sso2017_vulnerable_projects():
    return _t03("support_vulnerable_groups", "projects")


@fact("ch3")
def sso2017_vulnerable_share():
    return _t03("support_vulnerable_groups", "share_projects")


@fact("ch3")
def sso2017_youth_projects():
    return _t03("youth_policy_children", "projects")


@fact("ch3")
def sso2017_youth_share():
    return _t03("youth_policy_children", "share_projects")


@fact("ch3")
def sso2017_other_projects():
    return _t03("other_socially_significant", "projects")


@fact("ch3")
def sso2017_other_share():
    return _t03("other_socially_significant", "share_projects")


# --- state grants (tables 4-6) ----------------------------------------------------------------------

rows("ch3", GRANTS,
     grants2017_directions=dict(year="2017", measure="directions"),
     grants2017_projects=dict(year="2017", measure="projects"),
     grants2017_amount=dict(year="2017", measure="amount"),
     grants2018_directions=dict(year="2018", measure="directions"),
     grants2018_projects=dict(year="2018", measure="projects_planned"),
     grants2018_amount=dict(year="2018", measure="amount_planned"),
     grants2018_completed=dict(year="2018", measure="projects_completed"),
     grants2018_partly_completed=dict(year="2018", measure="projects_partly_completed"),
     grants2019_directions=dict(year="2019", measure="directions"),
     grants2019_projects=dict(year="2019", measure="projects_planned"),
     # As the text prints it (the total row of table 6 differs; see the source notes).
     grants2019_amount=dict(year="2019", measure="amount_planned"))


rows("ch3", 't06_state_grants_2019', decimals=0,
     # The sum of the amounts in the rows of table 6, which the text's total does not match (appendix В).
     grants2019_table_amount=dict(direction="total", measure="amount"))


# --- state social order, 2018 -----------------------------------------------------------------------

rows("ch3", SSO,
     sso2018_amount=dict(year="2018", admin_level="total", measure="amount"))


rows("ch3", SSO, decimals=0,
     # Growth on 2017, recomputed from the two amounts (the printed figure is not the growth).
     sso2018_growth=dict(year="2018", admin_level="total", measure="growth"))


rows("ch3", SSO,
     sso2018_local_amount=dict(year="2018", admin_level="local", measure="amount"))


rows("ch3", SSO, decimals=0,
     sso2018_local_share=dict(year="2018", admin_level="local", measure="share_amount"))


rows("ch3", SSO,
     sso2018_projects=dict(year="2018", admin_level="total", measure="projects"),
     sso2018_central_projects=dict(year="2018", admin_level="central", measure="projects"),
     sso2018_local_projects=dict(year="2018", admin_level="local", measure="projects"),
     sso2018_ngos=dict(year="2018", admin_level="total", measure="ngos"),
     sso2018_central_admins=dict(year="2018", admin_level="central", measure="administrators"),
     sso2018_oblast_admins=dict(year="2018", admin_level="oblast", measure="administrators"),
     sso2018_city_admins=dict(year="2018", admin_level="city", measure="administrators"),
     sso2018_district_admins=dict(year="2018", admin_level="district", measure="administrators"))


def _oblasts(ids: list[str]):
    return [(Label("region", r), stats.value(OBLASTS_2018, region=r)) for r in ids]


@fact("ch3")
def oblasts_internal_policy_only():
    """Oblasts where only internal-policy bodies place SSO (number of oblast departments)."""
    return _oblasts(["west_kazakhstan", "pavlodar", "turkistan"])


@fact("ch3")
def oblasts_active_departments():
    """Oblasts with active oblast departments but only two kinds of district/city units."""
    return _oblasts(["aktobe", "mangystau", "north_kazakhstan"])


rows("ch3", SSO_2018,
     # Amount printed with the unit slip 'млрд'; only the share is quoted in prose.
     sso2018_health_share=dict(direction="health_healthy_lifestyle", measure="share_amount"),
     # Amount printed with the unit slip 'млрд'; only the share is quoted in prose.
     sso2018_vulnerable_share=dict(direction="support_vulnerable_groups", measure="share_amount"),
     sso2018_other_amount=dict(direction="other_socially_significant", measure="amount"),
     sso2018_other_share=dict(direction="other_socially_significant", measure="share_amount"),
     sso2018_youth_amount=dict(direction="youth_policy_children", measure="amount"),
     sso2018_youth_share=dict(direction="youth_policy_children", measure="share_amount"),
     sso2018_accord_amount=dict(direction="public_accord_national_unity", measure="amount"),
     sso2018_accord_share=dict(direction="public_accord_national_unity", measure="share_amount"),
     sso2018_difficult_amount=dict(direction="difficult_life_situation", measure="amount"),
     sso2018_difficult_share=dict(direction="difficult_life_situation", measure="share_amount"),
     sso2018_employment_amount=dict(direction="employment_assistance", measure="amount"),
     sso2018_employment_share=dict(direction="employment_assistance", measure="share_amount"),
     # The printed share of the remaining directions (its printed amount is inconsistent; not quoted).
     sso2018_remaining_share=dict(direction="remaining_directions", measure="share_amount"))


# --- state social order, 2019 -----------------------------------------------------------------------

rows("ch3", SSO, decimals=0,
     sso2019_amount=dict(year="2019", admin_level="total", measure="amount"))


rows("ch3", SSO,
     sso2019_projects=dict(year="2019", admin_level="total", measure="projects"),
     sso2019_central_bodies=dict(year="2019", admin_level="central", measure="administrators"),
     sso2019_central_projects=dict(year="2019", admin_level="central", measure="projects"),
     sso2019_central_amount=dict(year="2019", admin_level="central", measure="amount"))


rows("ch3", SSO, decimals=1,
     # Mean amount per project of central bodies, recomputed from amount and projects.
     sso2019_central_mean=dict(year="2019", admin_level="central", measure="mean_project_amount"))


rows("ch3", SSO,
     sso2019_central_max=dict(year="2019", admin_level="central", measure="max_amount"),
     sso2019_local_amount=dict(year="2019", admin_level="local", measure="amount"),
     sso2019_local_projects=dict(year="2019", admin_level="local", measure="projects"),
     # A lower bound: 'more than 100'.
     sso2019_oblast_admins=dict(year="2019", admin_level="oblast", measure="administrators"),
     # A lower bound: 'more than 300'.
     sso2019_city_district_admins=dict(year="2019", admin_level="city_district", measure="administrators"))


rows("ch3", SSO_2019, decimals=3,
     sso2019_vulnerable_amount=dict(direction="support_vulnerable_groups", measure="amount"))


rows("ch3", SSO_2019,
     sso2019_vulnerable_share=dict(direction="support_vulnerable_groups", measure="share_amount"),
     # Amount printed garbled ('1, 348,5 млрд'); only the share is quoted in prose.
     sso2019_youth_share=dict(direction="youth_policy_children", measure="share_amount"),
     sso2019_accord_amount=dict(direction="public_accord_national_unity", measure="amount"),
     sso2019_accord_share=dict(direction="public_accord_national_unity", measure="share_amount"),
     sso2019_education_amount=dict(direction="education_science_sport", measure="amount"),
     sso2019_education_share=dict(direction="education_science_sport", measure="share_amount"),
     sso2019_employment_amount=dict(direction="employment_assistance", measure="amount"),
     sso2019_civil_society_amount=dict(direction="civil_society_development", measure="amount"),
     sso2019_civil_society_share=dict(direction="civil_society_development", measure="share_amount"),
     sso2019_difficult_amount=dict(direction="difficult_life_situation", measure="amount"),
     sso2019_difficult_share=dict(direction="difficult_life_situation", measure="share_amount"),
     # Printed without a unit; million tenge assumed in the data.
     sso2019_culture_amount=dict(direction="culture_arts", measure="amount"),
     sso2019_culture_share=dict(direction="culture_arts", measure="share_amount"),
     sso2019_health_share=dict(direction="health_healthy_lifestyle", measure="share_amount"))


# --- budget -----------------------------------------------------------------------------------------

rows("ch3", MEANS,
     budget_mean=dict(indicator="budget_mean"))


rows("ch3", D15,
     budget_up_to_4m_share=dict(budget_class="up_to_4m"))


@fact("ch3")
def budget_up_to_4m_label():
    return Label("budget_class", "up_to_4m")


rows("ch3", D15, decimals=0,
     # A lower bound ('more than 15%') for the classes from 12 million up.
     budget_from_12m_share=dict(budget_class="from_12m"))


@fact("ch3")
def budget_from_12m_label():
    return Label("budget_class", "from_12m")


# --- premises, car, strategic plan ------------------------------------------------------------------

rows("ch3", OFFICE_CAR,
     office_rented_share=dict(asset="office", tenure="rented"),
     office_none_share=dict(asset="office", tenure="none"),
     office_own_share=dict(asset="office", tenure="own"))


@fact("ch3")
def car_share():
    """NGOs with a car, own or rented (the only car figure printed)."""
    return _q(stats.value(OFFICE_CAR, asset="car", tenure="own_or_rented"), 1)


rows("ch3", OFFICE_CAR,
     # NGOs without a car: the source says only "more than three quarters", kept as that lower bound (x-precision);
     # the audit checks that it and the 22,4% with a car add up to 100.
     car_none_share=dict(asset="car", tenure="none"))


rows("ch3", PLAN,
     strategic_plan_yes_share=dict(answer="yes"))


rows("ch3", PLAN, decimals=1,
     strategic_plan_no_share=dict(answer="no"))


# --- claims of the prose: its comparisons, checked against the data ---------------------------------
# Numbers here are the words of the sentences ("the majority" is 50, "a quarter" 25), never data.

claims("ch3",
       small_staff_majority=all_of(largest(D14, "staff", "up_to_5"), above(row(D14, staff="up_to_5"), 50)),
       sso_most_common=largest(SOURCES_3Y, "funding_source", "state_social_order"),
       international_second=ranked(SOURCES_3Y, "funding_source", ["state_social_order", "international_grants",
                                                                   "sponsorship", "personal_contributions"]),
       membership_rarest=smallest(SOURCES_3Y, "funding_source", "membership_fees"),
       main_source_sso_first=largest(T02, "funding_source", "state_social_order"),
       main_source_international_second=ranked(T02, "funding_source", ["state_social_order",
                                                                        "international_grants"]),
       membership_among_least=among_smallest(T02, "funding_source", "membership_fees", 3),
       vulnerable_most_projects=ranked(T03, "direction", ["support_vulnerable_groups", "youth_policy_children"],
                                       exclude=["other_socially_significant"], measure="projects"),
       sso_grew_2018=grew(row(SSO, year="2017", admin_level="total", measure="amount"),
                          row(SSO, year="2018", admin_level="total", measure="amount")),
       office_rented_majority=above(row(OFFICE_CAR, asset="office", tenure="rented"), 50),
       office_none_over_quarter=above(row(OFFICE_CAR, asset="office", tenure="none"), 25),
       car_majority_none=below(car_share, 50),  # own or rented 22,4 and none (75, 100] add to 100
       car_under_quarter=below(car_share, 25),
       car_none_over_three_quarters=above(row(OFFICE_CAR, asset="car", tenure="none"), 75),
       # "more than": the data keeps the source's bounds (x-precision), so these restate the source
       admins_lower_bound=all_of(
           above(row(SSO, year="2019", admin_level="oblast", measure="administrators"), 100),
           above(row(SSO, year="2019", admin_level="city_district", measure="administrators"), 300)),
       budget_over_12m_lower_bound=above(row(D15, budget_class="from_12m"), 15))

UNPUBLISHED = "the source prints no values for the compared answers (listed in the register of gaps)"
NO_COUNT = "the data holds no count of the operators of state social order by kind of body"

not_checkable("ch3",
              staff_weak_point="a common view the sentence reports, then weighs against the data",
              social_block_operators=NO_COUNT,
              internal_policy_prevails=NO_COUNT,
              internal_policy_half_of_local=NO_COUNT,
              education_ministry_largest="the data holds the largest sum of a central body, not the bodies' sums",
              sources_question="the question the section sets out to answer",
              sso_most_preferred="a cross-tabulation of the survey answers that the data does not hold",
              equipment_ranking=UNPUBLISHED,
              procedures_matter_more="an opinion on what matters more for an organisation",
              practices_rated_high=UNPUBLISHED,
              hr_least_common=UNPUBLISHED,
              material_hardest=UNPUBLISHED)
