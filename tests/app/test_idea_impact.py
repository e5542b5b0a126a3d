"""The impact block on the idea page: each target metric's estimate, CI, p-value, method, pre-trend and verdict
with its series chart; "not enough data" as words, never a number; nothing measured for people who may not
see impact or ideas not launched."""

from __future__ import annotations

import json

from tests.app.conftest import all_text, as_role, assert_clean, login, open_page, open_tab
from tests.app.impact_data import build_portfolio, chart_data


def idea_page(role: str, idea_id: int):
    """The idea page with its Impact tab open (only the open tab runs)."""
    at = open_tab(open_page(as_role(role), "idea", id=idea_id), "Impact")
    assert_clean(at)
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def badges(at) -> list[str]:
    return [json.loads(b.proto.body) if b.proto.body.startswith('"') else b.proto.body
            for b in at.get("markdown") if "badge" in b.proto.body]


def test_an_executive_sees_the_measured_effect_with_its_interval_method_and_verdict(org):
    p = build_portfolio(org)
    at = idea_page("executive", p.improved)

    shown = metrics(at)
    effect = float(shown["Effect"].split()[0])
    low, high = (float(x.split()[0]) for x in shown["95% confidence interval (seconds)"].split(" to "))
    assert low < effect < high and low < -25 < high and high < -5  # seconds of handle time saved
    assert shown["p-value"] == "< 0.001"
    assert shown["Launch date"] == "2025-03-05" and shown["Pilot teams"] == "Team T0, Team T1"  # by name
    text = all_text(at)
    assert "Method: Difference-in-differences" in text and "pre-trend p" in text
    assert any("Improved" in b for b in badges(at))
    groups = {r.get("group") for c in at.get("vega_lite_chart") for r in chart_data(c.proto)}
    assert {"Pilot teams", "Comparison teams"} <= groups, "the weekly series chart is drawn"


def test_each_verdict_is_explained_in_a_sentence_beside_the_plain_comparison_and_the_smallest_detectable_effect(
    org,
):
    p = build_portfolio(org)
    text = all_text(idea_page("executive", p.improved))

    assert "The pilot teams got better than the comparison teams, beyond their own trend" in text
    assert "Plain comparison: better, if the pilot teams were not already drifting apart from the others" in text
    assert "Smallest detectable effect:" in text and "seconds" in text
    assert "may be biased" not in text


def test_no_clear_change_says_what_effect_the_data_could_have_shown(org):
    p = build_portfolio(org)
    text = all_text(idea_page("executive", p.unchanged))

    assert "No change beyond chance yet" in text
    assert "An effect smaller than that would likely go unnoticed: too little data to tell." in text


def test_a_worsened_idea_says_so(org):
    p = build_portfolio(org)
    at = idea_page("manager", p.worsened)
    assert any("Worsened" in b for b in badges(at))
    assert float(metrics(at)["Effect"].split()[0]) < 0


def test_not_enough_data_is_said_in_words_with_no_number(org):
    p = build_portfolio(org)
    at = idea_page("admin", p.no_data)
    assert any("Not enough data" in b for b in badges(at))
    assert "Not enough data to measure this yet" in all_text(at)
    assert "Effect" not in metrics(at) and "p-value" not in metrics(at)


def test_the_hero_who_proposed_an_idea_sees_its_measured_impact(org):
    p = build_portfolio(org)
    at = idea_page("frontline", p.improved)  # fran submitted it
    assert any("Improved" in b for b in badges(at))
    assert "Effect" in metrics(at)


def test_people_who_may_not_see_impact_are_told_who_may(org):
    p = build_portfolio(org)
    at = open_tab(open_page(login("frank@example.com"), "idea", id=p.improved), "Impact")  # fran's teammate
    assert_clean(at)
    assert "Measured impact is shown to the idea's submitter, executives, managers and admins." in all_text(at)
    assert "Effect" not in metrics(at)


def test_an_idea_not_launched_has_no_measurement_yet(org):
    p = build_portfolio(org)
    at = idea_page("executive", p.not_launched)
    assert "this idea has not been launched" in all_text(at)
    assert metrics(at)["Launch date"] == "not launched"


def test_a_retired_pilot_is_not_measured_and_says_why(org):
    from tests.app.impact_data import LAUNCH
    from tests.impact.factories import launched_idea

    build_portfolio(org)
    retired = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=("T5",), metrics=("aht",),
                            title="Retired after its pilot", state="retired", launch=LAUNCH)
    at = idea_page("executive", retired)
    assert "impact is measured for ideas that are piloting, scaling or scaled" in all_text(at)
    assert "Effect" not in metrics(at)


def test_only_the_open_tab_runs_so_the_estimates_wait_until_someone_opens_impact(org):
    p = build_portfolio(org)
    at = open_page(as_role("executive"), "idea", id=p.improved)
    assert_clean(at)
    assert "Effect" not in metrics(at)  # the Timeline tab is open: the estimator did not run
    assert "(from the audit trail)" in all_text(at)
    at = open_tab(at, "Impact")
    assert_clean(at)
    assert "Effect" in metrics(at)
    assert "(from the audit trail)" not in all_text(at)


def test_without_comparison_teams_the_change_cannot_be_attributed_and_the_plain_tier_names_its_assumption(org):
    from tests.app.impact_data import LAUNCH, daily, store
    from tests.impact.factories import launched_idea

    build_portfolio(org)
    pilots_only = daily("nps", pilots=("T5",), effect=10.0, base=30.0, noise=2.0, spread=5.0, seed=4)
    store(org, pilots_only[pilots_only["team"] == "T5"])  # nobody else reports NPS
    idea = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=("T5",), metrics=("nps",),
                         title="Warm transfer", launch=LAUNCH)

    at = idea_page("executive", idea)
    text = all_text(at)
    assert any("Cannot be attributed" in b for b in badges(at))
    assert "cannot be attributed to the idea" in text
    assert "Plain comparison: better, if nothing else changed for the pilot teams at the same time" in text
    assert "Effect" not in metrics(at)  # no headline number for a change nothing ties to the idea
