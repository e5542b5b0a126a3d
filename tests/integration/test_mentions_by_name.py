"""@mentions as people type them: "@Priya Raman", "@priya" or "@email" — on SQLite and PostgreSQL.

A name mention must mean exactly one active person who may see the idea; otherwise the comment is refused with a
message naming the candidates, and nothing is stored or sent.
"""

from __future__ import annotations

import pytest

from hero_core.errors import InvalidInput
from hero_core.services import notifications, people, social
from hero_core.vocab import State
from tests.integration.factories import idea_in_state, new_idea


def mentions_of(db, user_id: int) -> list[str]:
    return [n.message for n in notifications.inbox(db, actor_id=user_id) if n.kind == "mention"]


def add(org, email: str, name: str, team: str = "ST") -> int:
    return people.add_user(org.db, actor_id=None, email=email, name=name, roles=["frontline"], team_code=team,
                           password="correct horse battery staple 1")


def refused(org, idea_id: int, body: str) -> str:
    """The problems named when the submitter's comment is refused; nothing was stored."""
    with pytest.raises(InvalidInput) as caught:
        social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body=body)
    assert "body" in caught.value.fields
    assert social.comments(org.db, actor_id=org.frontline, idea_id=idea_id) == []
    return str(caught.value)


def test_a_full_name_or_a_unique_first_name_mentions_the_person(org):
    priya = add(org, "priya.raman@example.com", "Priya Raman")
    idea_id = idea_in_state(org, State.SUBMITTED)
    social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body="@Priya Raman could you look at this?")
    social.add_comment(org.db, actor_id=org.manager, idea_id=idea_id, body="Agreed, @priya: and @Ivan, the CRM?")
    assert mentions_of(org.db, priya) == [
        f"Mia mentioned you in a comment on idea #{idea_id} “Shorter returns form”.",
        f"Fran mentioned you in a comment on idea #{idea_id} “Shorter returns form”.",
    ]
    assert mentions_of(org.db, org.it) == [f"Mia mentioned you in a comment on idea #{idea_id} “Shorter returns form”."]
    # A surname alone is part of the name too; case does not matter.
    social.add_comment(org.db, actor_id=org.executive, idea_id=idea_id, body="@RAMAN thanks.")
    assert len(mentions_of(org.db, priya)) == 3


def test_a_name_shared_by_several_people_is_refused_naming_them(org):
    add(org, "sam.lee@example.com", "Sam Lee")
    idea_id = idea_in_state(org, State.SUBMITTED)
    text = refused(org, idea_id, "@sam could you check the stores?")
    assert ("@sam matches Sam (sam@example.com) and Sam Lee (sam.lee@example.com): write @ and their email, "
            "or more of the name") in text
    assert mentions_of(org.db, org.other_frontline) == []
    # More of the name, or the email, settles it.
    social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body="@Sam Lee could you check the stores?")
    social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body="and @sam@example.com too")
    assert len(mentions_of(org.db, org.other_frontline)) == 1


def test_a_name_that_matches_nobody_is_refused_and_nothing_is_stored(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    text = refused(org, idea_id, "@Zed please look, and @Ivan too")
    assert "@Zed matches nobody who can see this idea" in text and "write @ and their email" in text
    assert mentions_of(org.db, org.it) == []  # one bad mention stops the whole comment


def test_a_deactivated_person_is_not_matched_by_name(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    people.set_active(org.db, actor_id=org.admin, email="ivan@example.com", active=False)
    assert "@Ivan matches nobody who can see this idea" in refused(org, idea_id, "@Ivan the CRM?")


def test_on_a_draft_only_its_author_can_be_mentioned_by_name(org):
    draft = new_idea(org)
    text = refused(org, draft, "@Mia thoughts?")
    assert "@Mia: this idea is still a draft that only you can see; submit it first" in text


def test_text_that_is_not_a_mention_is_left_alone(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    body = "write to ivan@example.com, meet @ 3pm, or @3pm"
    social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body=body)
    assert mentions_of(org.db, org.it) == []


def test_an_edit_notifies_only_people_newly_mentioned_by_name(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    cid = social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body="@Ivan can the CRM do it?")
    social.edit_comment(org.db, actor_id=org.frontline, comment_id=cid,
                        body="@ivan@example.com can the CRM do it? @Eve for the budget")
    assert len(mentions_of(org.db, org.it)) == 1
    assert len(mentions_of(org.db, org.executive)) == 1
