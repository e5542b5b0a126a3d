"""The demo's erosion story: one scaled idea whose improvement fades after its evaluation window, so the erosion
board has a real alarm to show (hero_core/erosion.py decides; nothing here forces it).

`pick` chooses the idea and metric; `factor` is how much of its effect remains each day: all of it through the
evaluation window and three weeks more, then a fifth — the fix wore off (no job aid, new staff, an old habit
back). Nothing here draws random numbers, so the rest of the demo stays as it was.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from hero_core.db import Database
from hero_core.impact import windows_from_env

REMAINING = 0.2  # of the effect, once it has worn off
WEARS_OFF_AFTER_DAYS = 21  # after the evaluation window


def pick(builder) -> tuple[int, str] | None:
    """(demo index, metric code) of the idea whose improvement fades: a piloted, scaling or scaled idea with an improved
    metric, long enough ago for eight weeks after its evaluation window, whose pilot teams no later idea touches on
    that metric (or its fade would be masked); of those, the one with the fewest later ideas on the metric (the
    comparison teams then vary least), then the earliest."""
    windows = windows_from_env()
    later_than = timedelta(days=WEARS_OFF_AFTER_DAYS + 8 * 7)
    candidates = []
    for item in builder.launched:
        if builder.assignment.get(item["index"]) not in ("piloting", "scaling", "scaled"):
            continue
        if windows.bounds(item["launch"]).eval_end + later_than > builder.today:
            continue
        teams = set(builder.pilots.get(item["index"], []))
        for code, outcome in item["outcomes"].items():
            if outcome != "improved":
                continue
            after = [o for o in builder.launched if o is not item and code in o["outcomes"]
                     and o["launch"] >= item["launch"]]
            if any(teams & set(builder.pilots.get(o["index"], [])) for o in after):
                continue
            candidates.append((len(after), item["launch"], item["index"], code))
    if not candidates:
        return None
    _, _, index, code = min(candidates)
    return index, code


def factor(item: dict, code: str, fading: tuple[int, str] | None, days: np.ndarray) -> np.ndarray | float:
    """Per day, the share of an idea's effect on a metric that remains (1.0 for every idea but the fading one)."""
    if (item["index"], code) != fading:
        return 1.0
    bounds = windows_from_env().bounds(item["launch"])
    wears_off = np.datetime64(bounds.eval_end + timedelta(days=WEARS_OFF_AFTER_DAYS))
    return np.where(days >= wears_off, REMAINING, 1.0)


def raise_alarms(db: Database) -> int:
    """Check the launched ideas once, as `hero watch` does daily: returns the alarms opened."""
    from hero_core.services import erosion

    return len(erosion.refresh_alarms(db).opened)
