"""Chapter 4: links and communications (social capital) of NGOs."""

from __future__ import annotations

from helpers.facts import rows
from helpers.facts.claims import (
     about,
     above,
     all_of,
     below,
     claims,
     largest,
     not_checkable,
     ranked,
     ratio_at_least,
     row,
)

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
     mailouts_receive=dict(mailout_role="receives"),
     # The senders: 'practically every second organisation', given only in words (x-precision).
     mailouts_send=dict(mailout_role="sends"))


# --- trainings (diagram 23) and coalitions ---------------------------------------------------------

rows("ch4", D23,
     trainings_organise=dict(training_role="organises"),
     trainings_attend=dict(training_role="attends"))


rows("ch4", COALITIONS,
     coalition_member=dict(answer="participates"),
     coalition_not_member=dict(answer="does_not_participate"))


# --- claims of the prose: its comparisons, checked against the data ---------------------------------
# Numbers here are the words of the sentences ("a tenth" is 10, "half" 50, "several times" 2), never data.

claims("ch4",
       state_negative_tenth=below(row(D18, answer="negative_total"), 10),
       business_less_positive=all_of(below(row(D20, answer="positive_total"), row(D18, answer="positive_total")),
                                     below(row(D20, answer="positive_total"), 50)),
       population_most_positive=all_of(above(row(D21, answer="positive_total"), row(D18, answer="positive_total")),
                                       above(row(D21, answer="positive_total"), row(D20, answer="positive_total"))),
       population_negative_fewer=all_of(ratio_at_least(row(D18, answer="negative_total"),
                                                       row(D21, answer="negative_total"), 2),
                                        ratio_at_least(row(D20, answer="negative_total"),
                                                       row(D21, answer="negative_total"), 2)),
       relations_ranking=all_of(above(row(D21, answer="positive_total"), row(D18, answer="positive_total")),
                                above(row(D18, answer="positive_total"), row(D20, answer="positive_total"))),
       partnership_most=largest(D22, "answer", "developed_partnership"),
       partners_ranking=ranked(PARTNERS, "partner", ["state", "other_ngos"]),
       business_international_rarer=all_of(ratio_at_least(row(PARTNERS, partner="other_ngos"),
                                                           row(PARTNERS, partner="business"), 2),
                                            ratio_at_least(row(PARTNERS, partner="other_ngos"),
                                                           row(PARTNERS, partner="international_foundations"), 2)),
       coalitions_every_second=about(row(COALITIONS, answer="participates"), 50, 2))

UNPUBLISHED = "the source prints no values for the other answers (listed in the register of gaps)"

not_checkable("ch4",
              problems_exceed_resources="the authors' reasoning about the resources social problems need",
              state_good_improving_most=UNPUBLISHED,
              population_rather_good_most=UNPUBLISHED,
              competition_answer="the words quote an answer option of the question; the sentence compares nothing",
              mailouts_same_orgs="a cross-tabulation of two questions that the data does not hold",
              coalitions_formal="a description of a form of cooperation, not a comparison of values")
