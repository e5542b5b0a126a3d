"""Read models of the impact page on SQLite and PostgreSQL: portfolio, series, funnel, risk heat map."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from hero_core import impact
from hero_core.errors import InvalidInput, PermissionDenied
from hero_core.models import Campaign
from hero_core.services import impact_views as views
from hero_core.services.impact_views import ViewFilters

from .factories import AHT_TEAMS, AT, LAUNCH, add_teams, assess, launched_idea, store_daily, synthetic_daily


@pytest.fixture
def portfolio_org(org):
    add_teams(org.db, AHT_TEAMS)
    store_daily(org.db, synthetic_daily(effect=-25.0, org_shift=-40.0))
    with org.db.write() as s:
        campaign = Campaign(title="Faster calls", created_at=AT)
        s.add(campaign)
        s.flush()
        campaign_id = campaign.id
    first = launched_idea(
        org.db,
        submitter_id=org.frontline,
        team_code="CC",
        pilots=("T0", "T1"),
        metrics=("aht",),
        campaign_id=campaign_id,
    )
    second = launched_idea(
        org.db,
        submitter_id=org.other_frontline,
        team_code="ST",
        pilots=("T2",),
        metrics=("aht", "csat"),
        title="Store greeting",
        touchpoint="face_to_face",
        launch=LAUNCH + timedelta(days=7),
        state="scaling",
    )
    return org, first, second, campaign_id


def test_the_portfolio_table_has_one_row_per_idea_and_metric_with_its_estimate(portfolio_org):
    org, first, second, _ = portfolio_org

    table = views.portfolio(org.db, actor_id=org.executive)

    assert tuple(table.columns) == views.PORTFOLIO_COLUMNS
    assert list(zip(table["idea_id"], table["metric"], strict=True)) == [
        (second, "aht"),
        (second, "csat"),
        (first, "aht"),
    ]
    row = table[table["idea_id"] == first].iloc[0]
    assert (row["team"], row["touchpoint"], row["campaign"], row["state"]) == (
        "CC",
        "call_centre",
        "Faster calls",
        "piloting",
    )
    assert row["verdict"] == "improved" and row["method"] == "difference-in-differences"
    assert row["ci_low"] <= -25.0 <= row["ci_high"] and row["unit"] == "seconds"


def test_the_portfolio_filters_by_team_touchpoint_campaign_and_launch_period(portfolio_org):
    org, first, second, campaign_id = portfolio_org

    def ids(**kw) -> set[int]:
        return set(views.portfolio(org.db, actor_id=None, filters=ViewFilters(**kw))["idea_id"])

    assert ids(team_codes=("st",)) == {second}
    assert ids(touchpoints=("call_centre",)) == {first}
    assert ids(campaign_ids=(campaign_id,)) == {first}
    assert ids(date_from=LAUNCH + timedelta(days=1)) == {second}
    assert ids(date_to=LAUNCH) == {first}
    assert ids(team_codes=("nobody",)) == set()
    assert views.portfolio(org.db, actor_id=None, filters=ViewFilters(team_codes=("nobody",))).empty


def test_one_ideas_series_splits_pilot_and_comparison_teams_week_by_week(portfolio_org):
    org, first, _, _ = portfolio_org

    series = views.idea_series(org.db, actor_id=org.manager, idea_id=first, metric_code="aht")

    windows = impact.ImpactWindows().bounds(LAUNCH)
    assert series.launch_date == LAUNCH and series.unit == "seconds" and series.direction == "lower"
    assert series.baseline == (windows.baseline_start, windows.baseline_end)
    assert series.evaluation == (windows.eval_start, windows.eval_end)
    data = series.data
    assert list(data.columns) == ["week_start", "group", "value", "teams"]
    assert set(data["group"]) == {views.PILOT, views.COMPARISON}
    assert set(data.loc[data["group"] == views.PILOT, "teams"]) == {2}
    assert set(data.loc[data["group"] == views.COMPARISON, "teams"]) == {6}
    assert all(d.weekday() == 0 for d in data["week_start"])
    assert data["week_start"].min() >= windows.baseline_start - timedelta(days=28 + 6)
    pilots = data[data["group"] == views.PILOT].set_index("week_start")["value"]
    after = pilots[[d for d in pilots.index if d >= LAUNCH + timedelta(days=7)]].mean()
    before = pilots[[d for d in pilots.index if d < LAUNCH - timedelta(days=7)]].mean()
    assert after - before == pytest.approx(-65.0, abs=5.0)


def test_a_series_for_a_metric_the_idea_does_not_target_is_refused(portfolio_org):
    org, first, _, _ = portfolio_org

    with pytest.raises(InvalidInput, match="not one of idea"):
        views.idea_series(org.db, actor_id=None, idea_id=first, metric_code="csat")


def test_the_funnel_counts_a_merged_duplicate_once_as_its_original(org):
    from hero_core.services import duplicates, ideas
    from tests.integration.factories import idea_input

    original = ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(title="Pre-filled form"), submit=True)
    duplicate = ideas.create_idea(org.db, actor_id=org.frontline_b, data=idea_input(title="Form pre-filled"),
                                  submit=True)
    before = views.funnel(org.db, actor_id=org.executive).counts.set_index("stage")["ideas"]["submitted"]
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                               reason="Same roadblock, same fix.")
    after = views.funnel(org.db, actor_id=org.executive).counts.set_index("stage")["ideas"]["submitted"]
    assert (before, after) == (2, 1)


def test_the_funnel_counts_each_stage_and_the_median_days_spent_in_it(org):
    day = timedelta(days=1)
    for k, (review, approved, claimed, piloted) in enumerate(
        [
            (1, 3, None, 6),  # needs no IT: approved -> piloting directly
            (2, 7, 9, 12),
            (4, None, None, None),
            (None, None, None, None),
        ]
    ):
        milestones = {
            "review_started_at": AT + review * day if review else None,
            "approved_at": AT + approved * day if approved else None,
            "claimed_at": AT + claimed * day if claimed else None,
            "piloted_at": AT + piloted * day if piloted else None,
        }
        launched_idea(
            org.db,
            submitter_id=org.frontline,
            team_code="CC",
            pilots=(),
            metrics=(),
            launch=None,
            state="submitted",
            title=f"Idea {k}",
            milestones=milestones,
        )

    view = views.funnel(org.db, actor_id=org.executive)

    assert list(view.counts["stage"]) == [
        "submitted",
        "reviewed",
        "approved",
        "picked_up",
        "piloting",
        "scaled",
    ]
    assert list(view.counts["ideas"]) == [4, 3, 2, 1, 2, 0]
    medians = dict(zip(view.durations["stage"], view.durations["median_days"], strict=True))
    assert medians["submitted"] == pytest.approx(2.0)  # 1, 2, 4 days
    assert medians["reviewed"] == pytest.approx(3.5)  # 2 and 5 days
    assert medians["approved"] == pytest.approx(2.5)  # 3 (to piloting) and 2 (to the claim)
    assert medians["picked_up"] == pytest.approx(3.0)
    assert pd.isna(medians["piloting"])  # no idea has left piloting yet
    assert list(view.durations["ideas"]) == [3, 2, 2, 1, 0]
    later = views.funnel(org.db, actor_id=None, filters=ViewFilters(date_from=date(2025, 2, 1)))
    assert list(later.counts["ideas"]) == [0, 0, 0, 0, 0, 0]


def test_the_risk_heat_map_counts_each_ideas_latest_assessment_by_its_worst_category(org):
    a = launched_idea(
        org.db,
        submitter_id=org.frontline,
        team_code="CC",
        pilots=(),
        metrics=(),
        launch=None,
        state="in_review",
    )
    b = launched_idea(
        org.db,
        submitter_id=org.other_frontline,
        team_code="ST",
        pilots=(),
        metrics=(),
        launch=None,
        state="approved",
    )
    assess(org.db, idea_id=a, assessor_id=org.manager, ratings={"operational": (5, 5)})
    assess(
        org.db,
        idea_id=a,
        assessor_id=org.manager,
        at=AT + timedelta(days=1),
        ratings={"operational": (4, 3), "financial": (3, 4), "customer_brand": (1, 1)},
    )  # tie: impact wins
    assess(
        org.db, idea_id=b, assessor_id=org.other_manager, ratings={"operational": (2, 2), "financial": (1, 5)}
    )

    cells = views.risk_heatmap(org.db, actor_id=org.executive)

    assert len(cells) == 25
    filled = {(r.likelihood, r.impact): r.ideas for r in cells.itertuples() if r.ideas}
    assert filled == {(3, 4): 1, (1, 5): 1}
    assert cells.set_index(["likelihood", "impact"]).loc[(5, 5), "band"] == "high"
    only_st = views.risk_heatmap(org.db, actor_id=None, filters=ViewFilters(team_codes=("ST",)))
    assert {(r.likelihood, r.impact) for r in only_st.itertuples() if r.ideas} == {(1, 5)}


def test_frontline_staff_may_not_open_the_impact_views(org):
    for view in (views.funnel, views.risk_heatmap, views.portfolio):
        with pytest.raises(PermissionDenied):
            view(org.db, actor_id=org.frontline)


def test_a_launched_idea_naming_no_target_metric_stays_in_the_portfolio_as_not_enough_data(portfolio_org):
    org, first, _, _ = portfolio_org
    bare = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=("T3",), metrics=(),
                         title="Friendlier voicemail")

    table = views.portfolio(org.db, actor_id=org.executive)

    row = table[table["idea_id"] == bare].iloc[0]
    assert (row["metric"], row["verdict"]) == ("", impact.NOT_ENOUGH_DATA)
    assert pd.isna(row["effect"]) and "names no target metric" in row["warnings"]
    assert table[table["idea_id"] == first]["verdict"].tolist() == [impact.IMPROVED]


def test_the_portfolio_read_in_small_batches_is_the_portfolio_read_at_once(portfolio_org, monkeypatch):
    org, first, second, _ = portfolio_org
    bare = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=("T3",), metrics=(),
                         title="Friendlier voicemail", launch=LAUNCH + timedelta(days=3))
    whole = views.portfolio(org.db, actor_id=org.executive)
    estimated = views.portfolio(org.db, actor_id=org.executive, windows=impact.ImpactWindows(baseline_days=91))
    monkeypatch.setattr(views, "PORTFOLIO_BATCH", 1)  # every row its own batch: no campaign in some, no metric in one
    batched = views.portfolio(org.db, actor_id=org.executive)

    pd.testing.assert_frame_equal(batched, whole)
    assert list(zip(whole["idea_id"], whole["metric"], strict=True)) == [
        (second, "aht"), (second, "csat"), (bare, ""), (first, "aht")]
    # Other windows are estimated afresh, row for row in the same shape.
    assert list(estimated.columns) == list(whole.columns)
    assert list(zip(estimated["idea_id"], estimated["metric"], strict=True)) == list(
        zip(whole["idea_id"], whole["metric"], strict=True))
    assert [d.name for d in estimated.dtypes] == [d.name for d in whole.dtypes]
