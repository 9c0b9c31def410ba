"""Conclusion: the seventeen findings of the study.

Where the conclusion states a figure differently from the body (500 beneficiaries per NGO against 448 in
section 2; 6-7 volunteers against a mean of 4 over all NGOs), the conclusion's figure is used as it is
stated there (x_conclusion, or the body's row that holds it)."""

from __future__ import annotations

from helpers.facts import declared, rows
from helpers.facts.claims import above, all_of, at_least, at_most, claims, not_checkable, row

C = "x_conclusion"
MILESTONES = "x_milestones"


# --- 1. the typical NGO ---------------------------------------------------------------------------
rows("conclusion", 'd03_projects_per_year',
     # Mean number of projects a year (section 2; 'two or three' in the conclusion).
     projects_mean=dict(projects_per_year="mean"))


rows("conclusion", 'x_ngo_capacity_means',
     # Mean permanent staff over all NGOs (section 3; 'four' in the conclusion).
     staff_mean=dict(indicator="staff_mean_all"),
     budget_mean=dict(indicator="budget_mean"))


rows("conclusion", C,
     strong_share_low=dict(indicator="strong_ngos_share", bound="low"),
     strong_share_high=dict(indicator="strong_ngos_share", bound="high"),
     strong_min_projects=dict(indicator="strong_ngos_min_projects", bound="low"),
     strong_min_budget=dict(indicator="strong_ngos_min_budget", bound="low"))


# --- 3. volunteers ----------------------------------------------------------------------------------
rows("conclusion", 'd28_volunteers_per_ngo',
     # Mean number of volunteers as the conclusion states it ('6-7'), lower bound.
     volunteers_low=dict(volunteers="at_least_one", measure="mean_lower"),
     volunteers_high=dict(volunteers="at_least_one", measure="mean_upper"))


rows("conclusion", C,
     ngos_with_volunteers=dict(indicator="ngos_with_volunteers_share", bound="point"),
     population_volunteering=dict(indicator="population_volunteering_share", bound="point"))


# --- 4. infrastructure ------------------------------------------------------------------------------
rows("conclusion", 'x_office_car',
     own_office=dict(asset="office", tenure="own"),
     rented_office=dict(asset="office", tenure="rented"),
     car=dict(asset="car", tenure="own_or_rented"))


# --- 5. strategic plans -----------------------------------------------------------------------------
rows("conclusion", 'x_strategic_plan',
     strategic_plan=dict(answer="yes"))


# --- 6. relations with the population ---------------------------------------------------------------
rows("conclusion", 'd21_ngo_population_relations',
     population_relations_positive=dict(answer="positive_total"))


rows("conclusion", C,
     # As the conclusion states it (section 2 gives 448).
     beneficiaries_per_ngo=dict(indicator="beneficiaries_per_ngo", bound="point"))


# --- 7. relations between NGOs ----------------------------------------------------------------------
rows("conclusion", 'd22_relations_between_ngos',
     ngo_partnership=dict(answer="developed_partnership"),
     ngo_competition=dict(answer="high_competition"))


# --- 8. participation of the population -------------------------------------------------------------
rows("conclusion", 'x_participation_self_assessment',
     participation_positive=dict(answer="positive_total"))


rows("conclusion", 'd29_civil_society_obstacles',
     obstacle_passivity=dict(problem="population_passivity"),
     obstacle_awareness=dict(problem="low_awareness"))


# --- 9. new initiatives (durations: unit "count", since the "year" unit prints whole calendar years) ------
rows("conclusion", C, unit="count",
     # New initiatives appeared 'over the last one and a half to two years'.
     new_initiatives_low=dict(indicator="new_initiatives_period", bound="low"),
     new_initiatives_high=dict(indicator="new_initiatives_period", bound="high"))


# --- 10. funding --------------------------------------------------------------------------------------
rows("conclusion", MILESTONES,
     sso_introduced_year=dict(milestone="state_social_order_introduced"))


rows("conclusion", C, unit="count",
     # Long-term SSO funding 'up to three years' (a duration, printed without the 'year' unit).
     long_term_funding_years=dict(indicator="long_term_sso_funding_max", bound="high"))


# --- 11. registered organisations ---------------------------------------------------------------------
rows("conclusion", C,
     registered_low=dict(indicator="registered_organisations", bound="low"),
     registered_high=dict(indicator="registered_organisations", bound="high"))


# --- 12. legal framework -------------------------------------------------------------------------------
rows("conclusion", MILESTONES,
     legislation_since_year=dict(milestone="legislative_changes_2015"),
     functions_law_year=dict(milestone="state_functions_transfer_law"),
     functions_transfer_year=dict(milestone="state_functions_transfer_start"))


# --- 13. dialogue -----------------------------------------------------------------------------------------
rows("conclusion", MILESTONES,
     civil_forum_year=dict(milestone="civil_forum_viii"))


# --- 17. new forms of interaction ---------------------------------------------------------------------------
rows("conclusion", MILESTONES,
     ppp_year=dict(milestone="ppp_cooperation_examples"))


# --- claims of the prose: its comparisons, checked against the data ---------------------------------
# Numbers here are the words of the sentences ("more than half" is 50, "about half" from two fifths to
# three fifths), never data.

def _about_half(dataset: str, **key):
    return all_of(at_least(row(dataset, **key), 40), at_most(row(dataset, **key), 60))


F = declared("conclusion")  # the facts above that are rows of a table, as operands
claims("conclusion",
       population_volunteering_high=at_least(F.population_volunteering, row("x_volunteering_benchmark", bound="low")),
       rented_over_half=above(row("x_office_car", asset="office", tenure="rented"), 50),
       population_relations_highest=all_of(
           above(row("d21_ngo_population_relations", answer="positive_total"),
                 row("d18_ngo_state_relations", answer="positive_total")),
           above(row("d21_ngo_population_relations", answer="positive_total"),
                 row("d20_ngo_business_relations", answer="positive_total"))),
       interaction_about_half=all_of(_about_half("x_information_mailouts", mailout_role="sends"),
                                     _about_half("x_information_mailouts", mailout_role="receives"),
                                     _about_half("d23_trainings", training_role="organises"),
                                     _about_half("d23_trainings", training_role="attends")))

not_checkable("conclusion",
              bare_necessities="the authors' summary judgement of the typical organisation",
              equipment_every_second="the source prints no share of the organisations short of equipment "
                                     "(d16_material_equipment is a gap)",
              budget_staff_projects_linked="a link found by the authors' correlation analysis of the survey "
                                           "answers, which the data does not hold",
              strong_group_definition="the bounds define the group the sentence describes; the data holds no "
                                      "count of the organisations above both",
              planning_shows_maturity="the authors' judgement of what planning shows",
              sso_more_convenient="the organisations' views of state social order and grants, gathered in "
                                  "interviews the data does not hold",
              registered_trend="the data holds only the range of the counts of recent years, not their series",
              monitoring_role_grew="a view of the sector's representatives and experts, not a series of values",
              untapped_potential="the authors' overall conclusion and recommendation",
              sso_largest_by_volume="the data holds the amounts of state social order and state grants, not of "
                                    "the other sources of funding",
              deeper_impact_analysis="a tendency in the sector's discussions, not a series of values")
