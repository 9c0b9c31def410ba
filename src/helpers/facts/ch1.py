"""Chapter 1: preconditions of development and the current situation."""

from __future__ import annotations

from .. import stats
from . import fact, rows

MILESTONES = "x_milestones"
SURVEY_2013 = "x_survey_2013"


def _year(milestone: str):
    return stats.value(MILESTONES, milestone=milestone)


@fact("ch1")
def growth_decade():
    """The decade at whose end civil society began to grow fast (printed 'from the end of the 1990s')."""
    return _year("civil_society_growth_late_1990s")


@fact("ch1")
def law_year():
    """Law on non-commercial organisations adopted."""
    return _year("law_non_commercial_organisations")


@fact("ch1")
def departments_year():
    """Internal policy departments appeared."""
    return _year("internal_policy_departments")


@fact("ch1")
def forum_year():
    """The Civil Forum held."""
    return _year("civil_forum_held")


@fact("ch1")
def concept_start():
    """The Concept of civil-society development: approved by decree, first year of its period."""
    return _year("civil_society_concept_2006_2011")


@fact("ch1")
def concept_end():
    """Last year of the Concept, after which it lapsed."""
    return _year("civil_society_concept_2006_2011_end")


@fact("ch1")
def survey_year():
    """The NGO survey on a new Concept."""
    return _year("ngo_survey_new_concept")


rows("ch1", SURVEY_2013,
     survey_in_favour=dict(answer="in_favour"),
     survey_against=dict(answer="against"))


@fact("ch1")
def revival_year():
    """The question of a Concept raised again."""
    return _year("concept_issue_raised_again")


@fact("ch1")
def years_without_concept():
    """Years between the Concept's end and the revival of the question ('seven years later')."""
    return stats.difference(revival_year(), concept_end())


@fact("ch1")
def forum_viii_year():
    return _year("civil_forum_viii")


@fact("ch1")
def draft_discussion_year():
    """The draft Concept discussed throughout this year."""
    return _year("concept_draft_discussion")
