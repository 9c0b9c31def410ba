"""Chapter 1: preconditions of development and the current situation."""

from __future__ import annotations

from helpers.core import stats
from helpers.facts import fact, rows
from helpers.facts.claims import not_checkable

MILESTONES = "x_milestones"
SURVEY_2013 = "x_survey_2013"


def _year(milestone: str):
    return stats.value(MILESTONES, milestone=milestone)


rows("ch1", MILESTONES,
     # The decade at whose end civil society began to grow fast (printed 'from the end of the 1990s').
     growth_decade=dict(milestone="civil_society_growth_late_1990s"),
     # Law on non-commercial organisations adopted.
     law_year=dict(milestone="law_non_commercial_organisations"),
     # Internal policy departments appeared.
     departments_year=dict(milestone="internal_policy_departments"),
     # The Civil Forum held.
     forum_year=dict(milestone="civil_forum_held"),
     # The Concept of civil-society development: approved by decree, first year of its period.
     concept_start=dict(milestone="civil_society_concept_2006_2011"))


@fact("ch1")
def concept_end():
    """Last year of the Concept, after which it lapsed."""
    return _year("civil_society_concept_2006_2011_end")


rows("ch1", MILESTONES,
     # The NGO survey on a new Concept.
     survey_year=dict(milestone="ngo_survey_new_concept"))


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


rows("ch1", MILESTONES,
     forum_viii_year=dict(milestone="civil_forum_viii"),
     # The draft Concept discussed throughout this year.
     draft_discussion_year=dict(milestone="concept_draft_discussion"))


# --- claims of the prose ------------------------------------------------------------------------------

not_checkable("ch1",
              ngos_little_known="the report states it without a survey figure of its own in the data",
              civil_forum_best_known="the report states it without a survey figure of its own in the data")
