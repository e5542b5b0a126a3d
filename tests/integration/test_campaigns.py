"""Campaigns: who may post one, what it must hold, and which ideas may answer it — SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from hero_core.errors import InvalidInput, NotFound, PermissionDenied
from hero_core.models import AuditEntry
from hero_core.services import campaigns, ideas
from tests.integration.factories import idea_input

TODAY = date(2026, 5, 4)


@pytest.fixture
def clock(org):
    org.db.clock = lambda: datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def post(org, actor=None, **extra):
    values = dict(title="Fewer repeat calls about billing", description="Why do customers call twice?",
                  touchpoint="call_centre", closes_on=TODAY + timedelta(days=30), team_codes=["CC"],
                  target_metrics=["fcr", "csat"])
    values.update(extra)
    return campaigns.create_campaign(org.db, actor_id=actor or org.manager, **values)


def answer(org, campaign_id, submitter=None):
    data = idea_input()
    data = ideas.IdeaInput(**{**data.__dict__, "campaign_id": campaign_id})
    return ideas.create_idea(org.db, actor_id=submitter or org.frontline, data=data, submit=True)


def test_managers_and_executives_post_a_challenge_with_teams_metrics_and_a_closing_date(org, clock):
    cid = post(org)
    exec_cid = post(org, actor=org.executive, title="Stores: queue less at returns", team_codes=[],
                    target_metrics=[])
    view = campaigns.get_campaign(org.db, campaign_id=cid)
    assert (view.title, view.touchpoint, view.closes_on, view.team_codes, view.target_metrics) == (
        "Fewer repeat calls about billing", "call_centre", TODAY + timedelta(days=30), ("CC",), ("csat", "fcr"))
    assert view.is_open and view.created_by_email == "mia@example.com"
    assert campaigns.get_campaign(org.db, campaign_id=exec_cid).team_codes == ()
    with org.db.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.entity_type == "campaign",
                                                   AuditEntry.entity_id == str(cid))).scalar_one()
    assert entry.action == "campaign_created" and '"teams":["CC"]' in entry.after_json


def test_frontline_and_it_may_not_post_a_campaign(org, clock):
    for who in (org.frontline, org.it):
        with pytest.raises(PermissionDenied, match="Only managers, executives and admins may manage campaigns"):
            post(org, actor=who)
    assert campaigns.list_campaigns(org.db) == []


def test_a_campaign_with_problems_names_every_one_and_stores_nothing(org, clock):
    with pytest.raises(InvalidInput) as refused:
        post(org, title="Hi", closes_on=TODAY - timedelta(days=1), team_codes=["CC", "NOPE"],
             target_metrics=["fcr", "smiles"], touchpoint="carrier pigeon")
    fields = refused.value.fields
    assert set(fields) == {"title", "closes_on", "team_codes", "target_metrics", "touchpoint"}
    assert "'NOPE'" in fields["team_codes"] and "'smiles'" in fields["target_metrics"]
    assert "2026-05-03 is in the past" in fields["closes_on"]
    assert campaigns.list_campaigns(org.db) == []


def test_an_idea_answers_an_open_campaign_addressed_to_its_team(org, clock):
    cid = post(org)
    idea_id = answer(org, cid)
    assert ideas.get_idea(org.db, actor_id=org.frontline, idea_id=idea_id).campaign_title == (
        "Fewer repeat calls about billing")
    view = campaigns.get_campaign(org.db, campaign_id=cid)
    assert view.ideas == 1 and view.ideas_by_state == {"submitted": 1}
    assert campaigns.answerable(org.db, team_code="CC") == [(cid, "Fewer repeat calls about billing")]
    assert campaigns.answerable(org.db, team_code="ST") == []


def test_an_idea_from_a_team_the_campaign_is_not_addressed_to_is_refused(org, clock):
    cid = post(org)
    with pytest.raises(InvalidInput, match="addressed to team\\(s\\) CC; team ST is not among them"):
        answer(org, cid, submitter=org.other_frontline)


def test_a_closed_campaign_takes_no_more_ideas(org, clock):
    cid = post(org, closes_on=TODAY)
    answer(org, cid)  # open until the end of its closing day
    org.db.clock = lambda: datetime(2026, 5, 5, 0, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="closed on 2026-05-04; it takes no more ideas") as refused:
        answer(org, cid)
    assert "campaign_id" in refused.value.fields
    assert not campaigns.get_campaign(org.db, campaign_id=cid).is_open
    assert campaigns.list_campaigns(org.db, open_only=True) == []


def test_an_idea_already_answering_a_closed_campaign_can_still_be_edited(org, clock):
    cid = post(org)
    data = ideas.IdeaInput(**{**idea_input().__dict__, "campaign_id": cid})
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, data=data)
    org.db.clock = lambda: datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    edited = ideas.IdeaInput(**{**data.__dict__, "title": "Shorter returns form, take two"})
    ideas.edit_idea(org.db, actor_id=org.frontline, idea_id=idea_id, expected_version=None, data=edited)
    assert ideas.get_idea(org.db, actor_id=org.frontline, idea_id=idea_id).campaign_id == cid


def test_an_unknown_campaign_is_not_found(org, clock):
    with pytest.raises(NotFound):
        campaigns.get_campaign(org.db, campaign_id=42)
