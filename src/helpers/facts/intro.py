"""Introduction: who prepared the report and how, definitions of civil society."""

from __future__ import annotations

from .. import stats
from . import fact

MILESTONES = "x_milestones"


@fact("intro")
def draft_concept_year():
    """The year the draft Concept of civil-society development was discussed (throughout 2019)."""
    return stats.value(MILESTONES, milestone="concept_draft_discussion")
