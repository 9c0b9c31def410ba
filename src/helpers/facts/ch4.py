"""Chapter 4: links and communications (social capital) of NGOs."""

from __future__ import annotations

from . import rows

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

rows("ch4", D18,
     # Combined share of 'excellent' or 'good' assessments of NGO-state relations (as printed).
     state_positive=dict(answer="positive_total"),
     # 'Good relations with a tendency to further improvement', the most frequent answer.
     state_good_improving=dict(answer="good_improving"),
     state_negative=dict(answer="negative_total"))


rows("ch4", D19,
     freq_monthly=dict(answer="at_least_monthly"),
     # At least once a quarter (a cumulative share that includes the monthly one).
     freq_quarterly=dict(answer="at_least_quarterly"),
     freq_never=dict(answer="never"),
     freq_case_by_case=dict(answer="case_by_case"))


# --- NGOs and business, NGOs and the population (diagrams 20, 21) ---------------------------------

rows("ch4", D20,
     business_positive=dict(answer="positive_total"),
     business_negative=dict(answer="negative_total"))


rows("ch4", D21,
     population_positive=dict(answer="positive_total"),
     population_rather_good=dict(answer="rather_good"),
     population_negative=dict(answer="negative_total"))


# --- relations between NGOs (diagram 22), partners, mail-outs --------------------------------------

rows("ch4", D22,
     ngo_partnership=dict(answer="developed_partnership"),
     ngo_weak_ties=dict(answer="weak_ties"),
     ngo_competition=dict(answer="high_competition"))


rows("ch4", PARTNERS,
     partner_state=dict(partner="state"),
     partner_ngos=dict(partner="other_ngos"),
     partner_business=dict(partner="business"),
     partner_international=dict(partner="international_foundations"),
     partner_other=dict(partner="other"))


rows("ch4", MAILOUTS,
     # Share of NGOs receiving information mail-outs (the senders are 'every second', said in words).
     mailouts_receive=dict(mailout_role="receives"))


# --- trainings (diagram 23) and coalitions ---------------------------------------------------------

rows("ch4", D23,
     trainings_organise=dict(training_role="organises"),
     trainings_attend=dict(training_role="attends"))


rows("ch4", COALITIONS,
     coalition_member=dict(answer="participates"),
     coalition_not_member=dict(answer="does_not_participate"))
