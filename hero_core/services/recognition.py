"""Recognition: the Hall of HEROs (scaled ideas, their measured impact, the people behind them) and badges.

Badges are not stored: they are earned by the rules in BADGES, read from what already happened (the idea
milestones, supports, comments and the impact estimator), so they can never disagree with the record.
Everyone may look: public "attaboys" are the point. The measured effects come from the impact estimator
(hero_core/impact.py), unchanged: the hall shows only what the estimator finds.

"The people behind an idea" are its submitter and the submitters of duplicates merged into it (a merge
credits both), the IT champion who built it, and the managers who approved it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import overload

import pyarrow as arrow
import pyarrow.compute as arrow_compute
from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from hero_core import cache, impact, impact_store, permissions
from hero_core.db import Database
from hero_core.models import (
    Approval,
    Comment,
    HelpAnswer,
    HelpRequest,
    Idea,
    IdeaMerge,
    IdeaSupport,
    ImpactResult,
    Metric,
    Team,
    User,
)
from hero_core.services import help
from hero_core.services.common import load_actor
from hero_core.vocab import State

# ---- the badge rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    code: str
    name: str
    icon: str
    rule: str  # how it is earned, in words (shown on the page)


#: Every badge and the rule that earns it, in the order they are shown. The queries are in _EARNERS.
BADGES: tuple[Badge, ...] = (
    Badge("first_idea", "First idea", "💡", "submitted an idea to the compact"),
    Badge(
        "helped_colleague",
        "Helped a colleague",
        "🤝",
        "supported or commented on a colleague's idea (not their own)",
    ),
    Badge(
        "solved_roadblock",
        "Solved a roadblock",
        "🛟",
        "answered a colleague's call for help, and the colleague marked that answer as the one that solved it",
    ),
    Badge("first_scaled", "First scaled", "🚀", "an idea they are credited with was scaled to every team"),
    Badge(
        "measured_improvement",
        "Measured improvement",
        "📈",
        "an idea they are credited with improved a customer metric and worsened none of its target metrics, "
        "measured by the impact estimator (the whole 95% confidence interval on the good side)",
    ),
)
BY_CODE = {b.code: b for b in BADGES}


def _credited():
    """(idea_id, user_id): an idea's submitter, and submitters of duplicates merged into it (not undone)."""
    duplicate = select(Idea.id, Idea.submitter_id).subquery()
    return union(
        select(Idea.id.label("idea_id"), Idea.submitter_id.label("user_id")),
        select(IdeaMerge.original_id.label("idea_id"), duplicate.c.submitter_id.label("user_id"))
        .join(duplicate, duplicate.c.id == IdeaMerge.duplicate_id)
        .where(IdeaMerge.undone_at.is_(None)),
    ).subquery()


def _first_idea(s: Session, improved: dict[int, date]) -> dict[int, datetime]:
    rows = s.execute(
        select(Idea.submitter_id, func.min(Idea.submitted_at))
        .where(Idea.submitted_at.is_not(None))
        .group_by(Idea.submitter_id)
    )
    return dict(rows.all())


def _helped_colleague(s: Session, improved: dict[int, date]) -> dict[int, datetime]:
    # Drafts are private, so help counts only on ideas others could see (submitted at some point).
    colleague = (Idea.submitter_id != IdeaSupport.user_id) & Idea.submitted_at.is_not(None)
    supports = (
        select(IdeaSupport.user_id.label("u"), IdeaSupport.created_at.label("at"))
        .join(Idea, Idea.id == IdeaSupport.idea_id)
        .where(colleague)
    )
    comments = (
        select(Comment.author_id.label("u"), Comment.created_at.label("at"))
        .join(Idea, Idea.id == Comment.idea_id)
        .where(
            Idea.submitter_id != Comment.author_id,
            Idea.submitted_at.is_not(None),
            Comment.deleted_at.is_(None),
        )
    )
    both = union(supports, comments).subquery()
    return dict(s.execute(select(both.c.u, func.min(both.c.at)).group_by(both.c.u)).all())


def _solved_roadblock(s: Session, improved: dict[int, date]) -> dict[int, datetime]:
    # The first time an answer of theirs was marked by its asker as the one that solved the roadblock (help
    # with roadblocks, hero_core/services/help.py): helping counts like proposing does.
    rows = s.execute(help.solved_for_others(select(HelpAnswer.author_id, func.min(HelpRequest.solved_at)))
                     .group_by(HelpAnswer.author_id))
    return dict(rows.all())


def _first_scaled(s: Session, improved: dict[int, date]) -> dict[int, datetime]:
    credited = _credited()
    rows = s.execute(
        select(credited.c.user_id, func.min(Idea.scaled_at))
        .join(Idea, Idea.id == credited.c.idea_id)
        .where(Idea.scaled_at.is_not(None), Idea.state == State.SCALED.value)
        .group_by(credited.c.user_id)
    )
    return dict(rows.all())


def _measured_improvement(s: Session, improved: dict[int, date]) -> dict[int, datetime]:
    if not improved:
        return {}
    credited = _credited()
    earned: dict[int, datetime] = {}
    for idea_id, user_id in s.execute(
        select(credited.c.idea_id, credited.c.user_id).where(credited.c.idea_id.in_(sorted(improved)))
    ):
        at = datetime.combine(improved[idea_id], time(), tzinfo=UTC)  # earned from the launch it measured
        earned[user_id] = min(earned.get(user_id, at), at)
    return earned


_EARNERS: dict[str, Callable[[Session, dict[int, date]], dict[int, datetime]]] = {
    "first_idea": _first_idea,
    "solved_roadblock": _solved_roadblock,
    "helped_colleague": _helped_colleague,
    "first_scaled": _first_scaled,
    "measured_improvement": _measured_improvement,
}
assert set(_EARNERS) == set(BY_CODE), "every badge needs its rule"


# ---- read models -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EarnedBadge:
    code: str
    name: str
    icon: str
    earned_at: datetime

    def __reduce__(self):
        # Pickled by its constructor's arguments: the generated state functions of a frozen slots dataclass made
        # a company's hall slower to restore from a snapshot (hero_core.infra.snapshots; measured:
        # docs/measurements.md).
        return (EarnedBadge, (self.code, self.name, self.icon, self.earned_at))


@dataclass(frozen=True, slots=True)
class Hero:
    user_id: int
    name: str
    team_code: str | None
    badges: tuple[EarnedBadge, ...]
    team_name: str | None = None  # what people read

    def __reduce__(self):
        return (Hero, (self.user_id, self.name, self.team_code, self.badges, self.team_name))


@dataclass(frozen=True, slots=True)
class MeasuredEffect:
    metric: str
    metric_name: str
    unit: str
    verdict: str
    effect: float | None
    ci_low: float | None
    ci_high: float | None


def _earns_recognition(verdicts) -> bool:
    """The headline verdicts of one idea's target metrics: one improved and none worsened."""
    return impact.IMPROVED in verdicts and impact.WORSENED not in verdicts


@dataclass(frozen=True, slots=True)
class ScaledIdea:
    idea_id: int
    title: str
    team_code: str
    scaled_at: datetime | None
    launch_date: date | None
    proposed_by: tuple[str, ...]  # submitter first, then credited duplicates' submitters
    built_by: str | None
    approved_by: tuple[str, ...]
    effects: tuple[MeasuredEffect, ...] = field(default_factory=tuple)
    team_name: str = ""  # what people read

    @property
    def improved(self) -> bool:
        return _earns_recognition([e.verdict for e in self.effects])


class ScaledIdeas(Sequence[ScaledIdea]):
    """The hall's scaled ideas, most recently scaled first, held as one Arrow table: a company scales thousands
    of ideas and the page shows ten at a time, so each ScaledIdea is made when it is read. As Python objects
    they weighed many times the columns, and the objects kept from the build pinned as much again of the heap
    around them (measured: docs/measurements.md)."""

    __slots__ = ("_metrics", "_names", "_table", "_teams", "improved")

    def __init__(self, table: arrow.Table, names: dict[int, str], metrics: dict[str, tuple[str, str]],
                 teams: dict[str, str] | None = None):
        self._table = table
        self._names = names
        self._metrics = metrics
        self._teams = teams or {}  # team code -> name
        #: How many of them measurably improved a target metric.
        self.improved = int(arrow_compute.sum(table["improved"]).as_py() or 0) if len(table) else 0

    def __len__(self) -> int:
        return len(self._table)

    @overload
    def __getitem__(self, index: int) -> ScaledIdea: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[ScaledIdea, ...]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return tuple(self[i] for i in range(start, stop, step))
            return tuple(self._idea(row) for row in self._table.slice(start, max(0, stop - start)).to_pylist())
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError(index)
        return self._idea(self._table.slice(position, 1).to_pylist()[0])

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, Sequence) else other)

    __hash__ = None  # type: ignore[assignment]  # compared by content, like the tuple it stands for

    def __repr__(self) -> str:
        return f"ScaledIdeas({len(self)} ideas)"

    def _idea(self, row: dict) -> ScaledIdea:
        names = self._names
        return ScaledIdea(
            idea_id=row["idea_id"],
            title=row["title"],
            team_code=row["team_code"],
            team_name=self._teams.get(row["team_code"]) or row["team_code"],
            scaled_at=None if row["scaled_at"] is None else row["scaled_at"].astimezone(UTC),
            launch_date=row["launch_date"],
            proposed_by=tuple(names[u] for u in row["proposed_by"]),
            built_by=names.get(row["built_by"]) if row["built_by"] else None,
            approved_by=tuple(names[u] for u in row["approved_by"]),
            effects=tuple(self._effect(e) for e in row["effects"]),
        )

    def _effect(self, e: dict) -> MeasuredEffect:
        name, unit = self._metrics.get(e["metric"], (e["metric"], ""))
        return MeasuredEffect(metric=e["metric"], metric_name=name, unit=unit, verdict=e["verdict"],
                              effect=e["effect"], ci_low=e["ci_low"], ci_high=e["ci_high"])


_EFFECT = arrow.struct([("metric", arrow.string()), ("verdict", arrow.string()), ("effect", arrow.float64()),
                        ("ci_low", arrow.float64()), ("ci_high", arrow.float64())])
_SCALED_IDEAS = arrow.schema([
    ("idea_id", arrow.int64()), ("title", arrow.string()),
    ("team_code", arrow.dictionary(arrow.int32(), arrow.string())),
    ("scaled_at", arrow.timestamp("us", tz="UTC")), ("launch_date", arrow.date32()),
    ("proposed_by", arrow.list_(arrow.int64())), ("built_by", arrow.int64()),
    ("approved_by", arrow.list_(arrow.int64())),
    ("effects", arrow.list_(_EFFECT)), ("improved", arrow.bool_()),
])


@dataclass(frozen=True, slots=True)
class Hall:
    ideas: ScaledIdeas
    heroes: tuple[Hero, ...]  # everyone with at least one badge, most badges first
    version: tuple = ()  # the data version it was built for (hero_core.cache.data_version): a key for what is derived


def _improved_launches(db: Database) -> dict[int, date]:
    """Launch date of every launched idea with at least one improved metric and none worsened (stored verdicts,
    refreshed first)."""
    # The estimator guards the full portfolio with "view_impact"; recognition publishes only these verdicts
    # (and the scaled ideas' effects) to everyone, which is the purpose of the hall, so it asks as the system.
    won = impact_store.improved_without_harm(db)
    if not won:
        return {}
    with db.read() as s:
        launches = s.connection().execute(
            select(Idea.id, Idea.launch_date).where(Idea.launch_date.is_not(None))
        ).all()
    return {idea_id: launch for idea_id, launch in launches if idea_id in won}


def _badges(s: Session, improved: dict[int, date]) -> dict[int, list[EarnedBadge]]:
    by_user: dict[int, list[EarnedBadge]] = defaultdict(list)
    for badge in BADGES:
        for user_id, at in _EARNERS[badge.code](s, improved).items():
            by_user[user_id].append(EarnedBadge(badge.code, badge.name, badge.icon, at))
    return by_user


def hall_of_heroes(db: Database, *, actor_id: int | None) -> Hall:
    """Scaled ideas with their measured effects and people, and everyone's earned badges, read now."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_heroes")
        version = cache.data_version(s)
    return _build_hall(db, version)


def hall(db: Database, *, actor_id: int | None) -> Hall:
    """`hall_of_heroes` as the page reads it: the same for everyone allowed to see it and immutable, so one copy
    per data version serves them all (hero_core.cache, after this person's check), kept for the next server
    process too: at 100k ideas it takes seconds to build."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_heroes")
        version = cache.data_version(s)
        # The estimator's windows and method decide the verdicts the hall shows (hero_core.impact_store).
        key = ("hall_of_heroes", impact.windows_from_env(), impact.METHOD_VERSION)
        return cache.cached(s, key, lambda: _build_hall(db, version), persist=True, version=version)


def _build_hall(db: Database, version: tuple) -> Hall:
    improved = _improved_launches(db)
    with db.read() as s:
        metrics = {m.code: (m.name, m.unit) for m in s.execute(select(Metric)).scalars()}
        names = dict(s.execute(select(User.id, User.name)).all())
        user_teams = dict(s.execute(select(User.id, Team.code).join(Team, Team.id == User.team_id)).all())
        team_names = dict(s.execute(select(Team.code, Team.name)).all())
        scaled = s.execute(
            select(
                Idea.id,
                Idea.title,
                Team.code,
                Idea.scaled_at,
                Idea.launch_date,
                Idea.submitter_id,
                Idea.it_champion_id,
            )
            .join(Team, Team.id == Idea.team_id)
            .where(Idea.state == State.SCALED.value)
            .order_by(Idea.scaled_at.desc(), Idea.id.desc())
        ).all()
        ids = [r[0] for r in scaled]
        # The stored verdicts of the scaled ideas, read as the few values shown (an estimate object each was most
        # of the hall's build at 100k ideas).
        effects_by_idea: dict[int, list[tuple]] = defaultdict(list)  # in _EFFECT's field order
        for idea_id, code, verdict, effect, ci_low, ci_high in s.connection().execute(
            select(ImpactResult.idea_id, ImpactResult.metric_code, ImpactResult.verdict, ImpactResult.effect,
                   ImpactResult.ci_low, ImpactResult.ci_high)
            .join(Idea, Idea.id == ImpactResult.idea_id)
            .where(Idea.state == State.SCALED.value)
            .order_by(ImpactResult.idea_id, ImpactResult.metric_code)
        ):
            effects_by_idea[idea_id].append((code, verdict, effect, ci_low, ci_high))
        credited = _credited()
        people: dict[int, list[int]] = defaultdict(list)
        shown = set(ids)
        # Joined, not an IN list of the scaled ideas: SQLite takes at most 32,766 parameters.
        for idea_id, user_id in s.connection().execute(
            select(credited.c.idea_id, credited.c.user_id)
            .join(Idea, Idea.id == credited.c.idea_id)
            .where(Idea.state == State.SCALED.value)
        ):
            people[idea_id].append(user_id)
        approvers: dict[int, list[int]] = defaultdict(list)
        for idea_id, user_id in s.connection().execute(
            select(Approval.idea_id, Approval.approver_id)
            .join(Idea, Idea.id == Approval.idea_id)
            .where(Idea.state == State.SCALED.value)
            .order_by(Approval.at, Approval.id)
        ):
            if idea_id in shown and user_id not in approvers[idea_id]:
                approvers[idea_id].append(user_id)
        badges = _badges(s, improved)
    columns: dict[str, list] = {name: [] for name in _SCALED_IDEAS.names}
    for idea_id, title, team, scaled_at, launch, submitter, champion in scaled:
        effects = effects_by_idea.get(idea_id, ())
        for name, value in zip(_SCALED_IDEAS.names, (
            idea_id, title, team, scaled_at, launch,
            [submitter, *sorted(u for u in people[idea_id] if u != submitter)], champion, approvers[idea_id],
            effects, _earns_recognition([e[1] for e in effects]),
        ), strict=True):
            columns[name].append(value)
    del scaled, effects_by_idea, people, approvers
    ideas = ScaledIdeas(arrow.table(columns, schema=_SCALED_IDEAS), names, metrics, team_names)
    del columns
    heroes = [
        Hero(
            user_id=u,
            name=names[u],
            team_code=user_teams.get(u),
            team_name=team_names.get(user_teams.get(u)) or user_teams.get(u),
            badges=tuple(sorted(b, key=lambda x: [c.code for c in BADGES].index(x.code))),
        )
        for u, b in badges.items()
        if u in names
    ]
    heroes.sort(key=lambda h: (-len(h.badges), min(b.earned_at for b in h.badges), h.name))
    return Hall(ideas=ideas, heroes=tuple(heroes), version=version)


def badges_of(db: Database, *, actor_id: int, user_id: int) -> list[EarnedBadge]:
    """One person's earned badges, in BADGES order."""
    hall = hall_of_heroes(db, actor_id=actor_id)
    for hero in hall.heroes:
        if hero.user_id == user_id:
            return list(hero.badges)
    return []
