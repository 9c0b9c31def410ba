"""Introduction: who prepared the report and how, definitions of civil society."""

from __future__ import annotations

from . import rows

MILESTONES = "x_milestones"


rows("intro", MILESTONES,
     # The year the draft Concept of civil-society development was discussed (throughout 2019).
     draft_concept_year=dict(milestone="concept_draft_discussion"))
