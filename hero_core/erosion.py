"""Erosion: is a launched idea's measured effect fading, or its roadblock coming back? Pure rules, no database.

An idea whose evaluation window showed an improvement (hero_core.impact) is watched afterwards. Two checks:

* `check_fade` — effect fading. For every team with data, its step from the evaluation weeks to the RECENT_WEEKS
  most recent whole weeks after them (later mean minus evaluation mean). The pilot teams' mean step minus the
  comparison teams' is how much of the pilot teams' lead has changed since the evaluation; the same inference as
  the impact headline (`hero_core.impact._did_studentised`): over teams (Conley & Taber), each team studentised by
  its own weekly noise up to one common factor estimated from both groups' scatter (Ferman & Pinto), t with
  teams - 2 degrees of freedom. An alarm needs both evidence and size: the lead lost is significant one-sided at
  ALPHA, *and* at least MIN_SHARE_LOST of the effect measured in the evaluation window — so neither one bad week
  (it is one week of RECENT_WEEKS, and its noise is in the team's variance) nor a tiny but certain dip raises it,
  and at least MIN_RECENT_WEEKS later weeks of the pilot teams are needed before anything is said.
* `check_adoption` — adoption falling. Per team with adoption figures, the mean adopted share in the RECENT_WEEKS
  most recent weeks against the RECENT_WEEKS before them. With MIN_TEAMS_BETWEEN or more teams the teams' drops
  are the sample (one-sample t over teams, robust to figures that move together week by week); with fewer, each
  team's weekly figures around its two means supply the noise. An alarm needs one-sided p < ALPHA and a mean drop
  of at least MIN_ADOPTION_DROP.
* `check_returning` — roadblock returning. Help requests about the idea's systems from the teams it reaches,
  per week: the RECENT_WEEKS most recent weeks against the evaluation weeks. Counts are taken as Poisson; under
  an unchanged rate the recent count given the total is binomial (the exact conditional test of two Poisson
  rates), one-sided at ALPHA, and the recent rate must be at least RETURN_RATIO times the evaluation's and at
  least MIN_RETURNING requests.

docs/erosion.md (tests/erosion/test_erosion_calibration.py) judges both by simulation: false alarms with a steady
effect, how often a fade of half the effect is caught.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from hero_core.impact import WindowBounds
from hero_core.weeks import week_start

EFFECT_FADING = "effect_fading"
ADOPTION_FALLING = "adoption_falling"
ROADBLOCK_RETURNING = "roadblock_returning"
KINDS = (EFFECT_FADING, ADOPTION_FALLING, ROADBLOCK_RETURNING)
KIND_LABELS = {
    EFFECT_FADING: "Effect fading",
    ADOPTION_FALLING: "Adoption falling",
    ROADBLOCK_RETURNING: "Roadblock returning",
}

ALPHA = 0.05  # one-sided: only a loss of the lead (or more help requests) is an alarm
RECENT_WEEKS = 8  # the later weeks compared with the evaluation window: the most recent whole weeks
MIN_RECENT_WEEKS = 4  # weeks of the pilot teams after the evaluation window before anything is said
MIN_SHARE_LOST = 0.25  # of the effect measured in the evaluation window
RETURN_RATIO = 1.5  # recent weekly help requests at least this many times the evaluation window's
MIN_RETURNING = 5  # help requests in the recent weeks
MIN_ADOPTION_DROP = 0.10  # of the teams' adopted share, recent weeks against the weeks before them
MIN_TEAMS_BETWEEN = 3  # from this many teams, the teams' own drops supply the noise (t over teams)

FADING = "fading"
HOLDING = "holding"
TOO_EARLY = "too early"
NOT_ENOUGH_DATA = "not enough data"
RETURNING = "returning"
QUIET = "quiet"


@dataclass(frozen=True)
class FadeCheck:
    """One metric of one improved idea, evaluation window against the recent weeks."""

    metric: str
    status: str  # FADING, HOLDING, TOO_EARLY or NOT_ENOUGH_DATA
    effect: float  # measured in the evaluation window, in the metric's unit (signed)
    lost: float | None = None  # of the pilot teams' lead since then, in the metric's unit (> 0: lost)
    ci_low: float | None = None  # 90% interval of `lost` (the one-sided 95% bound is ci_low)
    ci_high: float | None = None
    p_value: float | None = None  # one-sided: the lead did not shrink
    recent_from: int | None = None  # the recent weeks (week numbers, inclusive)
    recent_to: int | None = None
    pilot_recent_weeks: int = 0
    teams: int = 0

    @property
    def alarm(self) -> bool:
        return self.status == FADING

    @property
    def share_lost(self) -> float | None:
        if self.lost is None or not self.effect:
            return None
        return self.lost / abs(self.effect)

    def detail(self, *, metric_name: str, unit: str = "") -> str:
        """The evidence in a sentence people can read."""
        u = f" {unit}" if unit else ""
        if self.status == TOO_EARLY:
            return (f"{metric_name}: only {self.pilot_recent_weeks} week(s) of the pilot teams after the evaluation "
                    f"window; at least {MIN_RECENT_WEEKS} are needed.")
        if self.status == NOT_ENOUGH_DATA or self.lost is None:
            return f"{metric_name}: not enough teams with data in both periods to compare."
        weeks = _week_span(self.recent_from, self.recent_to)
        share = self.share_lost or 0.0
        reading = (f"lost {self.lost:.2f}{u} of their {abs(self.effect):.2f}{u} lead ({share:.0%})"
                   if self.lost > 0 else f"kept their {abs(self.effect):.2f}{u} lead")
        return (f"{metric_name}: in {weeks} the pilot teams {reading} over the other teams, against the evaluation "
                f"window (one-sided {_p(self.p_value)}, {self.teams} teams).")


@dataclass(frozen=True)
class ReturnCheck:
    """Help requests about an idea's systems from its teams: evaluation weeks against the recent weeks."""

    status: str  # RETURNING, QUIET, TOO_EARLY or NOT_ENOUGH_DATA
    eval_count: int = 0
    eval_weeks: int = 0
    recent_count: int = 0
    recent_weeks: int = 0
    p_value: float | None = None
    recent_from: int | None = None
    recent_to: int | None = None

    @property
    def alarm(self) -> bool:
        return self.status == RETURNING

    def detail(self, *, systems: str) -> str:
        if self.status == TOO_EARLY:
            return f"Help requests about {systems}: fewer than {MIN_RECENT_WEEKS} weeks after the evaluation window."
        er = self.eval_count / self.eval_weeks if self.eval_weeks else 0.0
        rr = self.recent_count / self.recent_weeks if self.recent_weeks else 0.0
        p = "" if self.p_value is None else f", one-sided {_p(self.p_value)}"
        return (f"Help requests about {systems} from the idea's teams: {self.recent_count} in "
                f"{_week_span(self.recent_from, self.recent_to)} ({rr:.1f} a week) against {self.eval_count} in the "
                f"{self.eval_weeks} evaluation weeks ({er:.1f} a week){p}.")


def _p(p: float | None) -> str:
    return "p < 0.001" if p is not None and p < 0.001 else f"p = {p:.3f}"


def _week_span(lo: int | None, hi: int | None) -> str:
    if lo is None or hi is None:
        return "the recent weeks"
    return f"the {hi - lo + 1} weeks from {week_start(lo).isoformat()}"


def recent_span(bounds: WindowBounds, last_week: int, recent_weeks: int = RECENT_WEEKS) -> tuple[int, int] | None:
    """The recent weeks compared with the evaluation window: the `recent_weeks` whole weeks up to `last_week`,
    none of them inside the evaluation window; None before the first week after it."""
    e_hi = bounds.weeks()[3]
    if last_week <= e_hi:
        return None
    return max(e_hi + 1, last_week - recent_weeks + 1), last_week


def check_fade(
    *,
    team: np.ndarray,
    week: np.ndarray,
    value: np.ndarray,
    treated: tuple[int, ...] | list[int],
    metric: str,
    effect: float,
    bounds: WindowBounds,
    last_week: int,
    recent_weeks: int = RECENT_WEEKS,
) -> FadeCheck:
    """Has the pilot teams' lead measured in the evaluation window (`effect`, signed, already judged an
    improvement) shrunk in the recent weeks up to `last_week` (the last whole week with data)? Arrays are one row
    per team x week (team id, week number, weekly mean), as the impact estimator reads them."""
    _, _, e_lo, e_hi = bounds.weeks()
    span = recent_span(bounds, last_week, recent_weeks)
    if span is None:
        return FadeCheck(metric=metric, status=TOO_EARLY, effect=effect)
    r_lo, r_hi = span
    team, week, value = np.asarray(team), np.asarray(week), np.asarray(value, dtype=float)
    in_eval = (week >= e_lo) & (week <= e_hi)
    in_recent = (week >= r_lo) & (week <= r_hi)
    is_pilot_row = np.isin(team, np.asarray(list(treated), dtype=team.dtype if team.size else np.int64))
    pilot_weeks = np.unique(week[in_recent & is_pilot_row]).size
    if pilot_weeks < MIN_RECENT_WEEKS:
        return FadeCheck(metric=metric, status=TOO_EARLY, effect=effect, recent_from=r_lo, recent_to=r_hi,
                         pilot_recent_weeks=int(pilot_weeks))
    keep = in_eval | in_recent
    teams, at = np.unique(team[keep], return_inverse=True)
    y, later = value[keep], in_recent[keep]
    size = teams.size
    k_e = np.bincount(at[~later], minlength=size).astype(float)
    k_l = np.bincount(at[later], minlength=size).astype(float)
    with np.errstate(all="ignore"):
        m_e = np.bincount(at[~later], weights=y[~later], minlength=size) / k_e
        m_l = np.bincount(at[later], weights=y[later], minlength=size) / k_l
        resid = y - np.where(later, m_l[at], m_e[at])
        rss = np.bincount(at, weights=resid * resid, minlength=size)
        step = m_l - m_e
        v = rss / (k_e + k_l - 2) * (1 / k_e + 1 / k_l)
    ok = (k_e >= 2) & (k_l >= 2) & np.isfinite(step) & np.isfinite(v)
    pilot = np.isin(teams, np.asarray(list(treated), dtype=teams.dtype if teams.size else np.int64))
    summary = _studentised(step, v, ok, pilot)
    base = dict(metric=metric, effect=effect, recent_from=r_lo, recent_to=r_hi, pilot_recent_weeks=int(pilot_weeks),
                teams=int(ok.sum()))
    if summary is None:
        return FadeCheck(status=NOT_ENOUGH_DATA, **base)
    diff, se, df = summary
    lost = -diff if effect > 0 else diff  # the lead is in the effect's direction: moving back is a loss
    p = float(special.stdtr(df, -lost / se))  # one-sided: P(T >= lost / se) with no loss
    half = float(special.stdtrit(df, 1 - ALPHA)) * se
    fading = p < ALPHA and lost >= MIN_SHARE_LOST * abs(effect)
    return FadeCheck(status=FADING if fading else HOLDING, lost=float(lost), ci_low=float(lost - half),
                     ci_high=float(lost + half), p_value=p, **base)


def _studentised(step, v, ok, is_pilot) -> tuple[float, float, float] | None:
    """(pilot mean step - comparison mean step, its standard error, df), each team's step variance kappa * v."""
    with np.errstate(all="ignore"):
        v = np.maximum(v, 0.0)
        positive = v[ok & (v > 0)]
        if not positive.size:
            return None
        # A team that never varies would get all the weight: its variance is floored at a sliver of the typical.
        v = np.maximum(v, 0.01 * np.median(positive))
        dp, dc = step[ok & is_pilot], step[ok & ~is_pilot]
        vp, vc = v[ok & is_pilot], v[ok & ~is_pilot]
        n_p, n_c = dp.size, dc.size
        if n_p < 1 or n_c < 2:
            return None
        mp, mc = dp.mean(), dc.mean()
        df = n_p + n_c - 2
        kappa = (((dp - mp) ** 2 / vp).sum() + ((dc - mc) ** 2 / vc).sum()) / df
        se = math.sqrt(kappa * (vp.sum() / n_p**2 + vc.sum() / n_c**2))
        if not se > 0 or not math.isfinite(se):
            return None
        return float(mp - mc), se, float(df)


def check_returning(
    *, weekly_counts: dict[int, int], bounds: WindowBounds, last_week: int, recent_weeks: int = RECENT_WEEKS
) -> ReturnCheck:
    """Are help requests about the idea's systems (`weekly_counts`: week number -> requests from the idea's teams;
    weeks without any may be absent) rising again in the recent weeks, against the evaluation window?"""
    _, _, e_lo, e_hi = bounds.weeks()
    span = recent_span(bounds, last_week, recent_weeks)
    if span is None or span[1] - span[0] + 1 < MIN_RECENT_WEEKS:
        return ReturnCheck(status=TOO_EARLY)
    r_lo, r_hi = span
    w_e, w_r = e_hi - e_lo + 1, r_hi - r_lo + 1
    n_e = sum(c for w, c in weekly_counts.items() if e_lo <= w <= e_hi)
    n_r = sum(c for w, c in weekly_counts.items() if r_lo <= w <= r_hi)
    base = dict(eval_count=int(n_e), eval_weeks=w_e, recent_count=int(n_r), recent_weeks=w_r, recent_from=r_lo,
                recent_to=r_hi)
    if n_e + n_r == 0:
        return ReturnCheck(status=QUIET, p_value=1.0, **base)
    # Equal weekly rates: the recent share of all requests is binomial with the recent share of the weeks.
    p = float(stats.binom.sf(n_r - 1, n_e + n_r, w_r / (w_e + w_r)))
    rising = p < ALPHA and n_r >= MIN_RETURNING and n_r / w_r >= RETURN_RATIO * (n_e / w_e)
    return ReturnCheck(status=RETURNING if rising else QUIET, p_value=p, **base)


@dataclass(frozen=True)
class AdoptionCheck:
    """An idea's adoption per team: the recent weeks against the weeks before them."""

    status: str  # FALLING, STEADY, TOO_EARLY or NOT_ENOUGH_DATA
    drop: float | None = None  # mean over teams, in share points (> 0: fell)
    p_value: float | None = None
    teams: int = 0
    before: float | None = None  # mean share in the weeks before
    recent: float | None = None
    recent_from: int | None = None
    recent_to: int | None = None

    @property
    def alarm(self) -> bool:
        return self.status == FALLING

    def detail(self) -> str:
        if self.drop is None:
            return "Adoption: not enough figures in the recent weeks and the weeks before them to compare."
        return (f"Adoption fell from {self.before:.0%} to {self.recent:.0%} of the people in {self.teams} team(s) "
                f"in {_week_span(self.recent_from, self.recent_to)} against the {RECENT_WEEKS} weeks before "
                f"(one-sided {_p(self.p_value)}).")


FALLING = "falling"
STEADY = "steady"


def check_adoption(*, team: np.ndarray, week: np.ndarray, share: np.ndarray, last_week: int,
                   recent_weeks: int = RECENT_WEEKS) -> AdoptionCheck:
    """Is the adopted share of the idea's teams falling? Arrays: one row per team x week with figures (the week's
    mean share)."""
    r_lo, r_hi = last_week - recent_weeks + 1, last_week
    p_lo = r_lo - recent_weeks
    team, week, share = np.asarray(team), np.asarray(week), np.asarray(share, dtype=float)
    keep = (week >= p_lo) & (week <= r_hi)
    if not keep.any():
        return AdoptionCheck(status=NOT_ENOUGH_DATA, recent_from=r_lo, recent_to=r_hi)
    teams, at = np.unique(team[keep], return_inverse=True)
    y, recent = share[keep], week[keep] >= r_lo
    size = teams.size
    k_p = np.bincount(at[~recent], minlength=size).astype(float)
    k_r = np.bincount(at[recent], minlength=size).astype(float)
    ok = (k_p >= 1) & (k_r >= 1)
    if not ok.any() or k_r[ok].sum() < 2:
        return AdoptionCheck(status=TOO_EARLY if not k_r.any() else NOT_ENOUGH_DATA, recent_from=r_lo,
                             recent_to=r_hi)
    with np.errstate(all="ignore"):
        m_p = np.bincount(at[~recent], weights=y[~recent], minlength=size) / k_p
        m_r = np.bincount(at[recent], weights=y[recent], minlength=size) / k_r
    drops = (m_p - m_r)[ok]
    n = int(ok.sum())
    drop = float(drops.mean())
    if n >= MIN_TEAMS_BETWEEN:
        df = n - 1
        se = float(drops.std(ddof=1)) / math.sqrt(n)
    else:
        rows_ok = ok[at]
        resid = (y - np.where(recent, m_r[at], m_p[at]))[rows_ok]
        df = int(rows_ok.sum()) - 2 * n
        if df < 1:
            return AdoptionCheck(status=NOT_ENOUGH_DATA, teams=n, recent_from=r_lo, recent_to=r_hi)
        s2 = float((resid**2).sum()) / df
        se = math.sqrt(s2 * float((1 / k_p[ok] + 1 / k_r[ok]).sum())) / n
    se = max(se, 1e-3)  # identical figures week after week: a drop is then plain, but not infinitely certain
    p = float(special.stdtr(df, -drop / se))
    falling = p < ALPHA and drop >= MIN_ADOPTION_DROP
    return AdoptionCheck(status=FALLING if falling else STEADY, drop=drop, p_value=p, teams=n,
                         before=float(m_p[ok].mean()), recent=float(m_r[ok].mean()), recent_from=r_lo, recent_to=r_hi)
