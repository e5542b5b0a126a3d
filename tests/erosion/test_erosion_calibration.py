"""The erosion alarms judged by simulation (hero_core/erosion_calibration.py; figures in docs/erosion.md)."""

from __future__ import annotations

import numpy as np

from hero_core import erosion_calibration as cal

WORLDS = 300


def _rates(families):
    return {r.world.name: r for r in cal.run(worlds=WORLDS, seed=cal.SEED, families=families)}


def test_a_steady_effect_raises_few_false_alarms():
    steady = [w for w in cal.FAMILIES if w.share_lost == 0]
    for name, result in _rates(steady).items():
        assert result.watched >= 100, name
        assert result.rate <= 0.08, f"{name}: {result.rate:.1%} false alarms"


def test_half_the_effect_lost_is_caught_most_of_the_time():
    fading = [w for w in cal.FAMILIES if w.share_lost >= 0.5 and not w.ar]
    for name, result in _rates(fading).items():
        assert result.rate >= 0.75, f"{name}: caught {result.rate:.1%}"


def test_help_requests_alarm_when_they_rise_and_rarely_otherwise():
    rates = dict(cal.simulate_returning(worlds=WORLDS, rng=np.random.default_rng(cal.SEED)))
    assert rates["steady, 1 request a week"] <= 0.08
    assert rates["steady, 5 requests a week"] <= 0.08
    assert rates["rising from 1 to 3 a week"] >= 0.8
    assert rates["rising from 5 to 10 a week"] >= 0.8


def test_adoption_alarms_when_it_falls_and_rarely_otherwise():
    rates = dict(cal.simulate_adoption(worlds=WORLDS, rng=np.random.default_rng(cal.SEED)))
    for name, rate in rates.items():
        if name.startswith("steady"):
            assert rate <= 0.08, f"{name}: {rate:.1%}"
    assert rates["falls by 20 points, 1 team"] >= 0.8
    assert rates["falls by 20 points, 4 teams"] >= 0.8
