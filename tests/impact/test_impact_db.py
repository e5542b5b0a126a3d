"""Estimating impact from stored observations (SQLite and PostgreSQL), the portfolio, and `hero impact`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hero_core import impact
from hero_core.cli import main
from hero_core.errors import InvalidInput, NotFound, PermissionDenied
from hero_core.services import impact_reads

from .factories import AHT_TEAMS, LAUNCH, add_teams, launched_idea, store_daily, synthetic_daily, weekly_panel

TRUE_EFFECT = -25.0
ORG_SHIFT = -40.0


@pytest.fixture
def measured(org):
    """Eight teams of aht data with a known effect on T0 and T1 and an organisation-wide shift at launch."""
    add_teams(org.db, AHT_TEAMS)
    daily = synthetic_daily(effect=TRUE_EFFECT, org_shift=ORG_SHIFT)
    store_daily(org.db, daily)
    idea_id = launched_idea(
        org.db, submitter_id=org.frontline, team_code="CC", pilots=("T0", "T1"), metrics=("aht", "csat")
    )
    return org, idea_id, daily


def test_estimates_from_the_database_match_the_pure_estimator_on_the_same_data(measured):
    org, idea_id, daily = measured

    aht, csat = impact_reads.estimate_impact(org.db, idea_id=idea_id, actor_id=org.executive)
    expected = impact.estimate_from_panel(
        weekly_panel(daily), metric="aht", direction="lower", treated_teams=("T0", "T1"), launch_date=LAUNCH
    )

    assert aht.idea_id == idea_id and aht.metric == "aht"
    assert aht.effect == pytest.approx(expected.effect)
    assert (aht.ci_low, aht.ci_high) == pytest.approx((expected.ci_low, expected.ci_high))
    assert aht.ci_low <= TRUE_EFFECT <= aht.ci_high
    assert not aht.ci_low <= TRUE_EFFECT + ORG_SHIFT <= aht.ci_high
    assert aht.verdict == impact.IMPROVED and aht.n_obs == expected.n_obs
    assert aht.comparison_teams == ("T2", "T3", "T4", "T5", "T6", "T7")
    assert csat.verdict == impact.NOT_ENOUGH_DATA and csat.effect is None  # no csat data at all


def test_the_portfolio_estimates_every_launched_idea_and_skips_the_others(measured):
    org, idea_id, _ = measured
    scaled = launched_idea(
        org.db,
        submitter_id=org.frontline,
        team_code="CC",
        pilots=("T2",),
        metrics=("aht",),
        state="scaled",
        title="Callback script",
    )
    launched_idea(
        org.db,
        submitter_id=org.frontline,
        team_code="CC",
        pilots=("T3",),
        metrics=("aht",),
        state="approved",
        launch=None,
        title="Not launched yet",
    )

    results = impact_reads.estimate_portfolio(org.db, actor_id=org.manager)

    assert [(r.idea_id, r.metric) for r in results] == [(idea_id, "aht"), (idea_id, "csat"), (scaled, "aht")]
    assert results[2].verdict == impact.NO_CLEAR_CHANGE  # T2 only shared the organisation-wide shift
    assert results[0].effect == pytest.approx(
        impact_reads.estimate_impact(org.db, idea_id=idea_id, actor_id=None)[0].effect
    )


def test_impact_of_an_idea_that_has_not_launched_is_refused_with_a_reason(org):
    idea_id = launched_idea(
        org.db,
        submitter_id=org.frontline,
        team_code="CC",
        pilots=(),
        metrics=("aht",),
        state="approved",
        launch=None,
    )

    with pytest.raises(InvalidInput, match="has not been launched"):
        impact_reads.estimate_impact(org.db, idea_id=idea_id, actor_id=None)
    with pytest.raises(NotFound):
        impact_reads.estimate_impact(org.db, idea_id=idea_id + 99, actor_id=None)


def test_frontline_staff_may_not_view_impact(org):
    with pytest.raises(PermissionDenied):
        impact_reads.estimate_portfolio(org.db, actor_id=org.frontline)


def test_the_submitter_sees_her_own_ideas_impact_and_a_teammate_does_not(measured):
    org, idea_id, _ = measured
    own = impact_reads.estimate_impact(org.db, idea_id=idea_id, actor_id=org.frontline)
    assert own == impact_reads.estimate_impact(org.db, idea_id=idea_id, actor_id=org.executive)
    with pytest.raises(PermissionDenied, match="the idea's submitter, executives, managers and admins"):
        impact_reads.estimate_impact(org.db, idea_id=idea_id, actor_id=org.frontline_b)


def test_hero_impact_json_prints_one_object_per_target_metric_with_exactly_the_contract_keys(
    measured, monkeypatch
):
    org, idea_id, _ = measured
    monkeypatch.setenv("HERO_DATABASE_URL", org.db.url)

    result = CliRunner().invoke(main, ["impact", str(idea_id), "--json"])

    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["metric"] for r in rows] == ["aht", "csat"]
    assert all(tuple(r) == impact.JSON_KEYS for r in rows)
    assert rows[0]["method"] == "difference-in-differences" and rows[0]["verdict"] == "improved"
    assert rows[0]["ci_low"] <= TRUE_EFFECT <= rows[0]["ci_high"]
    assert rows[1]["verdict"] == "not enough data" and rows[1]["effect"] is None
    # The second tier and the smallest detectable effect ride along (issue 19).
    assert rows[0]["plain_verdict"] == "improved" and rows[0]["plain_reading"].startswith("better, if")
    assert rows[0]["plain_ci_low"] <= TRUE_EFFECT <= rows[0]["plain_ci_high"]
    assert 0 < rows[0]["mde"] < rows[0]["ci_high"] - rows[0]["ci_low"]


def test_hero_impact_prints_a_readable_table_and_fails_cleanly_for_an_unknown_idea(measured, monkeypatch):
    org, idea_id, _ = measured
    monkeypatch.setenv("HERO_DATABASE_URL", org.db.url)
    runner = CliRunner()

    table = runner.invoke(main, ["impact", str(idea_id)])
    missing = runner.invoke(main, ["impact", "9999"])

    assert table.exit_code == 0, table.output
    assert "difference-in-differences" in table.output and "improved" in table.output
    assert "note (csat)" in table.output
    assert "smallest detectable" in table.output
    assert "plain comparison (aht): better, if the pilot teams were not already drifting apart" in table.output
    assert missing.exit_code == 1
    assert "Idea #9999 does not exist" in missing.output and "Traceback" not in missing.output


def test_the_pure_estimator_module_holds_no_database_service():
    """hero_core.impact is the pure estimator; its database services live in impact_reads."""
    assert not hasattr(impact, "estimate_impact") and not hasattr(impact, "_launched_ideas")
    assert callable(impact_reads.estimate_impact) and callable(impact.estimate_arrays)
