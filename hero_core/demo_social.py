"""The demo organisation's conversation: colleagues support ideas they recognise and talk about them.

Every support, follow and comment goes through the social service (so each is audited and notifies as usual),
on the database clock set to a moment in the last two weeks after the idea was submitted. Some comments mention
the team's manager or an IT champion by @email.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from hero_core.db import Database
from hero_core.models import Idea, TeamManager, User, UserRole
from hero_core.services import social

COMMENTS = (
    "Same here: I had two customers stuck on exactly this last week.",
    "We tried something like this in our team for a month and calls about it dropped noticeably.",
    "Could we test it with one shift first and compare the numbers?",
    "Customers mention this on almost every second call on a Monday.",
    "Love it. Happy to help write the new wording if that is useful.",
    "Worth checking with the complaints team, they see the worst cases of this.",
    "Does this need a change in the system, or can we start with a checklist?",
    "I keep a note with the workaround next to my screen; it would be great not to need it.",
)
MENTION_COMMENTS = (
    "{mention} would this fit into the next release of the system?",
    "{mention} could we bring this to the next team meeting?",
    "{mention} you asked about this kind of roadblock in the huddle; here it is.",
)


def _moment(rng: random.Random, after: datetime, today: date) -> datetime:
    start = max(after + timedelta(hours=1), datetime.combine(today - timedelta(days=14), time(8), tzinfo=UTC))
    end = datetime.combine(today - timedelta(days=1), time(17), tzinfo=UTC)
    if start >= end:
        return start
    return start + timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))


def build_conversation(db: Database, *, today: date, seed: int = 7) -> tuple[int, int]:
    """Add supports, follows and comments to the demo's submitted ideas; returns (supports, comments)."""
    rng = random.Random(seed * 104729 + 5)
    with db.read() as s:
        people = list(s.execute(select(User.id, User.email).where(User.active.is_(True)).order_by(User.id)).all())
        it_emails = list(s.execute(select(User.email).join(UserRole, UserRole.user_id == User.id)
                                   .where(UserRole.role == "it_champion").order_by(User.id)).scalars())
        managers: dict[int, list[str]] = {}
        for team_id, email in s.execute(select(TeamManager.team_id, User.email)
                                        .join(User, User.id == TeamManager.user_id).order_by(User.id)):
            managers.setdefault(team_id, []).append(email)
        ideas = list(s.execute(select(Idea.id, Idea.submitter_id, Idea.team_id, Idea.submitted_at)
                               .where(Idea.state != "draft", Idea.submitted_at.is_not(None),
                                      Idea.merged_into_id.is_(None)).order_by(Idea.id)).all())
    events: list[tuple[datetime, int, str, int, int, str]] = []  # (when, order, kind, idea, user, text)
    for idea_id, submitter_id, team_id, submitted_at in ideas:
        colleagues = [p for p in people if p.id != submitter_id]
        for p in rng.sample(colleagues, k=min(len(colleagues), rng.choice((0, 1, 2, 3, 5, 8)))):
            events.append((_moment(rng, submitted_at, today), len(events), "support", idea_id, p.id, ""))
            if rng.random() < 0.3:
                events.append((_moment(rng, submitted_at, today), len(events), "follow", idea_id, p.id, ""))
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            author = rng.choice(colleagues)
            if rng.random() < 0.35:
                choices = [e for e in managers.get(team_id, []) + it_emails if e != author.email]
                text = rng.choice(MENTION_COMMENTS).format(mention="@" + rng.choice(choices)) if choices else ""
            else:
                text = ""
            events.append((_moment(rng, submitted_at, today), len(events), "comment", idea_id, author.id,
                           text or rng.choice(COMMENTS)))
    events.sort()
    real_clock = db.clock
    supports = comments = 0
    try:
        for when, _, kind, idea_id, user_id, text in events:
            db.clock = lambda when=when: when
            if kind == "support":
                supports += social.set_support(db, actor_id=user_id, idea_id=idea_id, supported=True)
            elif kind == "follow":
                social.set_follow(db, actor_id=user_id, idea_id=idea_id, following=True)
            else:
                social.add_comment(db, actor_id=user_id, idea_id=idea_id, body=text)
                comments += 1
    finally:
        db.clock = real_clock
    return supports, comments
