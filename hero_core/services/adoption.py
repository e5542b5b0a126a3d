"""Adoption per team of piloted and scaled ideas: imported like metrics, all rows or none, row-numbered problems.

A file's header is ``idea_id,team,date,adopted_share`` (team by code or name; the share as 0.45, or 45%). Dates
are read by the one rule of hero_core/dates.py. A row for an idea, team and day already stored replaces it.
Falling adoption is judged in hero_core/erosion.py (`check_adoption`) and raised by hero_core/services/erosion.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import delete, func, insert, select, tuple_

from hero_core import audit, csv_files, permissions
from hero_core.dates import CHOOSE_ORDER, DateRefused, file_order, read_day
from hero_core.db import Database
from hero_core.errors import ImportRejected, InvalidInput, PermissionDenied
from hero_core.lifecycle import LAUNCHED_STATES
from hero_core.models import Idea, IdeaAdoption, RolloutPlan, Team
from hero_core.services.common import actor_ref, is_id, load_actor
from hero_core.vocab import State

COLUMNS = ("idea_id", "team", "date", "adopted_share")
MAX_ROWS = 500_000
SHOWN = 50


@dataclass(frozen=True)
class AdoptionImport:
    rows: int
    ideas: int
    teams: int
    file_name: str


_read = csv_files.read_table  # one way to read a CSV file: hero_core/csv_files.py


def _share(text: str) -> float:
    value = text.strip()
    percent = value.endswith("%")
    number = float(value.rstrip("%").strip().replace(",", "."))
    share = number / 100 if percent else number
    if not 0 <= share <= 1:
        raise ValueError
    return share


def import_adoption(db: Database, *, actor_id: int | None, source, dayfirst: bool | None = None,
                    via: str = "cli") -> AdoptionImport:
    """Store every row of an adoption file, or none and raise ImportRejected naming each problem's row (the
    header is row 1), column and value."""
    name, table = _read(source)
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "import_adoption")
        ideas = dict(s.execute(select(Idea.id, Idea.state)).all())
        teams: dict[str, int] = {}
        for tid, code, tname in s.execute(select(Team.id, Team.code, Team.name)):
            teams[code.lower()] = tid
            teams.setdefault(tname.lower(), tid)
    at = csv_files.column_positions(name, table, COLUMNS, MAX_ROWS)
    header = table[0]
    body = [(n, r + [""] * (len(header) - len(r)))
            for n, r in enumerate(table[1:], start=2) if any(c.strip() for c in r)]
    order = file_order((r[at["date"]] for _, r in body), dayfirst)
    launched = {s.value for s in LAUNCHED_STATES}
    problems: list[str] = []
    rows: dict[tuple[int, int, object], dict] = {}
    first_row: dict[tuple[int, int, object], int] = {}
    for number, cells in body:
        get = {c: cells[at[c]].strip() for c in COLUMNS}

        def bad(column: str, reason: str, get=get, number=number) -> None:
            shown = f" “{get[column][:60]}”" if get[column] else ""
            problems.append(f"row {number}, column {column}{shown}: {reason}")

        idea_id = team_id = day = share = None
        try:
            idea_id = int(get["idea_id"])
        except ValueError:
            bad("idea_id", "must be an idea's number, e.g. 42")
        if idea_id is not None:
            if idea_id not in ideas:
                bad("idea_id", "no idea has this number")
                idea_id = None
            elif ideas[idea_id] not in launched:
                bad("idea_id", f"the idea is {ideas[idea_id].replace('_', ' ')}; adoption is recorded for piloting, "
                               "scaling or scaled ideas")
                idea_id = None
        team_id = teams.get(get["team"].lower()) if get["team"] else None
        if team_id is None:
            bad("team", "not a team's code or name" if get["team"] else "a team is needed")
        try:
            day = read_day(get["date"], dayfirst=order, choose=CHOOSE_ORDER[via]) if get["date"] else None
            if day is None:
                bad("date", "a date is needed, e.g. 2026-04-03")
        except DateRefused as exc:
            bad("date", str(exc))
        try:
            share = _share(get["adopted_share"])
        except ValueError:
            bad("adopted_share", "must be a share from 0 to 1 (0.45) or a percentage (45%)")
        if None in (idea_id, team_id, day, share):
            continue
        key = (idea_id, team_id, day)
        if key in first_row:
            problems.append(f"row {number}: the same idea, team and date as row {first_row[key]}; keep one of them")
            continue
        first_row[key] = number
        rows[key] = {"idea_id": idea_id, "team_id": team_id, "day": day, "adopted_share": share}
    if problems:
        raise ImportRejected(problems[:SHOWN], total=len(problems))
    if not rows:
        raise ImportRejected([f"{name} has no rows below its header"])
    now = db.now()
    with db.write() as s:
        actor = load_actor(s, actor_id)
        keys = list(rows)
        for start in range(0, len(keys), 5_000):
            chunk = keys[start:start + 5_000]
            s.execute(delete(IdeaAdoption).where(
                tuple_(IdeaAdoption.idea_id, IdeaAdoption.team_id, IdeaAdoption.day).in_(chunk)))
        s.execute(insert(IdeaAdoption), [r | {"recorded_at": now} for r in rows.values()])
        aid, email = actor_ref(actor)
        idea_ids = sorted({k[0] for k in keys})
        audit.record(s, at=now, actor_id=aid, actor_email=email, action="adoption_imported", entity_type="adoption",
                     entity_id=name, after={"rows": len(rows), "ideas": idea_ids[:100],
                                            "teams": len({k[1] for k in keys})})
    return AdoptionImport(len(rows), len(idea_ids), len({k[1] for k in keys}), name)


def adoption_series(db: Database, *, actor_id: int | None, idea_id: int) -> pd.DataFrame:
    """One idea's adoption per team over time: day, team (its name), adopted_share."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_erosion")
        rows = s.execute(select(IdeaAdoption.day, Team.name, IdeaAdoption.adopted_share)
                         .join(Team, Team.id == IdeaAdoption.team_id)
                         .where(IdeaAdoption.idea_id == idea_id).order_by(IdeaAdoption.day, Team.name)).all()
    return pd.DataFrame(rows, columns=["day", "team", "adopted_share"])


def record_adoption(db: Database, *, actor_id: int, idea_id: int, team_code: str, day,
                    adopted_share: float | None) -> None:
    """A manager records the adopted share of a launched idea in a team they manage on a day (replacing that day's
    figure). Audited."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "record_adoption")
        team_id = s.execute(select(Team.id).where(Team.code == team_code)).scalar()
        if team_id is None or not actor.manages(team_id):
            raise PermissionDenied(f"Adoption is recorded by a manager of the team; {actor.email} does not manage "
                                   f"“{team_code}”.")
        idea = s.execute(select(Idea.state).where(Idea.id == idea_id)).scalar() if is_id(idea_id) else None
        if idea is None:
            raise InvalidInput(f"Idea #{idea_id} does not exist.")
        if idea not in {x.value for x in LAUNCHED_STATES}:
            raise InvalidInput(f"Idea #{idea_id} is {idea.replace('_', ' ')}; adoption is recorded for piloting, "
                               "scaling or scaled ideas.")
        if adopted_share is None:
            raise InvalidInput("Enter the share of the team working the new way (0% to 100%).",
                               fields={"adopted_share": "required"})
        if not isinstance(adopted_share, (int, float)) or not 0 <= adopted_share <= 1:
            raise InvalidInput(f"The adopted share must be from 0% to 100%, not {adopted_share!r}.",
                               fields={"adopted_share": "from 0% to 100%"})
        s.execute(delete(IdeaAdoption).where(IdeaAdoption.idea_id == idea_id, IdeaAdoption.team_id == team_id,
                                             IdeaAdoption.day == day))
        now = db.now()
        s.execute(insert(IdeaAdoption), [{"idea_id": idea_id, "team_id": team_id, "day": day,
                                          "adopted_share": float(adopted_share), "recorded_at": now}])
        aid, email = actor_ref(actor)
        audit.record(s, at=now, actor_id=aid, actor_email=email, action="adoption_recorded", entity_type="adoption",
                     entity_id=f"{idea_id}/{team_code}/{day}", after={"adopted_share": float(adopted_share)})


def launched_ideas(db: Database, *, actor_id: int | None) -> list[tuple[int, str]]:
    """(id, title) of the piloting, scaling and scaled ideas, for choosing one."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_erosion")
        return [tuple(r) for r in s.execute(select(Idea.id, Idea.title).where(
            Idea.state.in_([x.value for x in LAUNCHED_STATES]), Idea.merged_into_id.is_(None)).order_by(Idea.id))]


def teams_i_manage(db: Database, *, actor_id: int) -> list[tuple[str, str]]:
    """(code, name) of the teams this person manages."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        if not actor.managed_team_ids:
            return []
        return [tuple(r) for r in s.execute(select(Team.code, Team.name)
                                           .where(Team.id.in_(list(actor.managed_team_ids))).order_by(Team.name))]


MIN_TEAMS_FOR_CORRELATION = 4


@dataclass(frozen=True)
class AdoptionGain:
    """Do the teams that adopted an idea more gain more on a metric it targets?"""

    metric: str
    metric_name: str
    table: pd.DataFrame  # team, adopted_share (mean of its figures), gain (in the metric's unit, good side > 0)
    reading: str


def adoption_vs_gain(db: Database, *, actor_id: int | None, idea_id: int) -> list[AdoptionGain]:
    """For each metric the idea targets: each team with adoption figures, its mean adopted share and its gain —
    its change from the baseline to the evaluation window minus the mean change of the teams without figures
    (hero_core/impact.py windows), on the metric's good side. A rank correlation is read only from
    MIN_TEAMS_FOR_CORRELATION teams; it describes, it does not prove."""
    from hero_core.impact import windows_from_env
    from hero_core.models import IdeaMetric, Metric
    from hero_core.services.impact_reads import weekly_arrays

    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_erosion")
        launch = s.execute(select(Idea.launch_date).where(Idea.id == idea_id)).scalar()
        figures = s.execute(select(IdeaAdoption.team_id, Team.name, func.avg(IdeaAdoption.adopted_share))
                            .join(Team, Team.id == IdeaAdoption.team_id).where(IdeaAdoption.idea_id == idea_id)
                            .group_by(IdeaAdoption.team_id, Team.name)).all()
        metrics = s.execute(select(Metric.id, Metric.code, Metric.name, Metric.direction)
                            .join(IdeaMetric, IdeaMetric.metric_code == Metric.code)
                            .where(IdeaMetric.idea_id == idea_id).order_by(Metric.code)).all()
        if launch is None or not figures:
            return []
        bounds = windows_from_env().bounds(launch)
        b_lo, b_hi, e_lo, e_hi = bounds.weeks()
        arrays = {m.code: weekly_arrays(s, metric_id=m.id, start=bounds.baseline_start, end=bounds.eval_end)
                  for m in metrics}
    adopted = {tid: (name, float(share)) for tid, name, share in figures}
    out = []
    for m in metrics:
        team, week, value, _ = arrays[m.code]
        frame = pd.DataFrame({"team": team, "week": week, "value": value})
        w = frame["week"]
        frame["period"] = np.select([(w >= b_lo) & (w <= b_hi), (w >= e_lo) & (w <= e_hi)], ["before", "after"], "")
        means = frame[frame["period"] != ""].groupby(["team", "period"])["value"].mean().unstack()
        if not {"before", "after"} <= set(means.columns):
            continue
        change = (means["after"] - means["before"]).dropna()
        others = change[[t not in adopted for t in change.index]]
        if others.empty:
            continue
        sign = 1.0 if m.direction == "higher" else -1.0
        rows = [{"team": adopted[t][0], "adopted_share": adopted[t][1], "gain": sign * (change[t] - others.mean())}
                for t in change.index if t in adopted]
        table = pd.DataFrame(rows, columns=["team", "adopted_share", "gain"]).sort_values("adopted_share")
        if len(table) < MIN_TEAMS_FOR_CORRELATION:
            reading = (f"{len(table)} team(s) with adoption figures and data: too few to say whether teams that "
                       f"adopted more gained more (at least {MIN_TEAMS_FOR_CORRELATION} are needed).")
        else:
            rho, p = stats.spearmanr(table["adopted_share"], table["gain"])
            way = "more" if rho > 0 else "less"
            reading = (f"Across {len(table)} teams, those that adopted more gained {way} (rank correlation "
                       f"{rho:+.2f}, p = {p:.3f}); a description, not proof that adoption caused the gain.")
        out.append(AdoptionGain(m.code, m.name, table, reading))
    return out


# ---- the roll-out plan: which teams, by when -------------------------------------------------------------------

#: A planned team counts as reached from the first day its adopted share is at least this.
REACHED_SHARE = 0.5
ON_TIME, LATE_REACHED, LATE, DUE = "reached on time", "reached late", "late", "due"


def plan_rollout(db: Database, *, actor_id: int, idea_id: int, team_code: str, due) -> None:
    """Plan (or re-plan) by when a launched idea should reach a team. Audited."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = s.execute(select(Idea.submitter_id, Idea.team_id, Idea.state)
                         .where(Idea.id == idea_id)).one_or_none() if is_id(idea_id) else None
        if idea is None or idea.state == State.DRAFT:
            raise InvalidInput(f"Idea #{idea_id} does not exist.")
        permissions.require(actor, "plan_rollout", permissions.IdeaFacts(
            submitter_id=idea.submitter_id, team_id=idea.team_id, state=State(idea.state)))
        if idea.state not in {x.value for x in LAUNCHED_STATES}:
            raise InvalidInput(f"Idea #{idea_id} is {idea.state.replace('_', ' ')}; a roll-out is planned for "
                               "piloting, scaling or scaled ideas.")
        team_id = s.execute(select(Team.id).where(Team.code == team_code)).scalar()
        if team_id is None:
            raise InvalidInput(f"“{team_code}” is not a team's code.", fields={"team": "unknown team"})
        if due is None:
            raise InvalidInput("Choose by when the team should work the new way.", fields={"due": "required"})
        before = s.execute(select(RolloutPlan.due).where(RolloutPlan.idea_id == idea_id,
                                                         RolloutPlan.team_id == team_id)).scalar()
        s.execute(delete(RolloutPlan).where(RolloutPlan.idea_id == idea_id, RolloutPlan.team_id == team_id))
        now = db.now()
        s.execute(insert(RolloutPlan), [{"idea_id": idea_id, "team_id": team_id, "due": due, "planned_by": actor.id,
                                         "planned_at": now}])
        aid, email = actor_ref(actor)
        audit.record(s, at=now, actor_id=aid, actor_email=email, action="rollout_planned", entity_type="rollout",
                     entity_id=f"{idea_id}/{team_code}", before={"due": str(before)} if before else None,
                     after={"due": str(due)})


def _reached(s, idea_ids=None) -> dict[tuple[int, int], object]:
    """(idea, team) -> the first day the team's adopted share reached REACHED_SHARE."""
    stmt = (select(IdeaAdoption.idea_id, IdeaAdoption.team_id, func.min(IdeaAdoption.day))
            .where(IdeaAdoption.adopted_share >= REACHED_SHARE)
            .group_by(IdeaAdoption.idea_id, IdeaAdoption.team_id))
    if idea_ids is not None:
        stmt = stmt.where(IdeaAdoption.idea_id.in_(idea_ids))
    return {(i, t): d for i, t, d in s.execute(stmt)}


def _status(due, reached, today) -> str:
    if reached is not None:
        return ON_TIME if reached <= due else LATE_REACHED
    return LATE if due < today else DUE


def rollout_status(db: Database, *, actor_id: int | None, idea_id: int) -> pd.DataFrame:
    """One idea's plan: team, due, reached (the first day at REACHED_SHARE, or None), status."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_erosion")
        plan = s.execute(select(Team.name, RolloutPlan.team_id, RolloutPlan.due)
                         .join(Team, Team.id == RolloutPlan.team_id)
                         .where(RolloutPlan.idea_id == idea_id).order_by(RolloutPlan.due, Team.name)).all()
        reached = _reached(s, [idea_id])
    today = db.now().date()
    rows = [{"team": name, "due": due, "reached": reached.get((idea_id, tid)),
             "status": _status(due, reached.get((idea_id, tid)), today)} for name, tid, due in plan]
    return pd.DataFrame(rows, columns=["team", "due", "reached", "status"])


def rollout_promise(db: Database, *, actor_id: int | None, by_team: bool = False) -> pd.DataFrame:
    """IT champions' promise, "scaled ideas reach their planned teams on time", per quarter of the due date (and,
    `by_team`, per planned team's code in a `team` column): the planned teams of scaled ideas due by today, how many
    were reached by their date, and the share (for the compact scorecard)."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_erosion")
        plan = s.execute(select(RolloutPlan.idea_id, RolloutPlan.team_id, RolloutPlan.due, Team.code)
                         .join(Idea, Idea.id == RolloutPlan.idea_id).join(Team, Team.id == RolloutPlan.team_id)
                         .where(Idea.state == State.SCALED.value)).all()
        reached = _reached(s)
    today = db.now().date()
    rows = [{"quarter": f"{due.year}Q{(due.month - 1) // 3 + 1}", "team": code,
             "kept": int(_status(due, reached.get((i, t)), today) == ON_TIME)} for i, t, due, code in plan
            if due <= today]
    keys = ["quarter", "team"] if by_team else ["quarter"]
    frame = pd.DataFrame(rows, columns=["quarter", "team", "kept"])
    out = frame.groupby(keys, as_index=False).agg(due=("kept", "size"), kept=("kept", "sum"))
    out["share"] = out["kept"] / out["due"]
    return out
