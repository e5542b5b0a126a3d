"""The pulse and scorecard charts, tested on their Vega-Lite spec (no app, no database)."""

from __future__ import annotations

import pandas as pd

from hero_core.charts_compact import (
    promises_kept_chart,
    pulse_hero_share_chart,
    pulse_segments_chart,
    pulse_segments_long,
    scorecard_trend_chart,
)
from hero_core.services import pulse, scorecard


def summary() -> pd.DataFrame:
    rows = [
        {
            "quarter": "2026Q3",
            "group": "Whole organisation",
            "answers": 12,
            "shown": True,
            "note": "",
            "mean_empowered": 7.0,
            "share_HERO": 0.5,
            "share_locked-down": 0.25,
            "share_rogue": 0.25,
            "share_disenfranchised": 0.0,
        },
        {
            "quarter": "2026Q3",
            "group": "CC",
            "answers": None,
            "shown": False,
            "note": pulse.FEWER_THAN_MIN,
            "mean_empowered": None,
            "share_HERO": None,
            "share_locked-down": None,
            "share_rogue": None,
            "share_disenfranchised": None,
        },
    ]
    return pd.DataFrame(rows, columns=list(pulse.SUMMARY_COLUMNS))


def test_segment_bars_hold_only_the_shown_groups_four_segments():
    data = pulse_segments_long(summary(), "Whole organisation")
    assert list(data["segment"]) == list(pulse.SEGMENTS) and data["share"].sum() == 1.0
    assert pulse_segments_long(summary(), "CC").empty
    spec = pulse_segments_chart(summary(), "Whole organisation").to_dict()
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["y"]["stack"] == "normalize"
    assert spec["encoding"]["color"]["scale"]["domain"] == list(pulse.SEGMENTS)


def test_the_hero_share_line_leaves_hidden_groups_out():
    spec = pulse_hero_share_chart(summary()).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["group"] for r in rows] == ["Whole organisation"]
    assert spec["encoding"]["y"]["axis"]["format"] == "%"


def frame() -> pd.DataFrame:
    base = dict.fromkeys(scorecard.COLUMNS)
    return pd.DataFrame(
        [
            base
            | {
                "quarter": "2026Q1",
                "team": scorecard.ALL_TEAMS,
                "ideas_per_100_staff": 20.0,
                "share_decided_in_sla": 0.8,
            },
            base
            | {"quarter": "2026Q1", "team": "CC", "ideas_per_100_staff": 30.0, "share_decided_in_sla": 1.0},
            base
            | {
                "quarter": "2026Q2",
                "team": scorecard.ALL_TEAMS,
                "ideas_per_100_staff": 25.0,
                "share_decided_in_sla": None,
            },
        ],
        columns=list(scorecard.COLUMNS),
    )


def test_the_trend_draws_one_line_per_team_with_all_teams_thicker_and_skips_gaps():
    spec = scorecard_trend_chart(frame(), "share_decided_in_sla").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert {(r["quarter"], r["team"]) for r in rows} == {("2026Q1", "All teams"), ("2026Q1", "CC")}
    assert {r["team"]: r["overall"] for r in rows} == {"All teams": 3.5, "CC": 1.5}
    assert spec["title"] == "Decided within the SLA (higher is better)"
    only = scorecard_trend_chart(frame(), "ideas_per_100_staff", ["CC"]).to_dict()
    assert [r["team"] for r in next(iter(only["datasets"].values()))] == ["CC"]


def test_promises_kept_plots_the_whole_organisations_shares():
    spec = promises_kept_chart(frame()).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert rows == [{"quarter": "2026Q1", "promise": "managers: Decided within the SLA", "share": 0.8}]
    assert spec["encoding"]["y"]["scale"]["domain"] == [0, 1]
