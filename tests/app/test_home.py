"""Home: what waits for me today, and a link to every page my role may use."""

from __future__ import annotations

import pytest

from hero_app.navigation import HOME, pages_for
from hero_core.services import ideas, people
from tests.app.conftest import EMAIL, ROLES, approved, as_role, assert_clean, idea_input, in_review, make_idea


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("role", ROLES)
def test_home_greets_the_person_and_links_every_page_of_their_menu(org, role):
    at = as_role(role)
    assert_clean(at)
    actor = people.get_actor(org.db, people.user_id_for(org.db, EMAIL[role]))
    menu = [p.title for p in pages_for(actor) if p.in_menu and p.url_path != HOME]
    links = [link.label for link in at.main.get("page_link")]
    assert links == menu
    assert ("Review queue" in links) == (role in ("manager", "admin"))
    assert ("IT board" in links) == (role == "it_champion")
    assert ("Administration" in links) == (role == "admin")
    assert at.title[0].value == f"Hello, {people.get_user(org.db, actor.id).name}"
    shown = metrics(at)
    assert ("Ideas in my review queue" in shown) == (role in ("manager", "admin"))
    assert ("Waiting for IT to claim" in shown) == (role == "it_champion")


def test_home_counts_what_waits_on_the_frontline_person_and_on_the_manager_and_it(org):
    draft = make_idea(org, submit=False, title="A draft of mine")
    sent_back = make_idea(org, title="Needs another look")
    in_review(org, sent_back)
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=sent_back, reason="Say how often it happens")
    make_idea(org, title="Waiting for the manager")
    approved(org, title="Waiting for IT")
    ideas.create_idea(org.db, actor_id=org.other_frontline, data=idea_input("Another team's idea"), submit=True)

    frontline = metrics(as_role("frontline"))
    assert frontline["My ideas waiting on me"] == "2", (draft, sent_back)  # the draft and the one sent back
    assert int(frontline["Unread notifications"]) >= 1  # "needs changes" reached the inbox
    manager = metrics(as_role("manager"))
    assert manager["Ideas in my review queue"] == "1"  # only the manager's own team's submitted idea
    assert manager["My ideas waiting on me"] == "0"
    assert metrics(as_role("it_champion"))["Waiting for IT to claim"] == "1"
