"""The estimator's closed-form statistics against the library calls they replace (statsmodels' clustered OLS,
scipy's t-tests), on random team x week panels including degenerate ones: same numbers to rel 1e-9 / abs
1e-12, and NaN in exactly the same cases."""

from __future__ import annotations

import math
import warnings
from datetime import date

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from hero_core import impact

KINDS = ("noise", "noise", "noise", "missing", "integers", "constant", "team-constant", "cells", "one-week")


# ---- the reference: the library calls the estimator made before ------------------------------------------


def reference_cluster_ols(y, x, groups):
    """The old `_cluster_ols`. statsmodels fails with one cluster or as many rows as columns (it divides by
    zero; with a single row its group sums fail first), which the estimator never reaches: the closed form
    says NaN there."""
    try:
        with impact._quiet():
            fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
            ci = fit.conf_int(alpha=1 - impact.CONFIDENCE)
    except (ZeroDivisionError, ValueError):
        assert len(np.unique(groups)) < 2 or len(y) == x.shape[1]
        return impact.NAN4
    return float(fit.params[-1]), float(ci[-1, 0]), float(ci[-1, 1]), float(fit.pvalues[-1])


def reference_pooled_t(a, b):
    """The old `_pooled_t`."""
    with impact._quiet():
        result = stats.ttest_ind(a, b, equal_var=True)
        ci = result.confidence_interval(impact.CONFIDENCE)
        return float(a.mean() - b.mean()), float(ci.low), float(ci.high), float(result.pvalue)


def reference_before_after(pre, post):
    """The old `_before_after`."""
    with impact._quiet():
        result = stats.ttest_ind(post, pre, equal_var=False)
        ci = result.confidence_interval(impact.CONFIDENCE)
        return float(post.mean() - pre.mean()), float(ci.low), float(ci.high), float(result.pvalue)


def assert_same(got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert np.array_equal(np.isnan(got), np.isnan(want)), (got, want)
    assert np.array_equal(np.isfinite(got), np.isfinite(want)), (got, want)
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-9, atol=1e-12)
    assert np.array_equal(got[np.isinf(want)], want[np.isinf(want)])


# ---- random panels -----------------------------------------------------------------------------------------


def random_panel(rng: np.random.Generator, kind: str) -> dict:
    """Team x week rows: team ids (sometimes far above the row count), week 0.., post, value, pilots."""
    n_teams = int(rng.integers(2, 61))
    n_pre, n_post = int(rng.integers(1, 21)), int(rng.integers(1, 21))
    if n_pre + n_post < 3:
        n_post += 1
    top = 10 * n_teams if rng.random() < 0.7 else 1_000_000
    ids = rng.choice(top, n_teams, replace=False).astype(np.int64)
    n_pilots = int(rng.choice([1, 1, 2, 3, int(rng.integers(1, n_teams)), min(n_teams - 1, 12)]))
    pilots = ids[:n_pilots]
    weeks = np.arange(n_pre + n_post)
    team = np.repeat(ids, weeks.size)
    week = np.tile(weeks, n_teams)
    if kind == "missing":
        keep = rng.random(team.size) > rng.uniform(0.1, 0.6)
        team, week = team[keep], week[keep]
    if kind == "one-week":  # every pilot row in one baseline week: the pre-trend design is collinear
        pilot_row = np.isin(team, pilots)
        keep = ~pilot_row | (week == 0) | (week >= n_pre)
        team, week = team[keep], week[keep]
    post = week >= n_pre
    treated = np.isin(team, pilots)
    level = dict(zip(ids.tolist(), rng.normal(100, 10, n_teams), strict=True))
    team_level = np.array([level[t] for t in team.tolist()])
    if kind == "constant":
        value = np.full(team.size, float(rng.choice([0.0, 5.0, 0.1, 123.456, rng.normal()])))
    elif kind == "team-constant":  # teams differ, but no team ever changes
        value = team_level
    elif kind == "cells":  # constant within pilot/comparison x before/after: a perfect fit
        value = 10.0 + 2.0 * treated + 3.0 * post + 1.5 * (treated & post)
    elif kind == "integers":
        value = np.round(rng.normal(3, 1.5, team.size))
    else:
        value = team_level + rng.normal(0, 5, team.size) + 2.0 * (treated & post)
    return {"team": team, "week": week, "post": post, "treated": treated, "value": value, "n_pre": n_pre}


def team_changes(panel) -> tuple[np.ndarray, np.ndarray]:
    """Pilot and comparison teams' changes (mean after minus mean before), as `_did_team_changes` feeds them."""
    teams, at = np.unique(panel["team"], return_inverse=True)
    size = teams.size
    post, value = panel["post"], panel["value"]
    with np.errstate(all="ignore"):
        after = np.bincount(at[post], value[post], size) / np.bincount(at[post], minlength=size)
        before = np.bincount(at[~post], value[~post], size) / np.bincount(at[~post], minlength=size)
    change = after - before
    pilot = np.zeros(size, dtype=bool)
    pilot[at[panel["treated"]]] = True
    ok = np.isfinite(change)
    return change[ok & pilot], change[ok & ~pilot]


CASES = range(300)


def case_panel(case: int) -> tuple[str, dict]:
    rng = np.random.default_rng([20250305, case])
    kind = KINDS[case % len(KINDS)]
    return kind, random_panel(rng, kind)


@pytest.mark.parametrize("case", CASES)
def test_cluster_ols_is_statsmodels_clustered_ols(case):
    _, p = case_panel(case)
    tr, po = p["treated"].astype(float), p["post"].astype(float)
    did = np.column_stack([np.ones_like(tr), tr, po, tr * po])
    assert_same(
        impact._cluster_ols(p["value"], did, p["team"]), reference_cluster_ols(p["value"], did, p["team"])
    )

    pre = ~p["post"]
    ramp = (0, 0, 0, 13, 30, 60)[case % 6]  # weeks between the baseline and the evaluation: far from 0
    tr, t = tr[pre], (p["week"][pre] - p["n_pre"] - ramp).astype(float)
    trend = np.column_stack([np.ones_like(tr), tr, t, tr * t])
    y, g = p["value"][pre], p["team"][pre]
    assert_same(impact._cluster_ols(y, trend, g), reference_cluster_ols(y, trend, g))


@pytest.mark.parametrize("case", CASES)
def test_pooled_t_is_scipys_equal_variance_t_test(case):
    _, p = case_panel(case)
    pilots, others = team_changes(p)
    assert_same(impact._pooled_t(pilots, others), reference_pooled_t(pilots, others))
    assert_same(impact._pooled_t(others, pilots), reference_pooled_t(others, pilots))


@pytest.mark.parametrize("case", CASES)
def test_before_after_is_scipys_welch_t_test(case):
    _, p = case_panel(case)
    rows = p["treated"]
    pre, post = p["value"][rows & ~p["post"]], p["value"][rows & p["post"]]
    assert_same(impact._before_after(pre, post), reference_before_after(pre, post))


SMALL_SAMPLES = [
    ([], [1.0, 2.0]),
    ([1.0], []),
    ([1.0], [2.0]),
    ([1.0], [2.0, 2.0]),
    ([1.0], [2.0, 3.0]),
    ([4.0, 4.0], [4.0, 4.0]),
    ([4.0, 4.0], [5.0, 5.0]),
    ([0.1, 0.1, 0.1], [0.1, 0.1]),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
    ([1.0, np.nan, 3.0], [1.0, 2.0]),
    ([1.0, 2.0], [np.inf, 2.0]),
    ([1e300, -1e300], [1.0, 2.0]),
]


@pytest.mark.parametrize(("a", "b"), SMALL_SAMPLES)
def test_t_tests_on_tiny_constant_and_odd_samples(a, b):
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    assert_same(impact._pooled_t(a, b), reference_pooled_t(a, b))
    assert_same(impact._before_after(a, b), reference_before_after(a, b))


def test_cluster_ols_with_one_cluster_or_too_few_rows_is_nan():
    rng = np.random.default_rng(1)
    x = np.column_stack([np.ones(12), rng.random(12) > 0.5, rng.random(12), rng.random(12)])
    y = rng.normal(size=12)
    assert all(math.isnan(v) for v in impact._cluster_ols(y, x, np.zeros(12, dtype=np.int64)))
    assert all(math.isnan(v) for v in impact._cluster_ols(y[:4], x[:4], np.arange(4)))


def test_collinear_and_non_integer_cluster_labels_match_statsmodels():
    rng = np.random.default_rng(2)
    g = np.repeat(np.arange(15), 6)
    tr = (g < 5).astype(float)
    y = rng.normal(size=g.size)
    collinear = np.column_stack([np.ones_like(tr), tr, rng.random(g.size), tr])
    assert_same(impact._cluster_ols(y, collinear, g), reference_cluster_ols(y, collinear, g))
    x = np.column_stack([np.ones_like(tr), tr, rng.random(g.size), tr * rng.random(g.size)])
    labels = np.array([f"team-{i}" for i in g], dtype=object)
    assert_same(impact._cluster_ols(y, x, labels), reference_cluster_ols(y, x, labels))
    assert_same(
        impact._cluster_ols(y, x, g.astype(np.int32)), reference_cluster_ols(y, x, g.astype(np.int32))
    )


def test_no_warnings_leak_from_degenerate_data():
    x = np.column_stack([np.ones(8), np.repeat([0.0, 1.0], 4), np.tile([0.0, 1.0], 4), np.zeros(8)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        impact._cluster_ols(np.full(8, 3.0), x, np.arange(8) // 2)
        impact._cluster_ols(np.full(8, 3.0), x, np.zeros(8, dtype=np.int64))
        for a, b in SMALL_SAMPLES:
            impact._pooled_t(np.array(a, dtype=float), np.array(b, dtype=float))
            impact._before_after(np.array(a, dtype=float), np.array(b, dtype=float))


# ---- the whole estimator: same estimates as with the library calls -----------------------------------------


LAUNCH = date(2024, 6, 3)  # a Monday


def estimator_inputs(
    seed, *, n_teams, n_pre, n_post, n_pilots, kind="noise", top=None, missing=0.0, ramp=0
) -> dict:
    rng = np.random.default_rng(seed)
    windows = impact.ImpactWindows(baseline_days=7 * n_pre, eval_days=7 * n_post, ramp_days=ramp)
    bounds = windows.bounds(LAUNCH)
    b_lo, b_hi, e_lo, e_hi = bounds.weeks()
    weeks = np.r_[b_lo - 2 : b_hi + 1, e_lo : e_hi + 3]  # two weeks outside each window, to be dropped
    ids = rng.choice(top or 10 * n_teams, n_teams, replace=False).astype(np.int64)
    team, week = np.repeat(ids, weeks.size), np.tile(weeks, n_teams).astype(np.int64)
    order = np.argsort(week, kind="stable")
    team, week = team[order], week[order]
    keep = rng.random(team.size) >= missing
    team, week = team[keep], week[keep]
    pilots = [int(t) for t in ids[:n_pilots]]
    treated_post = np.isin(team, pilots) & (week >= e_lo)
    value = (np.full(team.size, 42.5) if kind == "constant"
             else 100 + rng.normal(0, 5, team.size) + 3.0 * treated_post)
    return {
        "team": team,
        "week": week,
        "value": value,
        "n": rng.integers(1, 8, team.size),
        "treated": pilots + ([999_999_999] if n_pilots else []),  # one pilot without data
        "team_labels": {int(t): f"T{t:07d}" for t in ids},
        "metric": "aht",
        "direction": "lower",
        "bounds": bounds,
        "idea_id": 7,
    }


PANELS = {
    "clustered 200x26": {"n_teams": 200, "n_pre": 13, "n_post": 13, "n_pilots": 10},
    "clustered, missing weeks, big ids": {
        "n_teams": 40,
        "n_pre": 8,
        "n_post": 6,
        "n_pilots": 14,
        "missing": 0.3,
        "top": 10**6,
    },
    "clustered, 180-day ramp-up": {"n_teams": 60, "n_pre": 13, "n_post": 13, "n_pilots": 12, "ramp": 180},
    "clustered, constant": {"n_teams": 30, "n_pre": 6, "n_post": 6, "n_pilots": 12, "kind": "constant"},
    "team changes 200x26": {"n_teams": 200, "n_pre": 13, "n_post": 13, "n_pilots": 3},
    "team changes 5x20": {"n_teams": 5, "n_pre": 10, "n_post": 10, "n_pilots": 2},
    "team changes, one pilot, missing": {
        "n_teams": 9,
        "n_pre": 5,
        "n_post": 4,
        "n_pilots": 1,
        "missing": 0.4,
    },
    "team changes, constant": {"n_teams": 6, "n_pre": 5, "n_post": 5, "n_pilots": 2, "kind": "constant"},
    "before-after": {"n_teams": 3, "n_pre": 10, "n_post": 10, "n_pilots": 2},
    "before-after, constant": {"n_teams": 2, "n_pre": 4, "n_post": 4, "n_pilots": 2, "kind": "constant"},
    "no pilots": {"n_teams": 6, "n_pre": 4, "n_post": 4, "n_pilots": 0},
}


@pytest.mark.parametrize("name", PANELS)
def test_estimate_arrays_gives_the_estimate_of_the_library_calls(name, monkeypatch):
    inputs = estimator_inputs(list(PANELS).index(name), **PANELS[name])
    new = impact.estimate_arrays(**inputs)
    with monkeypatch.context() as m:
        m.setattr(impact, "_cluster_ols", reference_cluster_ols)
        m.setattr(impact, "_pooled_t", reference_pooled_t)
        m.setattr(impact, "_before_after", reference_before_after)
        old = impact.estimate_arrays(**inputs)

    numbers = ("effect", "ci_low", "ci_high", "p_value", "baseline_mean", "pre_trend_p", "mde", "plain_effect",
               "plain_ci_low", "plain_ci_high", "plain_p_value")
    for f in impact.ImpactEstimate.__dataclass_fields__:
        got, want = getattr(new, f), getattr(old, f)
        if f in numbers and want is not None:
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12), f
        else:
            assert got == want, f


@pytest.mark.parametrize("pilots", [1, 3, 12])  # team changes, and the clustered path from 10 pilot teams
def test_a_metric_that_never_varies_has_not_enough_data_whatever_the_path(pilots):
    teams, weeks = 30, 30
    team = np.repeat(np.arange(teams, dtype=np.int64), weeks)
    week = np.tile(np.arange(100, 100 + weeks, dtype=np.int64), teams)
    launch = impact.week_start(115)
    result = impact.estimate_arrays(
        team=team, week=week, value=np.full(team.size, 4.2), n=np.full(team.size, 7), treated=set(range(pilots)),
        team_labels={t: f"T{t}" for t in range(teams)}, metric="csat", direction="higher",
        bounds=impact.ImpactWindows(baseline_days=84, eval_days=84).bounds(launch),
    )
    assert result.verdict == impact.NOT_ENOUGH_DATA and result.effect is None and result.pre_trend_p is None
    assert result.warnings == ("The data show no variation to estimate from.",)
