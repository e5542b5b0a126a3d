"""Measured impact of launched ideas: difference-in-differences on team x week means.

For a launched idea (piloting, scaling or scaled, with a launch date) and each of its target metrics:

* the idea's pilot teams are *treated*; every other team with data both before and after the launch is the
  *comparison*;
* the *baseline* is the whole weeks (Monday to Sunday) inside the BASELINE days before the launch; the
  *evaluation* is the whole weeks inside the EVAL days that start RAMP days after the launch (the week that
  contains the launch, and any ramp-up, belong to neither);
* daily observations are averaged to team x week means in the database; the effect is a
  difference-in-differences in the metric's unit: how much more the pilot teams stepped at the launch than the
  comparison teams did over the same weeks, so an organisation-wide shift at the launch date is not credited to
  the idea;
* the headline (method version METHOD_VERSION) measures each team's step against that team's own linear trend
  over both windows (value ~ 1 + week + post, team by team), so pilot teams that were already drifting apart
  are not credited either, and tests the pilot mean step minus the comparison mean step over teams (Conley &
  Taber: the comparison teams show how much a team's step varies by chance), each team studentised by its own
  weekly noise up to one common factor (Ferman & Pinto: a small, noisy pilot team is not taken for an effect);
  t with teams - 2 degrees of freedom (`_did_studentised`). `mde` is the effect that test finds 80% of the time;
* the second tier (`plain_*`) is the plain difference-in-differences, which assumes parallel trends: the same
  test on each team's plain change (after minus before), or, with MIN_PILOTS_FOR_CLUSTERING or more teams on
  both sides, OLS on the team x week means with team-clustered errors; `plain_reading` says it in words;
* the pre-trend check compares how pilot and comparison teams moved over the baseline weeks: each team's weekly
  slope (pooled t-test) or the clustered treated x week interaction; a small pre_trend_p says the groups were
  already drifting apart before the launch (the headline allows for that, the plain tier does not);
* with fewer than two comparison teams the verdict is "cannot be attributed" and the headline has no number:
  the pilot teams' before/after difference (Welch t-test) is only the plain tier, with a warning;
* with fewer than two weeks on either side for the pilot teams, the verdict is "not enough data" and no
  number is given.

docs/impact-validation.md (`make calibrate`) checks all of this by simulation. The verdict respects the metric's
direction: "improved" when the 95% CI excludes 0 on the good side, "worsened" when it excludes 0 on the bad side,
otherwise "no clear change".

Windows come from HERO_IMPACT_BASELINE_DAYS (90), HERO_IMPACT_EVAL_DAYS (90) and HERO_IMPACT_RAMP_DAYS (0),
read on every call. This module is pure: it imports no database, session, model or service. Reading the
observations, loading the actor and checking permissions live in `hero_core.services.impact_reads`
(`estimate_impact`, `estimate_portfolio`; still importable from here).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from hero_core import lifecycle
from hero_core.config import int_setting
from hero_core.errors import InvalidInput
from hero_core.weeks import WEEK_EPOCH, week_number, week_start

DID = "difference-in-differences"
BEFORE_AFTER = "before-after"
IMPROVED = "improved"
WORSENED = "worsened"
NO_CLEAR_CHANGE = "no clear change"
NOT_ENOUGH_DATA = "not enough data"
#: The before/after fallback's verdict: the pilot teams changed (or not), but nothing shows it was the idea.
NOT_ATTRIBUTABLE = "cannot be attributed"
VERDICTS = (IMPROVED, WORSENED, NO_CLEAR_CHANGE, NOT_ENOUGH_DATA, NOT_ATTRIBUTABLE)
#: Part of every stored estimate's fingerprint (hero_core.impact_store): a new method recomputes them all.
METHOD_VERSION = "2-trend-studentised"

LAUNCHED_STATES = lifecycle.LAUNCHED_STATES  # their home: hero_core/lifecycle.py
MIN_WEEKS = 2  # weeks with data on each side of the launch, per group
MIN_COMPARISON_TEAMS = 2  # below this, a comparison cannot show how much teams vary: before-after instead
#: Team-clustered standard errors need many treated clusters. Simulated on 50 teams x 24 weeks of pure noise,
#: a 5% test rejected 78% of the time with 1 pilot team, 32% with 2, 17-24% with 3, 11% with 5 and 6% with
#: 10; the team-changes test below stayed at 4-8% throughout (also with serially correlated weeks).
MIN_PILOTS_FOR_CLUSTERING = 10
CLUSTERED = "team x week OLS, team-clustered standard errors"
TEAM_CHANGES = "per-team changes, pooled-variance t-test"  # method version 1's; stored rows may still say it
WELCH = "pilot weeks before vs after, Welch t-test"
#: The headline's inference: each team's own step at the launch beyond its own linear trend, studentised.
TREND_STUDENTISED = "per-team step beyond own trend, studentised by team noise"
#: The plain tier's, with fewer than MIN_PILOTS_FOR_CLUSTERING teams on either side.
CHANGES_STUDENTISED = "per-team changes, studentised by team noise"
PRE_TREND_WARN_P = 0.10
CONFIDENCE = 0.95
POWER = 0.80  # for the minimal detectable effect

#: The keys of `hero impact --json`, in order. A contract for scripts: change only with care.
JSON_KEYS = (
    "metric",
    "method",
    "effect",
    "ci_low",
    "ci_high",
    "p_value",
    "baseline_mean",
    "treated_teams",
    "comparison_teams",
    "pre_trend_p",
    "n_obs",
    "verdict",
    "mde",
    "plain_verdict",
    "plain_effect",
    "plain_ci_low",
    "plain_ci_high",
    "plain_p_value",
    "plain_method",
    "plain_reading",
)


# ---- settings ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactWindows:
    """How many days before and after a launch count as baseline and evaluation."""

    baseline_days: int = 90
    eval_days: int = 90
    ramp_days: int = 0

    def __post_init__(self) -> None:
        problems = []
        if self.baseline_days < 14:
            problems.append(f"the baseline window must be at least 14 days, not {self.baseline_days}")
        if self.eval_days < 14:
            problems.append(f"the evaluation window must be at least 14 days, not {self.eval_days}")
        if self.ramp_days < 0:
            problems.append(f"the ramp-up must be 0 days or more, not {self.ramp_days}")
        if problems:
            raise InvalidInput(problems)

    def bounds(self, launch: date) -> WindowBounds:
        eval_start = launch + timedelta(days=self.ramp_days)
        return WindowBounds(
            launch=launch,
            baseline_start=launch - timedelta(days=self.baseline_days),
            baseline_end=launch,
            eval_start=eval_start,
            eval_end=eval_start + timedelta(days=self.eval_days),
        )


@dataclass(frozen=True)
class WindowBounds:
    """The calendar windows of one launch; every `*_end` is exclusive."""

    launch: date
    baseline_start: date
    baseline_end: date
    eval_start: date
    eval_end: date

    def weeks(self) -> tuple[int, int, int, int]:
        """(first, last) baseline week and (first, last) evaluation week: whole weeks inside each window."""
        return (
            _first_whole_week(self.baseline_start),
            _last_whole_week(self.baseline_end),
            _first_whole_week(self.eval_start),
            _last_whole_week(self.eval_end),
        )


def _first_whole_week(start: date) -> int:
    w = week_number(start)
    return w if week_start(w) == start else w + 1


def _last_whole_week(end_exclusive: date) -> int:
    return week_number(end_exclusive - timedelta(days=7))


def _env_days(name: str, default: int) -> int:
    return int_setting(name, default, unit="days")  # the one home of settings (config.SettingError if not a number)


def windows_from_env() -> ImpactWindows:
    """The windows as configured right now (read on every call, so a change needs no restart)."""
    return ImpactWindows(
        baseline_days=_env_days("HERO_IMPACT_BASELINE_DAYS", 90),
        eval_days=_env_days("HERO_IMPACT_EVAL_DAYS", 90),
        ramp_days=_env_days("HERO_IMPACT_RAMP_DAYS", 0),
    )


# ---- the result --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactEstimate:
    """One idea's measured effect on one metric; numbers are None when the verdict is "not enough data"."""

    metric: str
    method: str
    verdict: str
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    baseline_mean: float | None = None
    pre_trend_p: float | None = None
    treated_teams: tuple[str, ...] = ()
    comparison_teams: tuple[str, ...] = ()
    n_obs: int = 0  # daily observations inside the two windows, pilot and comparison teams together
    direction: str = "higher"
    idea_id: int | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    inference: str = ""  # how the CI and p-value were computed (TREND_STUDENTISED, or WELCH for the plain tier)
    #: The smallest effect (metric units, absolute) the headline test detects 80% of the time with these data.
    mde: float | None = None
    #: The second tier: the plain difference-in-differences (or, without comparison teams, before/after),
    #: which assumes pilot and comparison teams would have moved in parallel; `plain_reading` says so in words
    #: and `plain_method` says how its interval was computed (CHANGES_STUDENTISED, CLUSTERED or WELCH).
    plain_verdict: str | None = None
    plain_effect: float | None = None
    plain_ci_low: float | None = None
    plain_ci_high: float | None = None
    plain_p_value: float | None = None
    plain_method: str = ""
    plain_reading: str = ""

    def headline_only(self) -> ImpactEstimate:
        """What hero_core.impact_store keeps for the portfolio views (the idea page estimates live and shows
        both tiers): the headline, with the second tier and the minimal detectable effect folded into its notes
        where they add something a reader of the headline would otherwise miss."""
        notes = list(self.warnings)
        if self.plain_reading and self.plain_effect is not None and self.plain_verdict != self.verdict:
            notes.append(f"Plain comparison: {self.plain_reading} ({self.plain_effect:+.4g} in the metric's unit).")
        if self.verdict == NO_CLEAR_CHANGE and self.mde is not None:
            notes.append(f"Too little data to see an effect smaller than {self.mde:.4g} in the metric's unit.")
        return replace(self, mde=None, plain_verdict=None, plain_effect=None, plain_ci_low=None,
                       plain_ci_high=None, plain_p_value=None, plain_method="", plain_reading="",
                       warnings=tuple(notes))

    def as_json(self) -> dict[str, Any]:
        """Exactly the JSON_KEYS, with plain Python values."""
        return {
            "metric": self.metric,
            "method": self.method,
            "effect": self.effect,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "baseline_mean": self.baseline_mean,
            "treated_teams": list(self.treated_teams),
            "comparison_teams": list(self.comparison_teams),
            "pre_trend_p": self.pre_trend_p,
            "n_obs": self.n_obs,
            "verdict": self.verdict,
            "mde": self.mde,
            "plain_verdict": self.plain_verdict,
            "plain_effect": self.plain_effect,
            "plain_ci_low": self.plain_ci_low,
            "plain_ci_high": self.plain_ci_high,
            "plain_p_value": self.plain_p_value,
            "plain_method": self.plain_method,
            "plain_reading": self.plain_reading,
        }


def verdict_for(*, ci_low: float, ci_high: float, direction: str) -> str:
    """Improved or worsened only when the whole 95% CI lies on one side of zero; the direction says which
    side is good ('higher' or 'lower' is better)."""
    if ci_low > 0:
        return IMPROVED if direction == "higher" else WORSENED
    if ci_high < 0:
        return IMPROVED if direction == "lower" else WORSENED
    return NO_CLEAR_CHANGE


# ---- the estimator (pure) ----------------------------------------------------------------------------------


def estimate_from_panel(
    panel: pd.DataFrame,
    *,
    metric: str,
    direction: str,
    treated_teams: Collection[Hashable],
    launch_date: date,
    windows: ImpactWindows | None = None,
    idea_id: int | None = None,
) -> ImpactEstimate:
    """Estimate one idea's effect on one metric from team x week means.

    `panel` has columns team, week_start (the Monday of each week), value (the team's mean that week) and,
    optionally, n_obs (daily observations behind the mean; 1 each when absent).
    """
    windows = windows or ImpactWindows()
    codes, teams = pd.factorize(panel["team"])
    weeks = ((pd.to_datetime(panel["week_start"]) - pd.Timestamp(WEEK_EPOCH)).dt.days // 7).to_numpy(np.int64)
    n = panel["n_obs"].to_numpy(np.int64) if "n_obs" in panel else np.ones(len(panel), dtype=np.int64)
    pilots = set(treated_teams)
    treated = {i for i, t in enumerate(teams) if t in pilots}
    return estimate_arrays(
        team=codes.astype(np.int64),
        week=weeks,
        value=panel["value"].to_numpy(float),
        n=n,
        treated=treated,
        team_labels={i: str(t) for i, t in enumerate(teams)},
        metric=metric,
        direction=direction,
        bounds=windows.bounds(launch_date),
        idea_id=idea_id,
    )


def estimate_arrays(
    *,
    team: np.ndarray,
    week: np.ndarray,
    value: np.ndarray,
    n: np.ndarray,
    treated: Collection[int],
    team_labels: Mapping[int, str],
    metric: str,
    direction: str,
    bounds: WindowBounds,
    idea_id: int | None = None,
) -> ImpactEstimate:
    """The estimator on plain arrays (one row per team x week); `estimate_from_panel` explains the inputs.

    Called once per idea and metric by `estimate_portfolio`, so it counts and looks up by index rather than
    sorting (np.unique, np.isin) where it can."""
    b_lo, b_hi, e_lo, e_hi = bounds.weeks()
    in_pre = (week >= b_lo) & (week <= b_hi)
    in_post = (week >= e_lo) & (week <= e_hi)
    keep = in_pre | in_post
    post = in_post
    if not keep.all():
        team, week, value, n, post = team[keep], week[keep], value[keep], n[keep], in_post[keep]

    # Only teams with data on both sides of the launch say anything about a change.
    teams, at = _factorise(team)
    pre_rows = np.bincount(at[~post], minlength=teams.size)
    post_rows = np.bincount(at[post], minlength=teams.size)
    both = (pre_rows > 0) & (post_rows > 0)
    pilot = _members(teams, treated)
    treated_team, comparison_team = both & pilot, both & ~pilot
    treated_ids, comparison_ids = teams[treated_team], teams[comparison_team]
    is_treated, is_comparison = treated_team[at], comparison_team[at]
    (t_pre_weeks, t_post_weeks), (c_pre_weeks, c_post_weeks) = _weeks_with_data(
        week, post, is_treated, is_comparison, b_lo, b_hi, e_hi
    )
    comparison_ok = (
        comparison_ids.size >= MIN_COMPARISON_TEAMS and min(c_pre_weeks, c_post_weeks) >= MIN_WEEKS
    )
    method = DID if comparison_ok else BEFORE_AFTER
    used = (is_treated | is_comparison) if comparison_ok else is_treated
    pilot_pre = pilot[at] & ~post
    common: dict[str, Any] = {
        "metric": metric,
        "method": method,
        "direction": direction,
        "idea_id": idea_id,
        "treated_teams": _labels(treated_ids, team_labels),
        "comparison_teams": _labels(comparison_ids, team_labels) if comparison_ok else (),
        "baseline_mean": float(value[pilot_pre].mean()) if pilot_pre.any() else None,
        "n_obs": int(_rows(used, n)[0].sum()),
    }

    if not len(treated):
        return ImpactEstimate(
            verdict=NOT_ENOUGH_DATA, warnings=("The idea has no pilot teams recorded.",), **common
        )
    if t_pre_weeks < MIN_WEEKS or t_post_weeks < MIN_WEEKS:
        return ImpactEstimate(
            verdict=NOT_ENOUGH_DATA,
            warnings=(
                (
                    f"The pilot teams have {t_pre_weeks} week(s) of data in the baseline and "
                    f"{t_post_weeks} in the evaluation window (counting teams with data on both "
                    f"sides); at least {MIN_WEEKS} on each side are needed."
                ),
            ),
            **common,
        )

    used_values = value[used]
    if used_values.size and used_values.min() == used_values.max():
        # Every week of every team the same: any "effect" a model finds is rounding noise.
        return ImpactEstimate(verdict=NOT_ENOUGH_DATA, warnings=("The data show no variation to estimate from.",),
                              **common)
    notes: list[str] = []
    pre_trend_p: float | None = None
    headline, se, df = NAN4, math.nan, math.nan
    if comparison_ok:
        a, y, po, pr, wk, g = _rows(used, at, value, post, pilot[at], week, team)
        t = wk - e_lo
        pre = ~po
        if min(treated_ids.size, comparison_ids.size) >= MIN_PILOTS_FOR_CLUSTERING:
            ((*headline, se, df),) = _did_studentised(a, t, y, po, pr, plain=False)
            plain_inference = CLUSTERED
            plain = _did_clustered(y, pr, po, g)
            pre_trend_p = _pre_trend_clustered(y[pre], pr[pre], t[pre], g[pre])
        else:
            (*headline, se, df), plain6 = _did_studentised(a, t, y, po, pr)
            plain_inference = CHANGES_STUDENTISED
            plain = tuple(plain6[:4])
            pre_trend_p = _pre_trend_team_slopes(a[pre], t[pre], y[pre], pr[pre])
    else:
        plain_inference = WELCH
        plain = _before_after(value[is_treated & ~post], value[is_treated & post])
        have = (
            "No comparison team has"
            if comparison_ids.size == 0
            else (f"Only {comparison_ids.size} comparison team(s) have")
        )
        notes.append(
            f"{have} enough data before and after the launch: this is a before/after difference of the pilot "
            "teams alone, so organisation-wide changes at the same time are mixed into it and the change "
            "cannot be attributed to the idea."
        )
    if pre_trend_p is not None and pre_trend_p < PRE_TREND_WARN_P:
        notes.append(
            f"Pilot and comparison teams were already trending apart before the launch "
            f"(pre-trend p = {pre_trend_p:.3f}): the headline allows for a steady trend, the plain comparison "
            "does not."
        )

    plain_ok = all(math.isfinite(x) for x in plain)
    tiers: dict[str, Any] = {"plain_method": plain_inference, "plain_reading": ""}
    if plain_ok:
        plain_verdict = verdict_for(ci_low=plain[1], ci_high=plain[2], direction=direction)
        tiers.update(
            plain_verdict=plain_verdict,
            plain_effect=float(plain[0]),
            plain_ci_low=float(plain[1]),
            plain_ci_high=float(plain[2]),
            plain_p_value=float(plain[3]),
            plain_reading=plain_reading(plain_verdict, method=method),
        )
    if not comparison_ok:
        if not plain_ok:
            notes.append("The data show no variation to estimate from.")
            return ImpactEstimate(verdict=NOT_ENOUGH_DATA, warnings=tuple(notes), inference=plain_inference,
                                  **common, **tiers)
        return ImpactEstimate(verdict=NOT_ATTRIBUTABLE, warnings=tuple(notes), inference=plain_inference,
                              **common, **tiers)
    effect, ci_low, ci_high, p = headline
    if not all(math.isfinite(x) for x in (effect, ci_low, ci_high, p, se, df)):
        notes.append(
            "The data show no variation to estimate from."
            if not plain_ok
            else "Too few weeks per team to allow for each team's own trend."
        )
        return ImpactEstimate(verdict=NOT_ENOUGH_DATA, warnings=tuple(notes), inference=TREND_STUDENTISED,
                              pre_trend_p=pre_trend_p, **common, **tiers)
    return ImpactEstimate(
        verdict=verdict_for(ci_low=ci_low, ci_high=ci_high, direction=direction),
        effect=effect,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p,
        pre_trend_p=pre_trend_p,
        warnings=tuple(notes),
        inference=TREND_STUDENTISED,
        mde=float((special.stdtrit(df, UPPER_Q) + special.stdtrit(df, POWER)) * se),
        **common,
        **tiers,
    )


def plain_reading(verdict: str, *, method: str) -> str:
    """The plain tier in words, with the assumption it rests on."""
    if method == BEFORE_AFTER:
        assumption = "if nothing else changed for the pilot teams at the same time"
    else:
        assumption = "if the pilot teams were not already drifting apart from the others"
    if verdict == IMPROVED:
        return f"better, {assumption}"
    if verdict == WORSENED:
        return f"worse, {assumption}"
    return f"no clear change, even {assumption.replace('if ', 'assuming ', 1)}"


def _factorise(team: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(team, return_inverse=True): the sorted distinct teams and each row's index among them.
    Team ids are small non-negative integers, so a presence table replaces the sort when it is not much
    bigger than the data."""
    if team.size and team.dtype.kind in "iu":
        lo, hi = int(team.min()), int(team.max())
        if lo >= 0 and hi <= 16 * team.size + 65_536:
            present = np.zeros(hi + 1, dtype=bool)
            present[team] = True
            teams = np.flatnonzero(present)
            index = np.zeros(hi + 1, dtype=np.intp)
            index[teams] = np.arange(teams.size)
            return teams.astype(team.dtype, copy=False), index[team]
    teams, at = np.unique(team, return_inverse=True)
    return teams, at.reshape(-1)


def _members(teams: np.ndarray, wanted: Collection[int]) -> np.ndarray:
    """np.isin(teams, wanted) for sorted, distinct `teams`, by binary search of the few `wanted` ids."""
    ids = np.fromiter(wanted, dtype=np.int64, count=len(wanted))
    if teams.dtype.kind not in "iu":
        return np.isin(teams, ids)
    out = np.zeros(teams.size, dtype=bool)
    where = np.searchsorted(teams, ids)
    found = where < teams.size
    where = where[found]
    out[where[teams[where] == ids[found]]] = True
    return out


def _weeks_with_data(week, post, is_treated, is_comparison, b_lo, b_hi, e_hi) -> tuple[tuple[int, int], ...]:
    """Distinct weeks with data of the pilot and of the comparison teams, (before, after) each: one count
    over the weeks of the two windows instead of a sort per group and side."""
    if week.dtype.kind != "i":
        return tuple(
            tuple(int(np.unique(week[rows & side]).size) for side in (~post, post))
            for rows in (is_treated, is_comparison)
        )
    span = e_hi - b_lo + 1
    cell = (week - b_lo) + np.where(is_treated, 0, np.where(is_comparison, span, 2 * span))
    seen = np.bincount(cell, minlength=3 * span).reshape(3, span) > 0
    split = b_hi - b_lo + 1  # the weeks before it are the baseline's, from it the evaluation's
    return tuple(
        (int(np.count_nonzero(seen[g, :split])), int(np.count_nonzero(seen[g, split:]))) for g in (0, 1)
    )


def _rows(mask: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows of each array where `mask` holds; the arrays themselves when it holds everywhere."""
    if mask.all():
        return arrays
    return tuple(a[mask] for a in arrays)


def _labels(ids: np.ndarray, team_labels: Mapping[int, str]) -> tuple[str, ...]:
    """The teams' labels, sorted."""
    keys = ids.tolist() if ids.dtype.kind in "iu" else [int(t) for t in ids.tolist()]
    return tuple(sorted(map(team_labels.__getitem__, keys)))


def _quiet():
    """Degenerate data (no variation) yields NaN, which the caller turns into "not enough data"; the numeric
    warnings on the way are noise."""
    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    stack.enter_context(np.errstate(all="ignore"))
    return stack


NAN4 = (math.nan, math.nan, math.nan, math.nan)
NAN6 = (*NAN4, math.nan, math.nan)
#: The two-sided t quantile's probability, computed as statsmodels' conf_int(alpha=1 - CONFIDENCE) does.
UPPER_Q = 1 - (1 - CONFIDENCE) / 2
#: The tail probabilities of scipy's TtestResult.confidence_interval(CONFIDENCE), computed as it does.
T_TAILS = np.array([(1 - CONFIDENCE) / 2, 1 - (1 - CONFIDENCE) / 2])
#: Above this condition number of X'X the normal equations (and statsmodels' SVD) lose more than about 1e-10,
#: relative; statsmodels' own steps take over, so the answer stays the same.
MAX_CONDITION = 1e6
#: Below this share of its terms' size, a residual or a clustered score is rounding noise (a perfect fit, or
#: teams that never change), which only statsmodels' own steps reproduce.
NOISE = 1e-7


def _cluster_ols(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> tuple[float, float, float, float]:
    """OLS with team-clustered errors; (coefficient, ci_low, ci_high, p) of the last column.

    What statsmodels' OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True) gives, in
    closed form (its per-call overhead was most of the estimator's time): the CRV1 sandwich with the small
    sample factor G/(G-1) * (N-1)/(N-K) for G clusters, N rows and K columns, and t with G-1 degrees of
    freedom. Only the last coefficient's variance is needed: c'Sc, c the last row of (X'X)^-1, which is the
    sum over clusters of (sum of c.x * residual)^2. With fewer than two clusters or as many rows as columns,
    where statsmodels divides by zero, everything is NaN. Rank-deficient and (near) perfectly fitting designs,
    where statsmodels' answer is rounding noise, and ill-conditioned ones (the pre-trend's weeks after a
    ramp-up of months), where it is off by more than 1e-10, go through `_cluster_ols_as_statsmodels`."""
    nobs, k = x.shape
    codes, n_groups = _cluster_codes(groups)
    if n_groups < 2 or nobs == k:
        return NAN4
    with np.errstate(all="ignore"):
        xt = np.ascontiguousarray(x.T)  # (K, N) @ (N, K) is the fast product here
        xtx = xt @ x
        ev = np.linalg.eigvalsh(xtx)
        if ev[0] > ev[-1] / MAX_CONDITION:
            bread = np.linalg.inv(xtx)
            coef = bread @ (xt @ y)
            resid = y - coef @ xt
            if resid @ resid > NOISE * NOISE * (y @ y):
                w = resid * (bread[-1] @ xt)
                score = np.bincount(codes, weights=w)
                ss = score @ score
                # A cluster's score is exact to about 1e-16 of the sum of its |w|, and by Cauchy-Schwarz
                # the squares of those sums add up to at most N * (w @ w).
                if ss > NOISE * NOISE * nobs * (w @ w):
                    var = ss * (n_groups / (n_groups - 1.0) * ((nobs - 1.0) / (nobs - k)))
                    return _t_summary_cluster(float(coef[-1]), math.sqrt(var), n_groups - 1)
    return _cluster_ols_as_statsmodels(y, x, groups)


def _cluster_codes(groups: np.ndarray) -> tuple[np.ndarray, int]:
    """Cluster labels np.bincount takes, and the number of clusters; counting for team ids, sorting else."""
    g = np.asarray(groups).reshape(-1)
    if g.size and g.dtype.kind in "iu" and g.min() >= 0 and g.max() <= 16 * g.size + 65_536:
        return g, int(np.count_nonzero(np.bincount(g)))
    labels, codes = np.unique(g, return_inverse=True)
    return codes.reshape(-1), int(labels.size)


def _t_summary_cluster(coef: float, se: float, df: int) -> tuple[float, float, float, float]:
    """CI and p as statsmodels' conf_int and pvalues make them: coef -/+ q * se; 2 * t.sf(|coef / se|)."""
    with np.errstate(all="ignore"):
        q = float(special.stdtrit(df, UPPER_Q))
        t = np.float64(coef) / se
        p = float(special.stdtr(df, -abs(t)) * 2)
    return coef, coef - q * se, coef + q * se, p


def _cluster_ols_as_statsmodels(y, x, groups) -> tuple[float, float, float, float]:
    """statsmodels' clustered OLS step by step (pinv of X by SVD, its sandwich and grouping), for the
    rank-deficient or perfectly fitting designs where the answer is rounding noise that only the same steps
    reproduce; slower than `_cluster_ols`, and rare."""
    nobs, k = x.shape
    with _quiet():
        u, s, vt = np.linalg.svd(x, False)  # statsmodels.tools.tools.pinv_extended, rcond=1e-15
        cutoff = 1e-15 * np.maximum.reduce(s)
        s = np.where(s > cutoff, 1.0 / np.where(s > cutoff, s, 1.0), 0.0)
        pinv = np.dot(np.transpose(vt), np.multiply(s[:, np.newaxis], np.transpose(u)))
        bread = np.dot(pinv, np.transpose(pinv))
        coef = np.dot(pinv, y)
        xu = x * (y - np.dot(x, coef))[:, None]
        g = np.asarray(groups).squeeze()
        if g.dtype != np.dtype("int"):
            clusters, g = np.unique(g, return_inverse=True)
        else:
            clusters = np.unique(g)
        n_groups = len(clusters)
        if np.max(g) > 2 * nobs:
            g = pd.factorize(g)[0]
        sums = np.array([np.bincount(g, weights=xu[:, col]) for col in range(k)]).T
        cov = np.dot(np.dot(bread, np.dot(sums.T, sums)), bread.T)
        cov *= n_groups / (n_groups - 1.0) * ((nobs - 1.0) / float(nobs - k))
        se = np.sqrt(np.diag(cov))[-1]
    return _t_summary_cluster(float(coef[-1]), float(se), n_groups - 1)


def _did_clustered(y, treated, post, groups) -> tuple[float, float, float, float]:
    """value ~ treated + post + treated:post on team x week means, standard errors clustered by team."""
    tr, po = treated.astype(float), post.astype(float)
    return _cluster_ols(y, np.column_stack([np.ones_like(tr), tr, po, tr * po]), groups)


def _pre_trend_clustered(y, treated, t, groups) -> float | None:
    """p of treated:week in value ~ treated + week + treated:week on the baseline weeks, team-clustered."""
    tr, tt = treated.astype(float), t.astype(float)
    p = _cluster_ols(y, np.column_stack([np.ones_like(tr), tr, tt, tr * tt]), groups)[3]
    return p if math.isfinite(p) else None


def _did_studentised(at, t, value, post, pilot_row, *, plain: bool = True) -> tuple[tuple[float, ...], ...]:
    """The pilot teams' mean step at the launch minus the comparison teams', each team's step measured against
    its own linear trend (value ~ 1 + week + post, team by team: the headline) and, with plain=True, against its
    own baseline (value ~ 1 + post: the plain tier); (effect, ci_low, ci_high, p, se, df) for each.

    Inference is over teams, as in Conley & Taber: the teams' scatter around their group's mean supplies the
    noise, so one pilot team, serially correlated weeks and organisation-wide shifts are all taken care of.
    Teams are not alike, though (a small team's weekly means are noisier: Ferman & Pinto), so each team's step
    variance is taken as kappa * v, v its own regression's variance (weekly residuals, assuming independent
    weeks) and kappa one factor for all teams, estimated from the studentised scatter of both groups; t with
    teams - 2 degrees of freedom. A steady drift of the pilot teams that started before the launch is a trend,
    not a step, so it is not credited to the idea (a weak form of Rambachan & Roth's smoothness bound)."""
    size = int(at.max()) + 1
    count = np.bincount(at, minlength=size).astype(float)
    is_pilot = np.zeros(size, dtype=bool)
    is_pilot[at[pilot_row]] = True
    with np.errstate(all="ignore"):
        tf = t.astype(float)
        p = post.astype(float)
        # One pass of bincounts gives every team's sums for both regressions.
        cells = np.tile(at, 6) + np.repeat(np.arange(6) * size, at.size)
        sums = np.bincount(cells[: 3 * at.size], weights=np.concatenate([p, value, tf]), minlength=3 * size)
        sums = sums.reshape(3, size) / count
        pc = p - sums[0][at]
        yc = value - sums[1][at]
        tc = tf - sums[2][at]
        products = np.concatenate([pc * pc, pc * yc, yc * yc, tc * tc, tc * pc, tc * yc])
        spp, spy, syy, stt, stp, sty = np.bincount(cells, weights=products, minlength=6 * size).reshape(6, size)
        det = stt * spp - stp * stp
        step = (stt * spy - stp * sty) / det
        slope = (spp * sty - stp * spy) / det
        rss = syy - slope * sty - step * spy
        headline = _studentised_t(step, rss / (count - 3) * (stt / det),
                                  (det > 1e-9 * stt * spp) & (count >= 4), is_pilot)
        if not plain:
            return (headline,)
        step = spy / spp
        rss = syy - step * spy
        return headline, _studentised_t(step, rss / (count - 2) / spp, (spp > 0) & (count >= 3), is_pilot)


def _studentised_t(step, v, ok, is_pilot) -> tuple[float, ...]:
    """(effect, ci_low, ci_high, p, se, df) from each team's step and its variance up to a common factor."""
    with np.errstate(all="ignore"):
        ok = ok & np.isfinite(step) & np.isfinite(v)
        v = np.maximum(v, 0.0)
        positive = v[ok & (v > 0)]
        if not positive.size:
            return NAN6
        # A team that never varies would get all the weight; its variance is floored at a sliver of the typical.
        v = np.maximum(v, 0.01 * np.median(positive))
        pil, com = ok & is_pilot, ok & ~is_pilot
        dp, dc, vp, vc = step[pil], step[com], v[pil], v[com]
        n_p, n_c = dp.size, dc.size
        if n_p < 1 or n_c < MIN_COMPARISON_TEAMS:
            return NAN6
        mp, mc = dp.sum() / n_p, dc.sum() / n_c
        df = n_p + n_c - 2
        kappa = (((dp - mp) ** 2 / vp).sum() + ((dc - mc) ** 2 / vc).sum()) / df
        se = math.sqrt(kappa * (vp.sum() / n_p**2 + vc.sum() / n_c**2))
        if not se > 0:
            return NAN6
        return (*_t_summary(mp - mc, se, np.float64(df)), se, float(df))


def _pre_trend_team_slopes(at, t, value, pilot_row) -> float | None:
    """p of a pooled t-test comparing pilot and comparison teams' weekly slopes over the baseline."""
    size = at.max() + 1
    count = np.bincount(at, minlength=size)
    t_mean = np.bincount(at, weights=t, minlength=size) / np.maximum(count, 1)
    y_mean = np.bincount(at, weights=value, minlength=size) / np.maximum(count, 1)
    dt = t - t_mean[at]
    sxx = np.bincount(at, weights=dt * dt, minlength=size)
    sxy = np.bincount(at, weights=dt * (value - y_mean[at]), minlength=size)
    ok = sxx > 0
    is_pilot = np.zeros(size, dtype=bool)
    is_pilot[at[pilot_row]] = True
    with np.errstate(all="ignore"):
        slope = sxy / sxx
    pilots, others = slope[ok & is_pilot], slope[ok & ~is_pilot]
    if pilots.size < 1 or others.size < MIN_COMPARISON_TEAMS:
        return None
    p = _pooled_t(pilots, others)[3]
    return p if math.isfinite(p) else None


def _mean_var(a: np.ndarray) -> tuple[np.float64, np.float64]:
    """Mean and variance (ddof 1) in scipy.stats' steps, so the t-tests below round as scipy's do; the
    variance of one value is NaN."""
    size = np.float64(a.size)
    mean = np.add.reduce(a) / size  # what a.mean() computes, without its wrapper
    d = a - mean
    return mean, np.add.reduce(d**2) / size * (size / (size - 1))


def _t_summary(estimate, se, df) -> tuple[float, float, float, float]:
    """(estimate, ci_low, ci_high, p) as scipy's TtestResult makes them from the standard error and df."""
    t = np.divide(estimate, se)
    p = 2 * special.stdtr(df, -np.abs(t))
    low, high = special.stdtrit(df, T_TAILS)
    return float(estimate), float(low * se + estimate), float(high * se + estimate), float(p)


def _pooled_t(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    """Difference of means a - b, its 95% CI and p-value, Student's t with pooled variance.

    scipy.stats.ttest_ind(a, b, equal_var=True) and its confidence_interval in closed form (the library's
    per-call overhead was most of the estimator's time), step by step as scipy computes it, so NaN comes
    where it does: an empty sample, a single value on each side, no spread and equal means."""
    if not a.size or not b.size:
        return NAN4
    n1, n2 = a.size, b.size
    with np.errstate(all="ignore"):
        m1, v1 = _mean_var(np.asarray(a, dtype=float))
        m2, v2 = _mean_var(np.asarray(b, dtype=float))
        if n1 == 1:
            v1 = np.float64(0.0)
        if n2 == 1:
            v2 = np.float64(0.0)
        df = np.float64(n1 + n2 - 2.0)
        pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
        return _t_summary(m1 - m2, np.sqrt(pooled * (1.0 / n1 + 1.0 / n2)), df)


def _before_after(pre: np.ndarray, post: np.ndarray) -> tuple[float, float, float, float]:
    """Difference of the pilot teams' weekly means after minus before, Welch's t-test.

    scipy.stats.ttest_ind(post, pre, equal_var=False) and its confidence_interval in closed form, with the
    Welch-Satterthwaite degrees of freedom (1 where they are undefined, as scipy); NaN where scipy's is: an
    empty sample, a single value on either side, no spread and equal means."""
    if not pre.size or not post.size:
        return NAN4
    n1, n2 = post.size, pre.size
    with np.errstate(all="ignore"):
        m1, v1 = _mean_var(np.asarray(post, dtype=float))
        m2, v2 = _mean_var(np.asarray(pre, dtype=float))
        vn1, vn2 = v1 / n1, v2 / n2
        df = (vn1 + vn2) ** 2 / (vn1**2 / (n1 - 1) + vn2**2 / (n2 - 1))
        if math.isnan(df):
            df = np.float64(1.0)
        return _t_summary(m1 - m2, np.sqrt(vn1 + vn2), df)


# ---- the launched ideas the estimator measures ------------------------------------------------------------


@dataclass(frozen=True)
class LaunchedIdea:
    id: int
    launch_date: date
    pilot_team_ids: tuple[int, ...]
    metric_codes: tuple[str, ...]


# The estimator's database reads (estimate_impact, estimate_portfolio, the launched ideas) live in
# hero_core/services/impact_reads.py: this module imports no database, session or service.
