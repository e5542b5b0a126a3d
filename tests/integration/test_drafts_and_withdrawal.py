"""Proposing without losing or doubling work (issue 21): a draft needs only a title, a form makes one idea however
often it is sent, the service's length limits are the form's, and a submitter withdraws an undecided idea."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hero_core import audit
from hero_core.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from hero_core.models import Idea
from hero_core.services import ideas, notifications, social
from hero_core.services.ideas import IdeaFilter, IdeaInput
from tests.integration.factories import audit_actions, idea_in_state, idea_input, state_of, version_of

TOKEN = "form-token-0123456789abcdef"


def title_only(title: str = "Pre-filled direct debit form") -> IdeaInput:
    return IdeaInput(title=title, roadblock="", proposal="", touchpoint="", category="")


def mine(org) -> list[ideas.IdeaSummary]:
    return ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(submitter_id=org.frontline))[0]


def test_a_draft_is_saved_with_a_title_alone_and_submitting_it_names_each_missing_field(org):
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, data=title_only())
    view = ideas.get_idea(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert (view.state, view.title, view.roadblock, view.touchpoint, view.category) == (
        "draft", "Pre-filled direct debit form", "", "", "")
    with pytest.raises(InvalidInput) as refused:
        ideas.submit(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert set(refused.value.fields) == {"roadblock", "proposal", "touchpoint", "category"}
    text = " | ".join(refused.value.fields.values())
    for label in ("customer roadblock", "proposed fix", "touch point", "kind of problem"):
        assert label in text.lower(), (label, text)
    assert "None" not in text and "''" not in text
    assert state_of(org.db, idea_id) == "draft" and audit_actions(org.db, idea_id) == ["created"]


def test_a_draft_still_needs_a_title_and_checks_the_length_of_what_is_typed(org):
    with pytest.raises(InvalidInput) as refused:
        ideas.create_idea(org.db, actor_id=org.frontline, data=IdeaInput(
            title="", roadblock="x" * (ideas.FIELD_LIMITS["roadblock"] + 1), proposal="", touchpoint="",
            category=""))
    assert set(refused.value.fields) == {"title", "roadblock"}
    assert "at most 10000" in refused.value.fields["roadblock"]
    assert mine(org) == []


def test_the_limits_the_form_shows_are_the_ones_the_service_enforces(org):
    for field, limit in ideas.FIELD_LIMITS.items():
        at_limit = ideas.validate_idea_input(org.db, data=idea_input().__class__(
            **{**idea_input().__dict__, field: ("y" * limit)}))
        assert field not in at_limit, (field, at_limit)
        over = ideas.validate_idea_input(org.db, data=idea_input().__class__(
            **{**idea_input().__dict__, field: ("y" * (limit + 1))}))
        assert f"at most {limit}" in over[field]


def test_one_form_makes_one_idea_however_often_it_is_saved_or_sent(org):
    db = org.db
    first = ideas.create_idea(db, actor_id=org.frontline, data=title_only(), form_token=TOKEN)  # an autosave
    again = ideas.create_idea(db, actor_id=org.frontline, data=title_only(), form_token=TOKEN)  # same text again
    assert again == first and audit_actions(db, first) == ["created"], "an unchanged autosave writes nothing"
    version = version_of(db, first)
    ideas.create_idea(db, actor_id=org.frontline, data=idea_input(title="Pre-filled direct debit form"),
                      form_token=TOKEN)  # more text typed: the same draft, edited
    assert version_of(db, first) == version + 1
    sent = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(title="Pre-filled direct debit form"),
                             submit=True, form_token=TOKEN)
    double = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(title="Pre-filled direct debit form"),
                               submit=True, form_token=TOKEN)  # the second click of a double click
    assert sent == double == first
    assert [s.id for s in mine(org)] == [first] and state_of(db, first) == "submitted"
    assert audit_actions(db, first) == ["created", "edited", "submit"]
    other = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(), submit=True,
                              form_token="another-form-token-0123456789")
    assert other != first, "a new form (the one shown after a proposal) makes a new idea"


def test_a_form_token_is_the_persons_own(org):
    first = ideas.create_idea(org.db, actor_id=org.frontline, data=title_only(), form_token=TOKEN)
    theirs = ideas.create_idea(org.db, actor_id=org.frontline_b, data=title_only(), form_token=TOKEN)
    assert theirs != first
    with pytest.raises(InvalidInput):
        ideas.create_idea(org.db, actor_id=org.frontline, data=title_only(), form_token="<script>")


@pytest.mark.parametrize("state", ["submitted", "in_review", "needs_changes"])
def test_the_submitter_withdraws_an_undecided_idea_with_a_reason(org, state):
    db = org.db
    idea_id = idea_in_state(org, state)
    ideas.withdraw(db, actor_id=org.frontline, idea_id=idea_id, reason="The new portal fixed it.",
                   expected_version=version_of(db, idea_id))
    view = ideas.get_idea(db, actor_id=org.frontline, idea_id=idea_id)
    assert view.state == "retired"
    assert view.last_reason == "Withdrawn by its submitter: The new portal fixed it."
    assert view.milestones["retired_at"] is not None and view.available_actions == ()
    timeline = ideas.timeline(db, actor_id=org.frontline, idea_id=idea_id)
    assert (timeline[-1].action, timeline[-1].reason) == ("withdraw", "The new portal fixed it.")
    told = [n.message for n in notifications.inbox(db, actor_id=org.manager) if n.idea_id == idea_id]
    if state in ("submitted", "in_review"):
        assert any("was withdrawn by" in m and "needs no review" in m for m in told), told
    assert idea_id not in [q.idea.id for q in ideas.review_queue(db, actor_id=org.manager)]


def test_a_withdrawal_needs_no_reason_and_stops_the_review_clocks_not_yet_broken(org):
    db = org.db
    idea_id = idea_in_state(org, "submitted")
    ideas.withdraw(db, actor_id=org.frontline, idea_id=idea_id)
    view = ideas.get_idea(db, actor_id=org.frontline, idea_id=idea_id)
    assert view.last_reason == "Withdrawn by its submitter."
    assert view.sla == {}, "no promise is left running for an idea nobody waits on"


def test_a_broken_promise_stays_broken_when_the_idea_is_withdrawn(org):
    db = org.db
    idea_id = idea_in_state(org, "submitted")
    with db.write() as s:
        idea = s.get(Idea, idea_id)
        idea.review_start_due = db.now() - timedelta(days=3)
    ideas.withdraw(db, actor_id=org.frontline, idea_id=idea_id)
    assert "start review" in ideas.get_idea(db, actor_id=org.frontline, idea_id=idea_id).sla


@pytest.mark.parametrize("state", ["draft", "approved", "declined", "awaiting_it", "retired"])
def test_a_decided_idea_or_a_draft_cannot_be_withdrawn(org, state):
    idea_id = idea_in_state(org, state)
    with pytest.raises(TransitionNotAllowed, match="Cannot withdraw an idea that is"):
        ideas.withdraw(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert state_of(org.db, idea_id) == state


def test_only_the_submitter_withdraws(org):
    idea_id = idea_in_state(org, "in_review")
    for other in (org.frontline_b, org.manager, org.admin):
        with pytest.raises(PermissionDenied, match="Only the submitter may withdraw"):
            ideas.withdraw(org.db, actor_id=other, idea_id=idea_id)
    assert state_of(org.db, idea_id) == "in_review"


def test_the_author_discards_a_draft_and_the_audit_trail_keeps_that_it_existed(org):
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(title="A form nobody needs"))
    social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body="Note to self: ask Sam.")
    ideas.discard_draft(org.db, actor_id=org.frontline, idea_id=idea_id, expected_version=version_of(org.db, idea_id))
    with org.db.read() as s:
        assert s.get(Idea, idea_id) is None
    assert [i.id for i in mine(org)] == []
    assert audit_actions(org.db, idea_id)[-1] == "discard_draft"
    with org.db.read() as s:
        assert audit.verify(s).ok


@pytest.mark.parametrize("who", ["frontline_b", "manager", "admin"])
def test_only_its_author_discards_a_draft_and_nothing_changes_otherwise(org, who):
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, data=title_only())
    with pytest.raises((PermissionDenied, NotFound)):
        ideas.discard_draft(org.db, actor_id=getattr(org, who), idea_id=idea_id)
    assert state_of(org.db, idea_id) == "draft" and audit_actions(org.db, idea_id) == ["created"]


@pytest.mark.parametrize("state", ["submitted", "in_review", "needs_changes", "approved"])
def test_a_sent_idea_cannot_be_discarded_only_withdrawn(org, state):
    idea_id = idea_in_state(org, state)
    before = audit_actions(org.db, idea_id)
    with pytest.raises((TransitionNotAllowed, PermissionDenied)) as refused:
        ideas.discard_draft(org.db, actor_id=org.frontline, idea_id=idea_id)
    if isinstance(refused.value, TransitionNotAllowed):
        assert "Only a draft can be discarded" in str(refused.value)
    assert state_of(org.db, idea_id) == state and audit_actions(org.db, idea_id) == before
