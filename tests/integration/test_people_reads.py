"""The light reads every page and service call starts from: the acting person, and team pickers."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from hero_core.errors import NotFound
from hero_core.models import Team
from hero_core.services import people
from hero_core.services.common import load_actor
from hero_core.vocab import Role


def _actor(db, user_id):
    with db.read() as s:
        return load_actor(s, user_id)


def test_the_acting_person_carries_every_role_and_every_managed_team(org):
    """One joined query: roles x managed teams rows, each role and team counted once."""
    db = org.db
    people.create_team(db, actor_id=None, code="WEB", name="Web chat")
    people.set_roles(db, actor_id=None, email="mia@example.com", roles=["manager", "executive", "it_champion"])
    for code in ("CC", "ST", "WEB"):
        people.set_team_managers(db, actor_id=None, team_code=code, manager_emails=["mia@example.com"])
    mia = _actor(db, org.manager)
    assert mia.roles == frozenset({Role.MANAGER, Role.EXECUTIVE, Role.IT_CHAMPION})
    assert set(mia.managed_team_ids) == {t.id for t in people.list_teams(db) if t.code in ("CC", "ST", "WEB")}
    assert (mia.email, mia.name, mia.active) == ("mia@example.com", "Mia", True)
    assert mia.team_id == next(t.id for t in people.list_teams(db) if t.code == "CC")


def test_a_person_who_manages_no_team_is_read_from_the_one_row_the_join_leaves(org):
    db = org.db
    people.set_active(db, actor_id=None, email="sam@example.com", active=False)
    sam = _actor(db, org.other_frontline)
    assert (sam.roles, sam.managed_team_ids, sam.active) == (frozenset({Role.FRONTLINE}), frozenset(), False)
    assert sam.email == "sam@example.com"


def test_team_names_are_the_pickers_code_to_name_in_code_order(org):
    db = org.db
    people.create_team(db, actor_id=None, code="AB", name="Account billing")
    with db.write() as s:
        s.execute(update(Team).where(Team.code == "ST").values(active=False))
    assert people.team_names(db) == {"AB": "Account billing", "CC": "Contact centre", "ST": "Stores"}
    assert list(people.team_names(db)) == ["AB", "CC", "ST"]
    assert people.team_names(db, active_only=True) == {"AB": "Account billing", "CC": "Contact centre"}
    assert people.team_names(db) == {t.code: t.name for t in people.list_teams(db)}


def test_the_signed_in_person_is_the_user_view_and_the_actor_read_together(org):
    """people.signed_in (every page run's first read) says exactly what get_user and get_actor say."""
    db = org.db
    people.set_roles(db, actor_id=None, email="mia@example.com", roles=["manager", "executive"])
    people.set_team_managers(db, actor_id=None, team_code="ST", manager_emails=["mia@example.com"])
    people.set_active(db, actor_id=None, email="sam@example.com", active=False)
    for user_id in (org.manager, org.frontline, org.other_frontline, org.other_manager, org.it, org.executive,
                    org.admin):
        view, actor = people.signed_in(db, user_id)
        assert view == people.get_user(db, user_id)
        assert actor == people.get_actor(db, user_id)
    mia, _ = people.signed_in(db, org.manager)
    assert (mia.team_code, mia.roles) == ("CC", ("executive", "manager")) and "ST" in mia.managed_team_codes


def test_signing_in_as_nobody_is_not_found_never_the_system(org):
    for missing in (0, -1, 10**6, True):
        with pytest.raises(NotFound):
            people.signed_in(org.db, missing)
