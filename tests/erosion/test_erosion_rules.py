"""The erosion rules on small hand-made panels (hero_core/erosion.py)."""

from __future__ import annotations

from datetime import date

import numpy as np

from hero_core import erosion
from hero_core.impact import ImpactWindows

BOUNDS = ImpactWindows().bounds(date(2025, 3, 5))
_, _, E_LO, E_HI = BOUNDS.weeks()


def _panel(*, later_gain, bad_week_gain=None, later_weeks=10, seed=1):
    """4 pilot teams (ids 0-3) 1.0 above 8 others in the evaluation weeks, `later_gain` above them afterwards."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(12):
        level = rng.normal()
        for w in range(E_LO, E_HI + later_weeks + 1):
            gain = 0.0
            if t < 4:
                gain = 1.0 if w <= E_HI else later_gain
                if bad_week_gain is not None and w == E_HI + later_weeks:
                    gain = bad_week_gain
            rows.append((t, w, level + gain + rng.normal(scale=0.2)))
    team, week, value = (np.array(c) for c in zip(*rows, strict=True))
    return dict(team=team, week=week, value=value, treated=(0, 1, 2, 3), metric="csat", effect=1.0,
                bounds=BOUNDS, last_week=E_HI + later_weeks)


def test_a_lead_that_halves_raises_an_alarm_with_its_evidence():
    check = erosion.check_fade(**_panel(later_gain=0.5))
    assert check.alarm
    assert 0.35 < check.lost < 0.65
    assert check.p_value < erosion.ALPHA
    assert "lost 0.5" in check.detail(metric_name="Customer satisfaction")


def test_a_steady_lead_raises_none():
    check = erosion.check_fade(**_panel(later_gain=1.0))
    assert check.status == erosion.HOLDING and not check.alarm


def test_one_bad_week_is_not_erosion():
    check = erosion.check_fade(**_panel(later_gain=1.0, bad_week_gain=0.0))
    assert not check.alarm


def test_nothing_is_said_before_four_later_weeks():
    check = erosion.check_fade(**_panel(later_gain=0.0, later_weeks=3))
    assert check.status == erosion.TOO_EARLY and not check.alarm
    assert "at least 4" in check.detail(metric_name="CSAT")


def test_a_lead_for_a_lower_is_better_metric_fades_upwards():
    panel = _panel(later_gain=0.5)
    panel["value"] = -panel["value"]
    check = erosion.check_fade(**{**panel, "effect": -1.0})
    assert check.alarm and check.lost > 0.35


def test_help_requests_rising_again_raise_an_alarm():
    counts = dict.fromkeys(range(E_LO, E_HI + 1), 1) | dict.fromkeys(range(E_HI + 1, E_HI + 9), 4)
    check = erosion.check_returning(weekly_counts=counts, bounds=BOUNDS, last_week=E_HI + 8)
    assert check.alarm
    assert "32 in the 8 weeks" in check.detail(systems="the CRM")


def test_a_few_help_requests_are_not_a_return():
    counts = {E_HI + 2: 2, E_HI + 5: 1}
    check = erosion.check_returning(weekly_counts=counts, bounds=BOUNDS, last_week=E_HI + 8)
    assert not check.alarm
