"""Appendix A: the beneficiaries' assessment of the state social order (beneficiary survey)."""

from __future__ import annotations

from helpers.facts import rows
from helpers.facts.claims import about, above, claims, not_checkable, ranked, row, smallest

AWARE = "b_sso_awareness"
PROBLEMS = "b_interaction_problems"
OUTCOMES = "b_project_outcomes"
SATISFACTION = "b_satisfaction"
NEEDS = "b_sso_real_needs"
WIN = "b_win_factors"


rows("appendix_a", AWARE,
     # Know or have heard that NGOs implement the state social order.
     aware=dict(answer="aware"),
     # Do not know or found it hard to answer (a printed combined share).
     not_aware=dict(answer="not_aware_or_dont_know"))


rows("appendix_a", PROBLEMS,
     problem_awareness=dict(problem="low_awareness"),
     problem_understanding=dict(problem="not_understanding_ngo_role"),
     problem_unprofessionalism=dict(problem="ngo_unprofessionalism"))


rows("appendix_a", OUTCOMES,
     nothing_changed=dict(question="life_change", answer="nothing_changed"),
     outcome_dont_know=dict(question="life_change", answer="dont_know"),
     # 'Only 2/3 of the participants were personally interested': a fraction, kept as 66.7 (x-precision).
     interested=dict(question="personal_interest", answer="interested"))


rows("appendix_a", SATISFACTION,
     # Mean satisfaction on a five-point scale.
     satisfaction_mean=dict(measure="mean"))


rows("appendix_a", NEEDS,
     real_needs=dict(opinion="sso_based_on_real_needs"))


rows("appendix_a", WIN,
     win_corruption=dict(factor="corruption_connections"),
     win_experience=dict(factor="experience_qualification"),
     win_quality=dict(factor="high_quality_applications"))


# --- claims of the prose: its comparisons, checked against the data ---------------------------------
# Numbers here are the words of the sentences ("the majority" is 50), never data.

claims("appendix_a",
       aware_majority=above(row(AWARE, answer="aware"), 50),
       understanding_second=ranked(PROBLEMS, "problem", ["low_awareness", "not_understanding_ngo_role"]),
       unprofessionalism_rarest=smallest(PROBLEMS, "problem", "ngo_unprofessionalism"),
       win_corruption_quarter=about(row(WIN, factor="corruption_connections"), 25, 2))  # "a quarter"

not_checkable("appendix_a",
              system_for_people="a principle the authors state, not a comparison of values",
              solved_majority="the source prints no value for the answer (listed in the register of gaps)",
              sso_quality_high="the authors' judgement of a value the sentence prints; the data holds no benchmark",
              quality_answer="the words quote an answer option and judge its share; no benchmark in the data")
