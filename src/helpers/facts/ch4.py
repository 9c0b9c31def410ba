"""Chapter 4: links and communications (social capital) of NGOs."""

from __future__ import annotations

from .. import stats
from . import fact

D18 = "d18_ngo_state_relations"
D19 = "d19_ngo_state_interaction_frequency"
D20 = "d20_ngo_business_relations"
D21 = "d21_ngo_population_relations"
D22 = "d22_relations_between_ngos"
D23 = "d23_trainings"
PARTNERS = "x_project_partners"
MAILOUTS = "x_information_mailouts"
COALITIONS = "x_coalition_membership"


# --- NGOs and the state (diagrams 18, 19) -------------------------------------------------------

@fact("ch4")
def state_positive():
    """Combined share of 'excellent' or 'good' assessments of NGO-state relations (as printed)."""
    return stats.value(D18, answer="positive_total")


@fact("ch4")
def state_good_improving():
    """'Good relations with a tendency to further improvement', the most frequent answer."""
    return stats.value(D18, answer="good_improving")


@fact("ch4")
def state_negative():
    return stats.value(D18, answer="negative_total")


@fact("ch4")
def freq_monthly():
    return stats.value(D19, answer="at_least_monthly")


@fact("ch4")
def freq_quarterly():
    """At least once a quarter (a cumulative share that includes the monthly one)."""
    return stats.value(D19, answer="at_least_quarterly")


@fact("ch4")
def freq_never():
    return stats.value(D19, answer="never")


@fact("ch4")
def freq_case_by_case():
    return stats.value(D19, answer="case_by_case")


# --- NGOs and business, NGOs and the population (diagrams 20, 21) ---------------------------------

@fact("ch4")
def business_positive():
    return stats.value(D20, answer="positive_total")


@fact("ch4")
def business_negative():
    return stats.value(D20, answer="negative_total")


@fact("ch4")
def population_positive():
    return stats.value(D21, answer="positive_total")


@fact("ch4")
def population_rather_good():
    return stats.value(D21, answer="rather_good")


@fact("ch4")
def population_negative():
    return stats.value(D21, answer="negative_total")


# --- relations between NGOs (diagram 22), partners, mail-outs --------------------------------------

@fact("ch4")
def ngo_partnership():
    return stats.value(D22, answer="developed_partnership")


@fact("ch4")
def ngo_weak_ties():
    return stats.value(D22, answer="weak_ties")


@fact("ch4")
def ngo_competition():
    return stats.value(D22, answer="high_competition")


@fact("ch4")
def partner_state():
    return stats.value(PARTNERS, partner="state")


@fact("ch4")
def partner_ngos():
    return stats.value(PARTNERS, partner="other_ngos")


@fact("ch4")
def partner_business():
    return stats.value(PARTNERS, partner="business")


@fact("ch4")
def partner_international():
    return stats.value(PARTNERS, partner="international_foundations")


@fact("ch4")
def partner_other():
    return stats.value(PARTNERS, partner="other")


@fact("ch4")
def mailouts_receive():
    """Share of NGOs receiving information mail-outs (the senders are 'every second', said in words)."""
    return stats.value(MAILOUTS, mailout_role="receives")


# --- trainings (diagram 23) and coalitions ---------------------------------------------------------

@fact("ch4")
def trainings_organise():
    return stats.value(D23, training_role="organises")


@fact("ch4")
def trainings_attend():
    return stats.value(D23, training_role="attends")


@fact("ch4")
def coalition_member():
    return stats.value(COALITIONS, answer="participates")


@fact("ch4")
def coalition_not_member():
    return stats.value(COALITIONS, answer="does_not_participate")
