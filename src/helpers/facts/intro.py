"""Introduction: who prepared the report and how, definitions of civil society."""

from __future__ import annotations

from helpers.facts import rows
from helpers.facts.claims import not_checkable

MILESTONES = "x_milestones"


rows("intro", MILESTONES,
     # The year the draft Concept of civil-society development was discussed (throughout 2019).
     draft_concept_year=dict(milestone="concept_draft_discussion"))


# --- claims of the prose ------------------------------------------------------------------------------

not_checkable("intro",
              literature_mostly_translated="a remark on the literature on civil society, not on the data",
              agreement_strengthens="the authors' reasoning on how civil society grows",
              social_capital_for_business="the authors' reasoning on what civil society gives business")
