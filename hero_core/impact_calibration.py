"""Monte Carlo calibration of the impact estimator: synthetic daily team data with a known truth.

Each scenario family draws daily values for every team (noise of standard deviation 1, so effects are in SD),
averages them to team x week means as the database does (`weekly_arrays`: the mean of the days with data and
their count), and runs the pure `hero_core.impact.estimate_arrays` on each replication. Per family it reports
how often the headline verdict is wrong (improved or worsened when nothing happened; the wrong sign when
something did), how often the 95% interval covers the true effect, the interval's median width and the power
(the share called improved, the good side being "higher"). `make calibrate` writes docs/impact-validation.md;
tests/impact/test_calibration.py runs a small seeded version.
"""

from __future__ import annotations

import argparse
import math
import time
import zlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import signal

from hero_core import impact

LAUNCH = date(2025, 3, 5)  # a Wednesday: the launch week belongs to neither window
SEED = 20261207
BURN_IN_DAYS = 60  # so serially correlated noise starts from its stationary distribution


@dataclass(frozen=True)
class Scenario:
    """One family of synthetic organisations; effects, shifts and drifts are in SD of a team's daily noise."""

    name: str
    pilots: int = 3
    comparison: int = 8
    effect: float = 0.0  # on the pilot teams, every day from the launch
    ar: float = 0.0  # AR(1) coefficient of the daily noise
    org_shift: float = 0.0  # every team, every day from the launch
    pilot_drift: float = 0.0  # per week, on the pilot teams, over both windows
    pilot_noise: float = 1.0  # the pilot teams' noise SD
    pilot_days: float = 1.0  # the share of days on which a pilot team has data
    ramp_weeks: float = 0.0  # the effect grows linearly to its full size over this many weeks after the launch

    @property
    def null(self) -> bool:
        return self.effect == 0.0

    def truth(self, windows: impact.ImpactWindows | None = None) -> float:
        """The true effect the estimator is after: the pilot teams' mean effect over the evaluation weeks."""
        if not self.ramp_weeks:
            return self.effect
        _, _, e_lo, e_hi = (windows or impact.ImpactWindows()).bounds(LAUNCH).weeks()
        first = (date(1970, 1, 5) + timedelta(weeks=e_lo) - LAUNCH).days
        days = np.arange(first, first + 7 * (e_hi - e_lo + 1))
        return float(self.effect * np.clip(days / (7.0 * self.ramp_weeks), 0.0, 1.0).mean())


NOTHING_HAPPENED = (
    Scenario("plain: 1 pilot vs 10, independent days", pilots=1, comparison=10),
    Scenario("plain: 3 pilots vs 8, correlated days (AR 0.95)", ar=0.95),
    Scenario("plain: 2 pilots vs 9, org-wide shift of 1 SD, correlated days", pilots=2, comparison=9, ar=0.95,
             org_shift=1.0),
    Scenario("pilots already drifting up 0.02 SD a week", pilot_drift=0.02),
    Scenario("pilots already drifting up 0.05 SD a week", pilot_drift=0.05),
    Scenario("1 small pilot team (half the days), twice as noisy, vs 10", pilots=1, comparison=10,
             pilot_noise=2.0, pilot_days=0.5),
    Scenario("1 small pilot team, twice as noisy, correlated days", pilots=1, comparison=10, pilot_noise=2.0,
             pilot_days=0.5, ar=0.95),
    Scenario("1 pilot vs 2 comparison teams", pilots=1, comparison=2),
    Scenario("10 pilots vs 2 comparison teams", pilots=10, comparison=2),
    Scenario("10 pilots vs 2 comparison teams, correlated days", pilots=10, comparison=2, ar=0.95),
    Scenario("no comparison teams, correlated days", comparison=0, ar=0.95),
    Scenario("no comparison teams, org-wide shift of 0.5 SD", comparison=0, org_shift=0.5),
    Scenario("1 comparison team, org-wide shift of 0.5 SD", comparison=1, org_shift=0.5),
)
REAL_EFFECTS = tuple(
    Scenario(f"+{size:g} SD on {k} of 11 teams, independent days", pilots=k, comparison=11 - k, effect=size)
    for k in (1, 3)
    for size in (0.25, 0.5, 1.0)
) + tuple(
    Scenario(f"+1 SD on 3 of 11 teams, growing in over {weeks} weeks", effect=1.0, ramp_weeks=weeks)
    for weeks in (4, 8)
)
FAMILIES = NOTHING_HAPPENED + REAL_EFFECTS


def weekly_draws(scenario: Scenario, reps: int, rng: np.random.Generator,
                 windows: impact.ImpactWindows | None = None):
    """(team, week, value, n) per replication: team x week means of synthetic days, as `weekly_arrays` gives
    them (weeks without data are absent). Pilot teams are 0..pilots-1."""
    bounds = (windows or impact.ImpactWindows()).bounds(LAUNCH)
    b_lo, _, _, e_hi = bounds.weeks()
    n_teams = scenario.pilots + scenario.comparison
    n_weeks = e_hi - b_lo + 1
    n_days = 7 * n_weeks
    first_day = date(1970, 1, 5) + timedelta(weeks=b_lo)
    day_from_launch = (np.arange(n_days) - (LAUNCH - first_day).days).astype(float)
    post = day_from_launch >= 0

    shocks = rng.standard_normal((reps, n_teams, n_days + BURN_IN_DAYS))
    if scenario.ar:
        noise = signal.lfilter([math.sqrt(1 - scenario.ar**2)], [1.0, -scenario.ar], shocks, axis=-1)
        noise = noise[..., BURN_IN_DAYS:]
    else:
        noise = shocks[..., BURN_IN_DAYS:]
    is_pilot = np.arange(n_teams) < scenario.pilots
    scale = np.where(is_pilot, scenario.pilot_noise, 1.0)[None, :, None]
    level = rng.normal(0.0, 1.0, (reps, n_teams, 1))  # teams differ in level; DiD should not care
    value = level + scale * noise + scenario.org_shift * post
    ramp = np.clip(day_from_launch / (7.0 * scenario.ramp_weeks), 0.0, 1.0) if scenario.ramp_weeks else post
    value[:, is_pilot, :] += scenario.effect * ramp + scenario.pilot_drift * day_from_launch / 7.0

    has = np.ones(value.shape, dtype=bool)
    if scenario.pilot_days < 1.0:
        has[:, is_pilot, :] = rng.random((reps, int(is_pilot.sum()), n_days)) < scenario.pilot_days
    sums = np.where(has, value, 0.0).reshape(reps, n_teams, n_weeks, 7).sum(-1)
    counts = has.reshape(reps, n_teams, n_weeks, 7).sum(-1)
    team = np.repeat(np.arange(n_teams), n_weeks)
    week = np.tile(np.arange(b_lo, e_hi + 1), n_teams)
    order = np.argsort(week, kind="stable")  # the database hands rows over in week order
    team, week = team[order], week[order]
    for r in range(reps):
        n = counts[r].reshape(-1)[order]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = sums[r].reshape(-1)[order] / n
        ok = n > 0
        yield team[ok], week[ok], mean[ok], n[ok]


def run_family(scenario: Scenario, reps: int, rng: np.random.Generator) -> dict:
    """The headline's (and, where the estimator gives one, the plain tier's) rates over `reps` replications."""
    bounds = impact.ImpactWindows().bounds(LAUNCH)
    n_teams = scenario.pilots + scenario.comparison
    labels = {i: f"T{i}" for i in range(n_teams)}
    treated = set(range(scenario.pilots))
    truth = scenario.truth()
    verdicts, plain_verdicts, covered, widths, mdes = [], [], [], [], []
    for team, week, value, n in weekly_draws(scenario, reps, rng):
        e = impact.estimate_arrays(team=team, week=week, value=value, n=n, treated=treated,
                                   team_labels=labels, metric="m", direction="higher", bounds=bounds)
        verdicts.append(e.verdict)
        plain_verdicts.append(getattr(e, "plain_verdict", None))
        if e.ci_low is not None and e.ci_high is not None:
            covered.append(e.ci_low <= truth <= e.ci_high)
            widths.append(e.ci_high - e.ci_low)
        mde = getattr(e, "mde", None)
        if mde is not None:
            mdes.append(mde)
    v = np.array(verdicts)
    wrong = np.isin(v, [impact.IMPROVED, impact.WORSENED]) if scenario.null else (v == impact.WORSENED)
    row = {
        "family": scenario.name,
        "truth": truth,
        "reps": reps,
        "wrong": float(wrong.mean()),
        "improved": float((v == impact.IMPROVED).mean()),
        "coverage": float(np.mean(covered)) if covered else math.nan,
        "with_interval": len(covered),
        "median_width": float(np.median(widths)) if widths else math.nan,
        "median_mde": float(np.median(mdes)) if mdes else math.nan,
        "verdicts": pd.Series(v).value_counts().to_dict(),
    }
    pv = np.array([p for p in plain_verdicts if p is not None])
    if pv.size:
        plain_wrong = np.isin(pv, [impact.IMPROVED, impact.WORSENED]) if scenario.null else pv == impact.WORSENED
        row["plain_wrong"] = float(plain_wrong.mean())
        row["plain_improved"] = float((pv == impact.IMPROVED).mean())
    return row


def run(families=FAMILIES, *, reps: int = 1000, seed: int = SEED) -> pd.DataFrame:
    """Every family with its own stream of the seeded generator, keyed by its name, so one family's figures do
    not depend on which others ran or in what order."""
    return pd.DataFrame([
        run_family(f, reps, np.random.default_rng([seed, zlib.crc32(f.name.encode())])) for f in families
    ])


def binomial_se(rate: float, reps: int) -> float:
    return math.sqrt(rate * (1 - rate) / reps)


def _pct(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _num(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def markdown(table: pd.DataFrame, *, reps: int, seed: int, seconds: float) -> str:
    """docs/impact-validation.md: the table and how it was made."""
    head = (
        "| family | truth (SD) | wrong verdicts | called improved | 95% CI covers truth | median CI width (SD) "
        "| median MDE (SD) | plain tier: wrong | plain tier: improved |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for r in table.to_dict("records"):
        cover = _pct(r["coverage"]) if r["with_interval"] else "no interval"
        lines.append(
            f"| {r['family']} | {r['truth']:.2g} | {_pct(r['wrong'])} | {_pct(r['improved'])} | {cover} "
            f"| {_num(r['median_width'])} | {_num(r['median_mde'])} | {_pct(r.get('plain_wrong', math.nan))} "
            f"| {_pct(r.get('plain_improved', math.nan))} |"
        )
    se = 100 * binomial_se(0.05, reps)
    return f"""# Impact estimator: validation by simulation

Made by `make calibrate` (`python -m hero_core.impact_calibration --reps {reps} --seed {seed}`), {reps:,}
replications per family, seed {seed}, in {seconds:.0f} s. Method version: `{getattr(impact, "METHOD_VERSION", "1")}`.

## How the data are made

Each replication draws an organisation of teams with a daily value per team over the baseline and evaluation
windows around a launch on Wednesday {LAUNCH.isoformat()} (90 days each, the launch week in neither): a team level
(normal, SD 1), daily noise of SD 1 (independent, or AR(1) with coefficient 0.95 where the family says
"correlated"), and the family's organisation-wide shift, pilot drift and true effect on the pilot teams from the
launch day. Days are averaged to team x week means with their counts, exactly what the database hands the
estimator, and `hero_core.impact.estimate_arrays` is run on them with the metric's good direction "higher".
Effects are in SD of a team's daily noise; a weekly mean of seven independent days has SD 0.38.

## What is counted

* **wrong verdicts**: when nothing happened (truth 0), the share called *improved* or *worsened*; when something
  did, the share called *worsened*.
* **called improved**: the power when the truth is positive.
* **95% CI covers truth**: the share of intervals containing the true effect ("no interval" where the headline gives
  none: the before/after fallback claims nothing about the idea's effect).
* **median MDE**: the smallest effect the data could have detected with 80% power, as the estimator reports it.
* **plain tier**: the plain difference-in-differences shown beside the headline (it assumes the pilot and
  comparison teams would have moved in parallel).

With {reps:,} replications a rate near 5% has a binomial standard error of {se:.1f} points.

## The method being checked

The headline (`estimate_arrays`, method version above) measures each team's step at the launch against that
team's own linear trend over both windows (value ~ 1 + week + post, team by team), takes the pilot teams' mean
step minus the comparison teams', and tests it over teams (Conley & Taber): each team's step variance is its own
regression's variance times one factor common to all teams, estimated from the studentised scatter of both groups
(Ferman & Pinto's correction for unequal team noise), t with teams - 2 degrees of freedom. A steady pre-existing
drift is a trend, not a step, so it is not credited to the idea. With fewer than two comparison teams the verdict
is *cannot be attributed* and the headline has no interval; the before/after difference is the plain tier. The
plain tier is the same test on each team's plain change (after minus before), or team-clustered OLS when both
groups have ten or more teams.

Limits, by design: an effect that keeps growing through the evaluation window looks like a trend, and the headline
takes it for one (see the "growing in" families: the truth there is the mean effect over the evaluation weeks).
It errs towards *no clear change*, never towards a false *improved*, and the plain tier still shows it ("better, if
the pilot teams were not already drifting apart"); setting HERO_IMPACT_RAMP_DAYS to the ramp-up keeps those weeks
out, so the headline sees the plateau as a step. The alternative, a trend fitted on the baseline weeks alone and
extrapolated (any shape after the launch), was simulated on the same families while choosing the method: equally
honest, and it finds the growing effects (71% and 50% improved), but it confirms +0.5 SD on 3 of 11 teams only 30%
of the time (48% here) and +1 SD on 1 of 11 teams 47% (70% here). A drift that bends (a dip just before the launch, a
seasonal swing only the pilot teams have) is not covered by a linear trend and is not simulated here.

## Results

{head}{chr(10).join(lines)}

## Before issue 19 (the plain difference-in-differences as the headline)

The same families, 1,000 replications, seed {SEED}, with the estimator before method version 2: pooled t-test on
team changes (team-clustered OLS from ten pilot teams), before/after Welch t-test without comparison teams.

| family | wrong verdicts | 95% CI covers truth | called improved |
|---|---:|---:|---:|
| plain: 1 pilot vs 10, independent days | 4.1% | 95.9% | 1.7% |
| plain: 3 pilots vs 8, correlated days (AR 0.95) | 6.3% | 93.7% | 2.8% |
| plain: 2 pilots vs 9, org-wide shift of 1 SD, correlated days | 6.0% | 94.0% | 2.4% |
| pilots already drifting up 0.02 SD a week | 58.4% | 41.6% | 58.4% |
| pilots already drifting up 0.05 SD a week | 100.0% | 0.0% | 100.0% |
| 1 small pilot team (half the days), twice as noisy, vs 10 | 46.1% | 53.9% | 22.5% |
| 1 small pilot team, twice as noisy, correlated days | 26.5% | 73.5% | 13.0% |
| 1 pilot vs 2 comparison teams | 4.8% | 95.2% | 2.6% |
| 10 pilots vs 2 comparison teams | 17.0% | 83.0% | 8.0% |
| 10 pilots vs 2 comparison teams, correlated days | 18.8% | 81.2% | 8.1% |
| no comparison teams, correlated days | 23.8% | 76.2% | 12.2% |
| no comparison teams, org-wide shift of 0.5 SD | 75.7% | 24.3% | 75.7% |
| 1 comparison team, org-wide shift of 0.5 SD | 74.5% | 25.5% | 74.5% |
| +0.25 SD on 1 of 11 teams, independent days | 0.0% | 95.4% | 30.5% |
| +0.5 SD on 1 of 11 teams, independent days | 0.0% | 95.2% | 78.2% |
| +1 SD on 1 of 11 teams, independent days | 0.0% | 96.5% | 99.9% |
| +0.25 SD on 3 of 11 teams, independent days | 0.0% | 94.9% | 55.3% |
| +0.5 SD on 3 of 11 teams, independent days | 0.0% | 93.2% | 98.9% |
| +1 SD on 3 of 11 teams, independent days | 0.0% | 94.9% | 100.0% |
| +1 SD on 3 of 11 teams, growing in over 4 weeks | 0.0% | 95.5% | 100.0% |
| +1 SD on 3 of 11 teams, growing in over 8 weeks | 0.0% | 94.8% | 100.0% |

The price of honesty is power: a real effect must be about twice as large to be confirmed by the headline, because
each team's own trend has to be estimated. The plain tier keeps the old sensitivity, in words that state its
assumption.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", default="docs/impact-validation.md")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    table = run(reps=args.reps, seed=args.seed)
    text = markdown(table, reps=args.reps, seed=args.seed, seconds=time.perf_counter() - start)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
