"""A small, seeded run of the impact estimator's Monte Carlo (hero_core.impact_calibration): the rates must lie
within binomial bounds of the promises, so a change that makes the headline dishonest fails here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hero_core import impact
from hero_core import impact_calibration as cal

REPS = 200
SEED = 7


def upper_bound(rate: float) -> float:
    """The promise plus three binomial standard errors at REPS replications."""
    return rate + 3 * math.sqrt(rate * (1 - rate) / REPS)


def lower_bound(rate: float) -> float:
    return rate - 3 * math.sqrt(rate * (1 - rate) / REPS)


def family(name: str) -> cal.Scenario:
    return next(f for f in cal.FAMILIES if f.name == name)


def run(name: str) -> dict:
    return cal.run([family(name)], reps=REPS, seed=SEED).iloc[0].to_dict()


def test_the_simulated_weekly_means_are_means_of_the_days_with_their_counts():
    scenario = cal.Scenario("check", pilots=1, comparison=2, pilot_days=0.5)
    team, week, _value, n = next(cal.weekly_draws(scenario, 1, np.random.default_rng(0)))
    b_lo, _, _, e_hi = impact.ImpactWindows().bounds(cal.LAUNCH).weeks()

    assert set(np.unique(team)) == {0, 1, 2}
    assert week.min() == b_lo and week.max() == e_hi and np.all(np.diff(week) >= 0)
    assert set(n[team > 0]) == {7}  # comparison teams have data every day
    assert n[team == 0].min() >= 1 and n[team == 0].max() <= 7 and n[team == 0].mean() < 5


def test_a_familys_figures_do_not_depend_on_the_other_families_run_with_it():
    alone = cal.run([family("10 pilots vs 2 comparison teams")], reps=20, seed=SEED)
    among = cal.run((*cal.NOTHING_HAPPENED[:2], family("10 pilots vs 2 comparison teams")), reps=20, seed=SEED)
    assert alone.iloc[0].to_dict() == among.iloc[2].to_dict()


def test_an_effect_and_a_drift_move_only_the_pilot_teams():
    rng = np.random.default_rng(1)
    quiet = cal.Scenario("quiet", pilots=1, comparison=1, effect=3.0, pilot_drift=0.0)
    team, week, value, _ = next(cal.weekly_draws(quiet, 1, rng))
    _, _, e_lo, _ = impact.ImpactWindows().bounds(cal.LAUNCH).weeks()
    def jump(t: int) -> float:
        return value[(team == t) & (week >= e_lo)].mean() - value[(team == t) & (week < e_lo)].mean()

    assert jump(0) == pytest.approx(3.0, abs=0.6) and jump(1) == pytest.approx(0.0, abs=0.6)


@pytest.mark.parametrize(
    "name",
    [
        "plain: 1 pilot vs 10, independent days",
        "plain: 3 pilots vs 8, correlated days (AR 0.95)",
        "plain: 2 pilots vs 9, org-wide shift of 1 SD, correlated days",
        "pilots already drifting up 0.02 SD a week",
        "pilots already drifting up 0.05 SD a week",
        "1 small pilot team (half the days), twice as noisy, vs 10",
        "1 small pilot team, twice as noisy, correlated days",
        "1 pilot vs 2 comparison teams",
        "10 pilots vs 2 comparison teams",
        "10 pilots vs 2 comparison teams, correlated days",
    ],
)
def test_when_nothing_happened_the_headline_is_rarely_wrong_and_its_interval_covers_zero(name):
    row = run(name)

    assert row["wrong"] <= upper_bound(0.06)
    assert row["coverage"] >= lower_bound(0.95)
    assert row["with_interval"] >= 0.95 * REPS


@pytest.mark.parametrize(
    "name",
    [
        "no comparison teams, correlated days",
        "no comparison teams, org-wide shift of 0.5 SD",
        "1 comparison team, org-wide shift of 0.5 SD",
    ],
)
def test_without_comparison_teams_the_headline_never_claims_a_change_nor_gives_an_interval(name):
    row = run(name)

    assert row["wrong"] == 0 and row["improved"] == 0
    assert row["with_interval"] == 0
    assert set(row["verdicts"]) == {impact.NOT_ATTRIBUTABLE}


def test_the_plain_tier_is_the_drifting_pilots_illusion_the_headline_refuses():
    row = run("pilots already drifting up 0.05 SD a week")

    assert row["plain_improved"] > 0.9  # the parallel-trends reading: "better, if not already drifting apart"
    assert row["improved"] <= upper_bound(0.03)


def test_a_sustained_half_sd_effect_on_three_of_eleven_teams_is_usually_found():
    row = run("+0.5 SD on 3 of 11 teams, independent days")

    assert row["improved"] >= lower_bound(0.30) + 0.05
    assert row["wrong"] <= upper_bound(0.01)
    assert row["coverage"] >= lower_bound(0.95)
