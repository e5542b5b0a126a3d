"""Contract: the SQL that lists and searches ideas shows each person exactly the ideas the permission matrix lets
them see (permissions "view_idea", applied by hero_core/services/visibility.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from hero_core import audit, permissions
from hero_core.models import Idea, Team, User, UserRole
from hero_core.services import ideas, visibility
from hero_core.services.common import load_actor
from hero_core.vocab import Role, State

_unique = count(1)
world = st.fixed_dictionaries({
    "people": st.lists(st.sampled_from([Role.FRONTLINE, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN]), min_size=3,
                       max_size=3),
    "ideas": st.lists(st.tuples(st.sampled_from(list(State)), st.integers(0, 2)), min_size=1, max_size=8),
})


@given(w=world)
def test_lists_show_each_person_exactly_the_ideas_they_may_see(db, w):
    tag, now = next(_unique), datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with db.write() as s:
        team = Team(code=f"V{tag}", name=f"Visibility {tag}", created_at=now)
        s.add(team)
        s.flush()
        people = []
        for k, role in enumerate(w["people"]):
            user = User(email=f"v{tag}p{k}@example.com", name=f"Viewer {k}", team_id=team.id, active=True,
                        failed_logins=0, created_at=now)
            s.add(user)
            s.flush()
            s.add(UserRole(user_id=user.id, role=role.value))
            people.append(user.id)
        for k, (state, author) in enumerate(w["ideas"]):
            s.add(Idea(title=f"Visibility {tag} idea {k}", roadblock="A roadblock.", proposal="A proposal.",
                       touchpoint="website", category="complex_form", submitter_id=people[author], team_id=team.id,
                       state=state.value, created_at=now, updated_at=now, it_plan="", it_blockers="",
                       last_reason=""))
        audit.record(s, at=now, actor_id=None, actor_email="system", action="test_world", entity_type="test",
                     entity_id=tag)
    for uid in people:
        with db.read() as s:
            actor = load_actor(s, uid)
            rows = s.execute(select(Idea).where(Idea.team_id == team.id)).scalars().all()
            by_rules = {i.id for i in rows if permissions.allowed(actor, "view_idea", visibility.facts(i))}
            by_sql = set(s.execute(select(Idea.id).where(Idea.team_id == team.id, visibility.visible_sql(uid)))
                         .scalars())
            assert by_sql == by_rules, (uid, w)
            assert by_rules == {i.id for i in rows if visibility.sees(uid, i)}
        listed, total = ideas.list_ideas(db, actor_id=uid, page_size=100,
                                         flt=ideas.IdeaFilter(team_codes=(f"V{tag}",), include_merged=True))
        assert {i.id for i in listed} == by_rules and total == len(by_rules)
