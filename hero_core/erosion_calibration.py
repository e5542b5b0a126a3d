"""Monte Carlo judgement of the erosion alarms (hero_core.erosion): synthetic organisations with a known truth.

Each world draws daily values for every team (a team level of SD 1, daily noise of SD 1, independent or AR(1)),
a true effect on the pilot teams from the launch, averaged to team x week means as the database does. The impact
estimator (hero_core.impact.estimate_arrays) measures the evaluation window; only worlds it calls *improved* are
watched, as in the app. Then `check_fade` compares the evaluation window with the 8 most recent of the 12 weeks
after it. Steady families keep the effect; fading families lose a share of it from the first week after the
evaluation window. `python -m hero_core.erosion_calibration` prints the table for docs/erosion.md;
tests/erosion/test_erosion_calibration.py runs it seeded.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import signal

from hero_core import erosion, impact
from hero_core.weeks import WEEK_EPOCH, week_start

LAUNCH = date(2025, 3, 5)
SEED = 20261207
LATER_WEEKS = 12  # whole weeks simulated after the evaluation window


@dataclass(frozen=True)
class World:
    name: str
    pilots: int = 3
    comparison: int = 8
    effect: float = 1.0  # SD of daily noise, on the pilot teams from the launch
    share_lost: float = 0.0  # of the effect, from the first week after the evaluation window
    ar: float = 0.0
    org_shift_later: float = 0.0  # every team, from the first week after the evaluation window


FAMILIES = (
    World("steady +1 SD, 3 pilots vs 8"),
    World("steady +1 SD, 1 pilot vs 10", pilots=1, comparison=10),
    World("steady +2 SD, 3 vs 8, correlated days (AR 0.95)", effect=2.0, ar=0.95),
    World("steady +1 SD, 3 vs 8, org-wide shift of -1 SD later", org_shift_later=-1.0),
    World("half the effect lost, 3 vs 8", share_lost=0.5),
    World("half the effect lost, 1 vs 10", pilots=1, comparison=10, share_lost=0.5),
    World("half of +2 SD lost, 3 vs 8, correlated days", effect=2.0, share_lost=0.5, ar=0.95),
    World("all of it lost, 3 vs 8", share_lost=1.0),
    World("a quarter lost, 3 vs 8", share_lost=0.25),
)


@dataclass(frozen=True)
class Result:
    world: World
    watched: int  # worlds the estimator called improved
    alarms: int

    @property
    def rate(self) -> float:
        return self.alarms / self.watched if self.watched else float("nan")


def simulate(world: World, *, worlds: int, rng: np.random.Generator) -> Result:
    windows = impact.ImpactWindows()
    bounds = windows.bounds(LAUNCH)
    _, _, _, e_hi = bounds.weeks()
    first = bounds.baseline_start
    last_week = e_hi + LATER_WEEKS
    n_days = (week_start(last_week + 1) - first).days
    day_dates = np.arange(first.toordinal(), first.toordinal() + n_days)
    day_week = (day_dates - WEEK_EPOCH.toordinal()) // 7
    after_launch = day_dates >= LAUNCH.toordinal()
    later = day_week > e_hi
    n_teams = world.pilots + world.comparison
    treated = tuple(range(world.pilots))
    labels = {i: f"T{i}" for i in range(n_teams)}
    weeks_u, week_at = np.unique(day_week, return_inverse=True)
    watched = alarms = 0
    for _ in range(worlds):
        noise = rng.standard_normal((n_teams, n_days + 60))
        if world.ar:
            noise = signal.lfilter([np.sqrt(1 - world.ar**2)], [1, -world.ar], noise, axis=1)
        daily = noise[:, 60:] + rng.standard_normal((n_teams, 1))
        gain = world.effect * after_launch * np.where(later, 1 - world.share_lost, 1.0)
        daily[: world.pilots] += gain
        daily += world.org_shift_later * later
        weekly = np.stack([np.bincount(week_at, weights=row) / np.bincount(week_at) for row in daily])
        team = np.repeat(np.arange(n_teams), weeks_u.size)
        week = np.tile(weeks_u, n_teams)
        value = weekly.ravel()
        est = impact.estimate_arrays(team=team, week=week, value=value, n=np.full(value.size, 7), treated=treated,
                                     team_labels=labels, metric="m", direction="higher", bounds=bounds)
        if est.verdict != impact.IMPROVED:
            continue
        watched += 1
        check = erosion.check_fade(team=team, week=week, value=value, treated=treated, metric="m",
                                   effect=float(est.effect), bounds=bounds, last_week=last_week)
        alarms += check.alarm
    return Result(world, watched, alarms)


#: (name, weekly help requests in the evaluation window, in the later weeks)
RETURNING_FAMILIES = (
    ("steady, 1 request a week", 1.0, 1.0),
    ("steady, 5 requests a week", 5.0, 5.0),
    ("rising from 1 to 3 a week", 1.0, 3.0),
    ("rising from 5 to 10 a week", 5.0, 10.0),
)


def simulate_returning(*, worlds: int, rng: np.random.Generator) -> list[tuple[str, float]]:
    """Share of worlds whose help requests (Poisson per week) raise a roadblock-returning alarm."""
    bounds = impact.ImpactWindows().bounds(LAUNCH)
    _, _, e_lo, e_hi = bounds.weeks()
    last_week = e_hi + LATER_WEEKS
    out = []
    for name, before, after in RETURNING_FAMILIES:
        alarms = 0
        for _ in range(worlds):
            counts = {w: int(rng.poisson(before if w <= e_hi else after)) for w in range(e_lo, last_week + 1)}
            alarms += erosion.check_returning(weekly_counts=counts, bounds=bounds, last_week=last_week).alarm
        out.append((name, alarms / worlds))
    return out


#: (name, teams, weekly adoption noise SD, drop in the recent weeks)
ADOPTION_FAMILIES = (
    ("steady 70%, 1 team, noise 5 points", 1, 0.05, 0.0),
    ("steady 70%, 4 teams, noise 5 points", 4, 0.05, 0.0),
    ("steady 70%, 4 teams, noise 10 points, weeks moving together", 4, 0.10, 0.0),
    ("falls by 20 points, 1 team", 1, 0.05, 0.2),
    ("falls by 20 points, 4 teams", 4, 0.05, 0.2),
    ("falls by 20 points on 2 of 4 teams", 4, 0.05, -0.2),
)


def simulate_adoption(*, worlds: int, rng: np.random.Generator) -> list[tuple[str, float]]:
    """Share of worlds whose weekly adoption figures raise an adoption-falling alarm; 16 weeks of figures, the
    drop (if any) in the last 8. "Weeks moving together": a common weekly shock as large as the teams' noise."""
    out = []
    for name, teams, sd, drop in ADOPTION_FAMILIES:
        alarms = 0
        weeks = np.arange(16)
        for _ in range(worlds):
            level = np.clip(0.7 + rng.normal(0, 0.1, teams), 0.05, 0.95)
            common = rng.normal(0, sd, weeks.size) if "together" in name else np.zeros(weeks.size)
            share = level[:, None] + common[None, :] + rng.normal(0, sd, (teams, weeks.size))
            hit = np.arange(teams) < (teams // 2 if drop < 0 else teams)
            share -= np.where(hit[:, None] & (weeks[None, :] >= 8), abs(drop), 0.0)
            share = np.clip(share, 0, 1)
            team = np.repeat(np.arange(teams), weeks.size)
            week = np.tile(weeks, teams)
            alarms += erosion.check_adoption(team=team, week=week, share=share.ravel(), last_week=15).alarm
        out.append((name, alarms / worlds))
    return out


def run(*, worlds: int = 400, seed: int = SEED, families=FAMILIES) -> list[Result]:
    rng = np.random.default_rng(seed)
    return [simulate(w, worlds=worlds, rng=rng) for w in families]


def table(results: list[Result]) -> str:
    lines = ["| family | worlds watched (improved) | alarms |", "|---|---|---|"]
    lines += [f"| {r.world.name} | {r.watched} | {r.rate:.1%} |" for r in results]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=400)
    args = parser.parse_args()
    print(table(run(worlds=args.worlds)))
    print()
    print("| help requests | alarms |\n|---|---|")
    for name, rate in simulate_returning(worlds=args.worlds, rng=np.random.default_rng(SEED)):
        print(f"| {name} | {rate:.1%} |")
    print()
    print("| adoption | alarms |\n|---|---|")
    for name, rate in simulate_adoption(worlds=args.worlds, rng=np.random.default_rng(SEED)):
        print(f"| {name} | {rate:.1%} |")


if __name__ == "__main__":
    main()
