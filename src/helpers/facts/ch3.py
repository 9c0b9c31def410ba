"""Chapter 3: organisational capacity, funding sources and material-technical equipment."""

from __future__ import annotations

from .. import stats
from ..stats import Label, Quantity
from . import fact

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


def _sso(year: int, admin_level: str, measure: str) -> Quantity:
    return stats.value(SSO, year=str(year), admin_level=admin_level, measure=measure)


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

@fact("ch3")
def permanent_staff_share():
    return stats.value(D13, answer="yes")


@fact("ch3")
def no_permanent_staff_share():
    return _q(stats.value(D13, answer="no"), 0)


@fact("ch3")
def staff_up_to_5_share():
    return stats.value(D14, staff="up_to_5")


@fact("ch3")
def staff_5_to_10_share():
    return stats.value(D14, staff="from_5_to_10")


@fact("ch3")
def staff_over_10_share():
    return stats.value(D14, staff="over_10")


@fact("ch3")
def staff_mean_all():
    return stats.value(MEANS, indicator="staff_mean_all")


@fact("ch3")
def staff_mean_permanent():
    return stats.value(MEANS, indicator="staff_mean_permanent_staff")


# --- funding sources of the last three years --------------------------------------------------------

@fact("ch3")
def sources3y_sso():
    """A lower bound: 'more than 50%'."""
    return stats.value(SOURCES_3Y, funding_source="state_social_order")


@fact("ch3")
def sources3y_international():
    """Approximate: 'about 43%'."""
    return stats.value(SOURCES_3Y, funding_source="international_grants")


@fact("ch3")
def sources3y_sponsorship():
    return stats.value(SOURCES_3Y, funding_source="sponsorship")


@fact("ch3")
def sources3y_personal():
    return stats.value(SOURCES_3Y, funding_source="personal_contributions")


@fact("ch3")
def sources3y_membership():
    return stats.value(SOURCES_3Y, funding_source="membership_fees")


@fact("ch3")
def funding_sources_mean():
    """Income sources per organisation (printed in words, rounded)."""
    return stats.value(MEANS, indicator="funding_sources_mean")


@fact("ch3")
def main_source_sso():
    """Share naming state social order as the main funding source (first row of table 2)."""
    return stats.value(T02, funding_source="state_social_order")


# --- state social order, 2017 -----------------------------------------------------------------------

@fact("ch3")
def sso2017_amount():
    return _q(_sso(2017, "total", "amount"), 1)


@fact("ch3")
def sso2017_central_amount():
    return _sso(2017, "central", "amount")


@fact("ch3")
def sso2017_local_amount():
    return _sso(2017, "local", "amount")


@fact("ch3")
def sso2017_central_admins():
    return _sso(2017, "central", "administrators")


@fact("ch3")
def sso2017_oblast_admins():
    return _sso(2017, "oblast", "administrators")


@fact("ch3")
def sso2017_city_district_admins():
    return _sso(2017, "city_district", "administrators")


@fact("ch3")
def sso2017_projects():
    return _sso(2017, "total", "projects")


@fact("ch3")
def sso2017_central_projects():
    return _sso(2017, "central", "projects")


@fact("ch3")
def sso2017_local_projects():
    return _sso(2017, "local", "projects")


@fact("ch3")
def sso2017_ngos():
    return _sso(2017, "total", "ngos")


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

def _grants(year: int, measure: str) -> Quantity:
    return stats.value(GRANTS, year=str(year), measure=measure)


@fact("ch3")
def grants2017_directions():
    return _grants(2017, "directions")


@fact("ch3")
def grants2017_projects():
    return _grants(2017, "projects")


@fact("ch3")
def grants2017_amount():
    return _grants(2017, "amount")


@fact("ch3")
def grants2018_directions():
    return _grants(2018, "directions")


@fact("ch3")
def grants2018_projects():
    return _grants(2018, "projects_planned")


@fact("ch3")
def grants2018_amount():
    return _grants(2018, "amount_planned")


@fact("ch3")
def grants2018_completed():
    return _grants(2018, "projects_completed")


@fact("ch3")
def grants2018_partly_completed():
    return _grants(2018, "projects_partly_completed")


@fact("ch3")
def grants2019_directions():
    return _grants(2019, "directions")


@fact("ch3")
def grants2019_projects():
    return _grants(2019, "projects_planned")


@fact("ch3")
def grants2019_amount():
    """As the text prints it (the total row of table 6 differs; see the source notes)."""
    return _grants(2019, "amount_planned")


@fact("ch3")
def grants2019_table_amount():
    """The sum of the amounts in the rows of table 6, which the text's total does not match (appendix В)."""
    return _q(stats.value("t06_state_grants_2019", direction="total", measure="amount"), 0)


# --- state social order, 2018 -----------------------------------------------------------------------

@fact("ch3")
def sso2018_amount():
    return _sso(2018, "total", "amount")


@fact("ch3")
def sso2018_growth():
    """Growth on 2017, recomputed from the two amounts (the printed figure is not the growth)."""
    return _q(_sso(2018, "total", "growth"), 0)


@fact("ch3")
def sso2018_local_amount():
    return _sso(2018, "local", "amount")


@fact("ch3")
def sso2018_local_share():
    return _q(_sso(2018, "local", "share_amount"), 0)


@fact("ch3")
def sso2018_projects():
    return _sso(2018, "total", "projects")


@fact("ch3")
def sso2018_central_projects():
    return _sso(2018, "central", "projects")


@fact("ch3")
def sso2018_local_projects():
    return _sso(2018, "local", "projects")


@fact("ch3")
def sso2018_ngos():
    return _sso(2018, "total", "ngos")


@fact("ch3")
def sso2018_central_admins():
    return _sso(2018, "central", "administrators")


@fact("ch3")
def sso2018_oblast_admins():
    return _sso(2018, "oblast", "administrators")


@fact("ch3")
def sso2018_city_admins():
    return _sso(2018, "city", "administrators")


@fact("ch3")
def sso2018_district_admins():
    return _sso(2018, "district", "administrators")


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


def _f18(direction: str, measure: str) -> Quantity:
    return stats.value(SSO_2018, direction=direction, measure=measure)


@fact("ch3")
def sso2018_health_share():
    """Amount printed with the unit slip 'млрд'; only the share is quoted in prose."""
    return _f18("health_healthy_lifestyle", "share_amount")


@fact("ch3")
def sso2018_vulnerable_share():
    """Amount printed with the unit slip 'млрд'; only the share is quoted in prose."""
    return _f18("support_vulnerable_groups", "share_amount")


@fact("ch3")
def sso2018_other_amount():
    return _f18("other_socially_significant", "amount")


@fact("ch3")
def sso2018_other_share():
    return _f18("other_socially_significant", "share_amount")


@fact("ch3")
def sso2018_youth_amount():
    return _f18("youth_policy_children", "amount")


@fact("ch3")
def sso2018_youth_share():
    return _f18("youth_policy_children", "share_amount")


@fact("ch3")
def sso2018_accord_amount():
    return _f18("public_accord_national_unity", "amount")


@fact("ch3")
def sso2018_accord_share():
    return _f18("public_accord_national_unity", "share_amount")


@fact("ch3")
def sso2018_difficult_amount():
    return _f18("difficult_life_situation", "amount")


@fact("ch3")
def sso2018_difficult_share():
    return _f18("difficult_life_situation", "share_amount")


@fact("ch3")
def sso2018_employment_amount():
    return _f18("employment_assistance", "amount")


@fact("ch3")
def sso2018_employment_share():
    return _f18("employment_assistance", "share_amount")


@fact("ch3")
def sso2018_remaining_share():
    """The printed share of the remaining directions (its printed amount is inconsistent; not quoted)."""
    return _f18("remaining_directions", "share_amount")


# --- state social order, 2019 -----------------------------------------------------------------------

@fact("ch3")
def sso2019_amount():
    return _q(_sso(2019, "total", "amount"), 0)


@fact("ch3")
def sso2019_projects():
    return _sso(2019, "total", "projects")


@fact("ch3")
def sso2019_central_bodies():
    return _sso(2019, "central", "administrators")


@fact("ch3")
def sso2019_central_projects():
    return _sso(2019, "central", "projects")


@fact("ch3")
def sso2019_central_amount():
    return _sso(2019, "central", "amount")


@fact("ch3")
def sso2019_central_mean():
    """Mean amount per project of central bodies, recomputed from amount and projects."""
    return _q(_sso(2019, "central", "mean_project_amount"), 1)


@fact("ch3")
def sso2019_central_max():
    return _sso(2019, "central", "max_amount")


@fact("ch3")
def sso2019_local_amount():
    return _sso(2019, "local", "amount")


@fact("ch3")
def sso2019_local_projects():
    return _sso(2019, "local", "projects")


@fact("ch3")
def sso2019_oblast_admins():
    """A lower bound: 'more than 100'."""
    return _sso(2019, "oblast", "administrators")


@fact("ch3")
def sso2019_city_district_admins():
    """A lower bound: 'more than 300'."""
    return _sso(2019, "city_district", "administrators")


def _f19(direction: str, measure: str) -> Quantity:
    return stats.value(SSO_2019, direction=direction, measure=measure)


@fact("ch3")
def sso2019_vulnerable_amount():
    return _q(_f19("support_vulnerable_groups", "amount"), 3)


@fact("ch3")
def sso2019_vulnerable_share():
    return _f19("support_vulnerable_groups", "share_amount")


@fact("ch3")
def sso2019_youth_share():
    """Amount printed garbled ('1, 348,5 млрд'); only the share is quoted in prose."""
    return _f19("youth_policy_children", "share_amount")


@fact("ch3")
def sso2019_accord_amount():
    return _f19("public_accord_national_unity", "amount")


@fact("ch3")
def sso2019_accord_share():
    return _f19("public_accord_national_unity", "share_amount")


@fact("ch3")
def sso2019_education_amount():
    return _f19("education_science_sport", "amount")


@fact("ch3")
def sso2019_education_share():
    return _f19("education_science_sport", "share_amount")


@fact("ch3")
def sso2019_employment_amount():
    return _f19("employment_assistance", "amount")


@fact("ch3")
def sso2019_civil_society_amount():
    return _f19("civil_society_development", "amount")


@fact("ch3")
def sso2019_civil_society_share():
    return _f19("civil_society_development", "share_amount")


@fact("ch3")
def sso2019_difficult_amount():
    return _f19("difficult_life_situation", "amount")


@fact("ch3")
def sso2019_difficult_share():
    return _f19("difficult_life_situation", "share_amount")


@fact("ch3")
def sso2019_culture_amount():
    """Printed without a unit; million tenge assumed in the data."""
    return _f19("culture_arts", "amount")


@fact("ch3")
def sso2019_culture_share():
    return _f19("culture_arts", "share_amount")


@fact("ch3")
def sso2019_health_share():
    return _f19("health_healthy_lifestyle", "share_amount")


# --- budget -----------------------------------------------------------------------------------------

@fact("ch3")
def budget_mean():
    return stats.value(MEANS, indicator="budget_mean")


@fact("ch3")
def budget_up_to_4m_share():
    return stats.value(D15, budget_class="up_to_4m")


@fact("ch3")
def budget_up_to_4m_label():
    return Label("budget_class", "up_to_4m")


@fact("ch3")
def budget_from_12m_share():
    """A lower bound ('more than 15%') for the classes from 12 million up."""
    return _q(stats.value(D15, budget_class="from_12m"), 0)


@fact("ch3")
def budget_from_12m_label():
    return Label("budget_class", "from_12m")


# --- premises, car, strategic plan ------------------------------------------------------------------

@fact("ch3")
def office_rented_share():
    return stats.value(OFFICE_CAR, asset="office", tenure="rented")


@fact("ch3")
def office_none_share():
    return stats.value(OFFICE_CAR, asset="office", tenure="none")


@fact("ch3")
def office_own_share():
    return stats.value(OFFICE_CAR, asset="office", tenure="own")


@fact("ch3")
def car_share():
    """NGOs with a car, own or rented (the only car figure printed)."""
    return _q(stats.value(OFFICE_CAR, asset="car", tenure="own_or_rented"), 1)


@fact("ch3")
def car_none_share():
    """NGOs without a car: the complement of the printed share with a car (the source: "more than three
    quarters")."""
    return stats.computed(100.0 - car_share().value, "percent", car_share(), decimals=1)


@fact("ch3")
def strategic_plan_yes_share():
    return stats.value(PLAN, answer="yes")


@fact("ch3")
def strategic_plan_no_share():
    return _q(stats.value(PLAN, answer="no"), 1)
