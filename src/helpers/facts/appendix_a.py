"""Appendix A: the beneficiaries' assessment of the state social order (beneficiary survey)."""

from __future__ import annotations

from .. import stats
from . import fact

AWARE = "b_sso_awareness"
PROBLEMS = "b_interaction_problems"
OUTCOMES = "b_project_outcomes"
SATISFACTION = "b_satisfaction"
NEEDS = "b_sso_real_needs"
WIN = "b_win_factors"


@fact("appendix_a")
def aware():
    """Know or have heard that NGOs implement the state social order."""
    return stats.value(AWARE, answer="aware")


@fact("appendix_a")
def not_aware():
    """Do not know or found it hard to answer (a printed combined share)."""
    return stats.value(AWARE, answer="not_aware_or_dont_know")


@fact("appendix_a")
def problem_awareness():
    return stats.value(PROBLEMS, problem="low_awareness")


@fact("appendix_a")
def problem_understanding():
    return stats.value(PROBLEMS, problem="not_understanding_ngo_role")


@fact("appendix_a")
def problem_unprofessionalism():
    return stats.value(PROBLEMS, problem="ngo_unprofessionalism")


@fact("appendix_a")
def nothing_changed():
    return stats.value(OUTCOMES, question="life_change", answer="nothing_changed")


@fact("appendix_a")
def outcome_dont_know():
    return stats.value(OUTCOMES, question="life_change", answer="dont_know")


@fact("appendix_a")
def satisfaction_mean():
    """Mean satisfaction on a five-point scale."""
    return stats.value(SATISFACTION, measure="mean")


@fact("appendix_a")
def real_needs():
    return stats.value(NEEDS, opinion="sso_based_on_real_needs")


@fact("appendix_a")
def win_corruption():
    return stats.value(WIN, factor="corruption_connections")


@fact("appendix_a")
def win_experience():
    return stats.value(WIN, factor="experience_qualification")


@fact("appendix_a")
def win_quality():
    return stats.value(WIN, factor="high_quality_applications")
