"""The demo's erosion story: one scaled idea whose improvement fades after its evaluation window, so the erosion
board has a real alarm to show (hero_core/erosion.py decides; nothing here forces it).

`pick` chooses the idea and metric; `factor` is how much of its effect remains each day: all of it through the
evaluation window and three weeks more, then a fifth — the fix wore off (no job aid, new staff, an old habit
back). `after_scaling` then writes checked job aids for scaled ideas and adoption figures (the fading idea's fall
in the last 8 weeks). Nothing here draws random numbers, so the rest of the demo stays as it was.
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


JOB_AID_WRITER_CHECKER = "grace.adeyemi@hero.example"  # the demo's e-coach for the CRM and billing
JOB_AID_STEPS = (
    "1. Open the customer's record from the call banner.\n"
    "2. Follow the new way the idea introduced, as shown in the pilot.\n"
    "3. If a step fails, ask for help (Ask for help page) and name this job aid."
)


def after_scaling(db: Database, builder) -> int:
    """The part after scaling: checked job aids for the scaled ideas, adoption figures per pilot team (falling for
    the idea whose effect fades: people drifted back to the old way), then one check of the launched ideas, as
    `hero watch` does daily. Returns the alarms opened."""
    from sqlalchemy import select

    from hero_core.demo_content import IDEAS
    from hero_core.models import Idea, IdeaPilotTeam, Team
    from hero_core.services import adoption, erosion, job_aids
    from hero_core.weeks import week_number, week_start

    fading = pick(builder)
    fading_title = IDEAS[fading[0]]["title"] if fading else None
    coach = builder.uid(JOB_AID_WRITER_CHECKER)
    with db.read() as s:
        scaled = s.execute(select(Idea.id, Idea.title, Idea.submitter_id).where(Idea.state == "scaled")
                           .order_by(Idea.id)).all()
        faded = s.execute(select(Idea.id, Idea.title, Idea.submitter_id).where(Idea.title == fading_title)).all()
        adopters = [*scaled[:3], *(r for r in faded if r not in scaled[:3])]
        pilots = {i: [c for (c,) in s.execute(select(Team.code).join(IdeaPilotTeam, IdeaPilotTeam.team_id == Team.id)
                                             .where(IdeaPilotTeam.idea_id == i))] for i, _, _ in adopters}
    for idea_id, title, submitter in scaled[:3]:
        job_aids.write_job_aid(db, actor_id=submitter, idea_id=idea_id, title=f"How to: {title}"[:200],
                               steps=JOB_AID_STEPS, applies_where="The pilot teams, every shift")
        if submitter != coach:
            (aid,) = [a for a in job_aids.versions(db, actor_id=coach, idea_id=idea_id) if not a.checked]
            job_aids.check_job_aid(db, actor_id=coach, job_aid_id=aid.id)
    last = week_number(builder.today) - 1
    lines = ["idea_id,team,date,adopted_share"]
    for idea_id, title, _ in adopters:
        falls = title == fading_title
        for w in range(last - 15, last + 1):
            for k, team in enumerate(pilots[idea_id]):
                share = 0.82 + 0.03 * k - (0.3 if falls and w > last - 8 else 0.0) + 0.02 * ((w * 7 + k) % 3 - 1)
                lines.append(f"{idea_id},{team},{week_start(w).isoformat()},{share:.2f}")
    if len(lines) > 1:
        adoption.import_adoption(db, actor_id=None, source=_named("\n".join(lines).encode(), "demo-adoption.csv"))
    return len(erosion.refresh_alarms(db).opened)


def _named(data: bytes, name: str):
    import io

    stream = io.BytesIO(data)
    stream.name = name
    return stream
