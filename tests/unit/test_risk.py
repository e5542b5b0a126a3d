"""Risk scores (likelihood x impact, overall = highest), rating validation, effort-value categories."""

from __future__ import annotations

import pytest

from hero_core import risk
from hero_core.risk import EffortValue, Rating

CATS = ["customer_brand", "legal_compliance", "data_privacy", "operational", "financial"]


def all_rated(likelihood: int = 1, impact: int = 1) -> list[Rating]:
    return [Rating(c, likelihood, impact) for c in CATS]


def ev(**changes) -> EffortValue:
    base = dict(
        needs_it=False,
        needs_legal=False,
        budget="none",
        people_systems_touched=0,
        customers_reached="few",
        expected_change="none",
        strategic_fit="low",
    )
    return EffortValue(**(base | changes))


def test_the_five_categories_are_the_ones_managers_rate():
    assert list(risk.CATEGORIES) == CATS


def test_category_score_is_likelihood_times_impact():
    assert Rating("financial", 3, 4).score == 12


def test_overall_is_the_highest_product_not_the_sum_or_the_highest_factor():
    ratings = [
        Rating("customer_brand", 5, 1),
        Rating("legal_compliance", 3, 3),
        Rating("data_privacy", 2, 4),
        Rating("operational", 1, 1),
        Rating("financial", 1, 2),
    ]
    assert risk.overall(ratings) == 9


def test_overall_of_no_ratings_is_zero():
    assert risk.overall([]) == 0


@pytest.mark.parametrize(
    ("score", "band", "high"),
    [
        (1, "low", False),
        (7, "low", False),
        (8, "medium", False),
        (14, "medium", False),
        (15, "high", True),
        (16, "high", True),
        (25, "high", True),
    ],
)
def test_bands_and_the_high_risk_threshold_at_fifteen(score, band, high):
    assert risk.band(score) == band
    assert risk.is_high(score) is high


def test_complete_valid_ratings_have_no_problems():
    assert risk.validate_ratings(all_rated(5, 5)) == []


def test_missing_categories_are_named():
    problems = risk.validate_ratings(all_rated()[:3])
    assert problems == ["Every category needs a rating; missing: Operational, Financial"]


def test_unknown_category_is_named_with_the_allowed_ones():
    problems = risk.validate_ratings([*all_rated(), Rating("weather", 1, 1)])
    assert problems == [f"risk category 'weather' is unknown; use one of {', '.join(CATS)}"]


def test_a_category_rated_twice_is_refused():
    problems = risk.validate_ratings([*all_rated(), Rating("financial", 2, 2)])
    assert problems == ["Financial is rated twice"]


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "3", True, None])
def test_likelihood_and_impact_must_be_whole_numbers_from_one_to_five(bad):
    ratings = all_rated()
    ratings[1] = Rating("legal_compliance", bad, 3)
    ratings[2] = Rating("data_privacy", 3, bad)
    assert risk.validate_ratings(ratings) == [
        "Rate the likelihood of Legal / compliance from 1 to 5",
        "Rate the impact of Data security / privacy from 1 to 5",
    ]


def test_overlong_mitigation_is_refused():
    ratings = all_rated()
    ratings[0] = Rating("customer_brand", 1, 1, "x" * 4001)
    assert risk.validate_ratings(ratings) == [
        "Customer / brand: mitigation is longer than 4,000 characters (it has 4,001)"]
    ratings[0] = Rating("customer_brand", 1, 1, "x" * 4000)
    assert risk.validate_ratings(ratings) == []


# ---- effort-value ------------------------------------------------------------------------------------------


def test_effort_score_adds_it_legal_budget_and_reach_into_systems():
    assert ev().effort_score == 0
    assert (
        ev(needs_it=True, needs_legal=True, budget="over_50k", people_systems_touched=51).effort_score == 10
    )


@pytest.mark.parametrize(("touched", "points"), [(0, 0), (2, 0), (3, 1), (10, 1), (11, 2), (50, 2), (51, 3)])
def test_people_and_systems_touched_add_effort_in_steps(touched, points):
    assert ev(people_systems_touched=touched).effort_score == points


def test_value_score_adds_reach_change_and_fit():
    assert ev().value_score == 0
    assert (
        ev(customers_reached="all_customers", expected_change="large", strategic_fit="core").value_score == 9
    )


@pytest.mark.parametrize(
    ("effort_kw", "value_kw", "category"),
    [
        # effort 4 is still little effort; value 5 is the first "clear" value.
        (
            dict(needs_it=True, budget="5k_50k"),
            dict(customers_reached="many_teams", expected_change="clear", strategic_fit="some"),
            "no_brainer",
        ),
        (
            dict(needs_it=True, budget="5k_50k"),
            dict(customers_reached="many_teams", expected_change="clear"),
            "quick_experiment",
        ),
        (
            dict(needs_it=True, budget="under_5k", people_systems_touched=11),
            dict(customers_reached="many_teams", expected_change="clear", strategic_fit="some"),
            "sponsored_project",
        ),
        (
            dict(needs_it=True, needs_legal=True, budget="under_5k"),
            dict(customers_reached="many_teams", expected_change="clear"),
            "shadow_it",
        ),
        ({}, {}, "quick_experiment"),
    ],
)
def test_effort_value_category_follows_the_quadrants(effort_kw, value_kw, category):
    e = ev(**effort_kw, **value_kw)
    assert e.category == category
    assert category in risk.EV_CATEGORIES and category in risk.EV_LABELS


def test_effort_value_quadrant_boundaries_are_effort_four_and_value_five():
    low_effort = dict(needs_it=True, needs_legal=True)  # 4
    high_effort = dict(needs_it=True, needs_legal=True, budget="under_5k")  # 5
    high_value = dict(customers_reached="all_customers", expected_change="small", strategic_fit="some")  # 5
    low_value = dict(customers_reached="all_customers", expected_change="small")  # 4
    assert (ev(**low_effort).effort_score, ev(**high_effort).effort_score) == (4, 5)
    assert (ev(**high_value).value_score, ev(**low_value).value_score) == (5, 4)
    assert ev(**low_effort, **high_value).category == "no_brainer"
    assert ev(**low_effort, **low_value).category == "quick_experiment"
    assert ev(**high_effort, **high_value).category == "sponsored_project"
    assert ev(**high_effort, **low_value).category == "shadow_it"


def test_effort_value_problems_name_each_bad_choice():
    bad = ev(
        budget="lots",
        customers_reached="everyone",
        expected_change="huge",
        strategic_fit="meh",
        people_systems_touched=-1,
    )
    assert bad.problems() == [
        "Budget: choose No budget, Under 5k, 5k - 50k or Over 50k",
        "Customers reached: choose A few customers, Customers of one team, Customers of many teams or All our "
        "customers",
        "Expected metric change: choose None expected, Small, Clear or Large",
        "Strategic fit: choose Low, Some, Strong or Core to our strategy",
        "People and systems touched: enter a whole number from 0 to 100,000",
    ]
    assert ev().problems() == []


def test_an_unanswered_effort_value_question_is_named_by_its_label_never_as_none():
    problems = ev(budget=None, strategic_fit=None).problems()
    assert problems == ["Budget: choose No budget, Under 5k, 5k - 50k or Over 50k",
                        "Strategic fit: choose Low, Some, Strong or Core to our strategy"]
    assert not any("None" in p for p in problems)


@pytest.mark.parametrize("touched", [100_001, 1.5, True, "3"])
def test_people_and_systems_touched_must_be_a_sensible_whole_number(touched):
    assert ev(people_systems_touched=touched).problems() == [
        "People and systems touched: enter a whole number from 0 to 100,000"
    ]
