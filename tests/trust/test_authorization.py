"""Authorization, attacked cell by cell.

The expected table is tests/permission_table.py, written from the issue's and README's rules (who may do
what), not read from hero_core.permissions: the matrix test compares the two for every action x persona x idea
state, and the service test then tries every service as every persona — including a manager of another team, a
teammate editing someone else's draft and anyone opening a draft that is not theirs — and checks that each
refusal changes nothing.
"""

from __future__ import annotations

import functools
import io
from datetime import UTC, datetime

import pytest

from hero_core import permissions
from hero_core.errors import NotFound, PermissionDenied
from hero_core.permissions import Actor, IdeaFacts
from hero_core.services import campaigns, catalog, ideas, ideas_io, impact_views, metrics_io, people
from hero_core.vocab import Role, State
from tests.integration.factories import (
    assessment,
    audit_count,
    idea_in_state,
    idea_input,
    state_of,
    version_of,
)
from tests.permission_table import EXPECTED, IDEA_ACTIONS, MANAGERS, PERSONAS, SEE_ASSESSMENT, TEAM, who_may

#: The people who try everything: the table's personas, and a deactivated manager and admin (who may do
#: nothing).
#: The idea under attack is always the author's, in team TEAM.
ATTACKERS: dict[str, Actor] = {
    **PERSONAS,
    "deactivated_manager": Actor(99, "gone@x", "Gone", frozenset({Role.MANAGER, Role.ADMIN}), TEAM,
                                 frozenset({TEAM}), active=False),
}


def _expected(action: str, persona: str, state: State | None) -> bool:
    return persona in who_may(action, state)


def test_every_action_in_the_matrix_has_an_independent_expectation_and_vice_versa():
    assert set(permissions.MATRIX) == set(EXPECTED), (
        "new or removed permission actions: add the rule, as the issue states it, to "
        "tests/permission_table.py"
    )


def test_every_cell_of_the_matrix_matches_the_rules_allowed_and_refused():
    cells = allowed = 0
    wrong = []
    for action in sorted(EXPECTED):
        if action not in permissions.MATRIX:
            continue
        states = list(State) if action in permissions.IDEA_ACTIONS or action in IDEA_ACTIONS else [None]
        for state in states:
            facts = (None if state is None
                     else IdeaFacts(submitter_id=PERSONAS["author"].id, team_id=TEAM, state=state))
            for name, actor in ATTACKERS.items():
                cells += 1
                got = permissions.allowed(actor, action, facts)
                allowed += got
                if got != _expected(action, name, state):
                    wrong.append((action, name, state and state.value, got))
                if not got:  # every refusal says who may, and names the person
                    with pytest.raises(PermissionDenied) as info:
                        permissions.require(actor, action, facts)
                    assert actor.email in str(info.value)
    assert not wrong, wrong[:20]
    assert cells > 2500 and 0 < allowed < cells
    print(f"\nauthorization matrix: {cells} cells asserted, {allowed} allowed, {cells - allowed} refused")


# ---- the services, as real people in a real database --------------------------------------------------------

PEOPLE = ("author", "teammate", "outsider", "team_manager", "other_manager", "it_champion", "executive",
          "admin")


def _uid(org, persona: str) -> int:
    return {"author": org.frontline, "teammate": org.frontline_b, "outsider": org.other_frontline,
            "team_manager": org.manager, "other_manager": org.other_manager, "it_champion": org.it,
            "executive": org.executive, "admin": org.admin}[persona]


def _high_risk_first_approved(org) -> int:
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=assessment(high=True))
    ideas.approve(org.db, actor_id=org.manager, idea_id=idea_id)
    return idea_id


def _assessed(org) -> int:
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    return idea_id


def _state(name):
    return lambda org: idea_in_state(org, name)


PILOT = dict(pilot_team_codes=["CC"], launch_date=datetime.now(UTC).date())  # the ideas are approved today

#: service -> (make the idea, call as uid, who may). "second approve": the first approver (manager) may not.
IDEA_SERVICES = {
    "get_idea (draft)": (_state("draft"), lambda db, u, i: ideas.get_idea(db, actor_id=u, idea_id=i), {"author"}),
    "timeline (draft)": (_state("draft"), lambda db, u, i: ideas.timeline(db, actor_id=u, idea_id=i), {"author"}),
    "get_idea": (_state("submitted"), lambda db, u, i: ideas.get_idea(db, actor_id=u, idea_id=i), set(PEOPLE)),
    "edit_idea (draft)": (_state("draft"), lambda db, u, i: ideas.edit_idea(
        db, actor_id=u, idea_id=i, expected_version=None, data=idea_input(title="Edited title here")), {"author"}),
    "edit_idea (needs changes)": (_state("needs_changes"), lambda db, u, i: ideas.edit_idea(
        db, actor_id=u, idea_id=i, expected_version=None, data=idea_input(title="Edited title here")), {"author"}),
    "submit": (_state("draft"), lambda db, u, i: ideas.submit(db, actor_id=u, idea_id=i), {"author"}),
    "resubmit": (_state("needs_changes"), lambda db, u, i: ideas.resubmit(db, actor_id=u, idea_id=i), {"author"}),
    "start_review": (_state("submitted"), lambda db, u, i: ideas.start_review(db, actor_id=u, idea_id=i),
                     {"team_manager"}),
    "assess_risk": (_state("in_review"), lambda db, u, i: ideas.assess_risk(
        db, actor_id=u, idea_id=i, assessment=assessment()), {"team_manager"}),
    "request_changes": (_state("in_review"), lambda db, u, i: ideas.request_changes(
        db, actor_id=u, idea_id=i, reason="More detail."), {"team_manager"}),
    "decline": (_state("in_review"), lambda db, u, i: ideas.decline(db, actor_id=u, idea_id=i, reason="No."),
                {"team_manager"}),
    "approve": (_assessed, lambda db, u, i: ideas.approve(db, actor_id=u, idea_id=i), {"team_manager"}),
    "second approve": (_high_risk_first_approved, lambda db, u, i: ideas.approve(
        db, actor_id=u, idea_id=i, reason="The mitigations cover it."),
                       {"other_manager", "admin"}),
    "claim": (_state("awaiting_it"), lambda db, u, i: ideas.claim(db, actor_id=u, idea_id=i), {"it_champion"}),
    "plan_it": (_state("in_build"), lambda db, u, i: ideas.plan_it(
        db, actor_id=u, idea_id=i, plan="Two sprints.", effort_days=10), {"it_champion"}),
    "start_pilot": (_state("approved"), lambda db, u, i: ideas.start_pilot(db, actor_id=u, idea_id=i, **PILOT),
                    {"it_champion", "team_manager"}),
    "start_scaling": (_state("piloting"), lambda db, u, i: ideas.start_scaling(
        db, actor_id=u, idea_id=i, override_reason="No pilot data here: permissions are what is tested."),
                      {"it_champion", "team_manager"}),
    "complete_scaling": (_state("scaling"), lambda db, u, i: ideas.complete_scaling(db, actor_id=u, idea_id=i),
                         {"it_champion", "team_manager"}),
    "retire": (_state("submitted"), lambda db, u, i: ideas.retire(db, actor_id=u, idea_id=i, reason="Overtaken."),
               {"team_manager", "admin"}),
    "withdraw": (_state("in_review"), lambda db, u, i: ideas.withdraw(db, actor_id=u, idea_id=i, reason="Solved."),
                 {"author"}),
}

METRICS_CSV = b"metric,team,date,value\ncsat,CC,2026-01-05,4.1\n"


def _ideas_csv(org) -> bytes:
    return (b"title,roadblock,proposal,submitter_email,team,touchpoint,category,involves_technology,"
            b"submitted_at,state,launch_date,pilot_teams,target_metrics\n"
            b"Imported idea title,Customers wait far too long.,Answer them much faster.,"
            b"fran@example.com,CC,website,complex_form,no,2026-01-05,submitted,,,\n")


ORG_SERVICES = {
    "create_idea": (lambda org, u: ideas.create_idea(org.db, actor_id=u, data=idea_input()), set(PEOPLE)),
    "review_queue": (lambda org, u: ideas.review_queue(org.db, actor_id=u), MANAGERS | {"admin"}),
    "it_board": (lambda org, u: ideas.it_board(org.db, actor_id=u), {"it_champion"}),
    "impact portfolio": (lambda org, u: impact_views.portfolio(org.db, actor_id=u),
                         MANAGERS | {"executive", "admin"}),
    "export ideas": (lambda org, u: list(ideas_io.export_rows(org.db, actor_id=u)),
                     MANAGERS | {"executive", "admin"}),
    "list_users": (lambda org, u: people.list_users(org.db, actor_id=u), {"admin"}),
    "add_user": (lambda org, u: people.add_user(org.db, actor_id=u, email=f"new{u}@example.com", name="New",
                                                roles=["frontline"], team_code="CC"), {"admin"}),
    "set_roles": (lambda org, u: people.set_roles(org.db, actor_id=u, email="sam@example.com",
                                                  roles=["frontline", "manager"]), {"admin"}),
    "set_active": (lambda org, u: people.set_active(org.db, actor_id=u, email="sam@example.com", active=False),
                   {"admin"}),
    "set someone else's password": (lambda org, u: people.set_password(
        org.db, actor_id=u, email="sam@example.com", password="a brand new long password"),
        {"admin"}),  # sam (the outsider) changes their own only with the current one: change_own_password
    "create_team": (lambda org, u: people.create_team(org.db, actor_id=u, code=f"N{u}", name="New team"),
                    {"admin"}),
    "set_team_managers": (lambda org, u: people.set_team_managers(
        org.db, actor_id=u, team_code="ST", manager_emails=["mia@example.com"]), {"admin"}),
    "save_metric": (lambda org, u: catalog.save_metric(org.db, actor_id=u, metric=catalog.MetricDef(
        "wait_time", "Wait time", "seconds", "lower", 0, 3600, "mean")), {"admin"}),
    "import ideas": (lambda org, u: ideas_io.import_ideas_csv(org.db, actor_id=u, content=_ideas_csv(org)),
                     {"admin"}),
    "import metrics": (lambda org, u: metrics_io.import_metrics(
        org.db, actor_id=u, source=io.BytesIO(METRICS_CSV), file_name="m.csv"), {"admin"}),
    "create_campaign": (lambda org, u: campaigns.create_campaign(
        org.db, actor_id=u, title=f"Campaign by {u}", description="Fix the forms."),
        MANAGERS | {"executive", "admin"}),
}


def _refused(call, db, idea_id=None):
    before = (audit_count(db), state_of(db, idea_id) if idea_id else None,
              version_of(db, idea_id) if idea_id else None)
    with pytest.raises((PermissionDenied, NotFound)) as info:
        call()
    assert str(info.value).strip(), "a refusal says why"
    after = (audit_count(db), state_of(db, idea_id) if idea_id else None,
             version_of(db, idea_id) if idea_id else None)
    assert after == before, "a refusal changes nothing"


# The rules are the same on both databases (tests/integration/test_service_permissions.py runs its cross-team
# cases on PostgreSQL too); the full grid runs on SQLite to keep the suite fast.
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@pytest.mark.parametrize("service", list(IDEA_SERVICES))
def test_every_idea_service_as_every_persona_allows_exactly_who_may(org, service):
    make, call, who = IDEA_SERVICES[service]
    shared = make(org)  # refusals change nothing, so they can all try the same idea
    for persona in PEOPLE:
        uid = _uid(org, persona)
        if persona in who:
            idea_id = make(org)
            call(org.db, uid, idea_id)  # raises if wrongly refused
        else:
            _refused(functools.partial(call, org.db, uid, shared), org.db, shared)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@pytest.mark.parametrize("service", list(ORG_SERVICES))
def test_every_organisation_service_as_every_persona_allows_exactly_who_may(org, service):
    call, who = ORG_SERVICES[service]
    if service in ("review_queue", "it_board", "impact portfolio", "export ideas"):
        idea_in_state(org, "submitted")
    for persona in sorted(PEOPLE, key=lambda p: p in who):  # refusals first, while the data is untouched
        uid = _uid(org, persona)
        if persona in who:
            call(org, uid)
        else:
            _refused(functools.partial(call, org, uid), org.db)


def test_a_manager_sees_the_assessment_but_a_teammate_of_the_author_does_not(org):
    idea_id = _assessed(org)
    seen = {p: ideas.get_idea(org.db, actor_id=_uid(org, p), idea_id=idea_id).assessment is not None
            for p in PEOPLE}
    assert seen == {p: p in SEE_ASSESSMENT for p in PEOPLE}


def test_a_deactivated_manager_can_do_nothing_at_all(org):
    idea_id = idea_in_state(org, "submitted")
    people.set_active(org.db, actor_id=org.admin, email="mia@example.com", active=False)
    for call in (lambda: ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id),
                 lambda: ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id),
                 lambda: ideas.review_queue(org.db, actor_id=org.manager),
                 lambda: ideas.create_idea(org.db, actor_id=org.manager, data=idea_input())):
        with pytest.raises(PermissionDenied, match="deactivated"):
            call()
    assert state_of(org.db, idea_id) == "submitted"
