"""The impact portfolio (executives, managers, admins) and everyone's notifications."""

from __future__ import annotations

import pytest

from hero_core.services import ideas, notifications
from tests.app.conftest import (
    ALLOWED,
    all_text,
    approved,
    as_role,
    assert_clean,
    button,
    make_idea,
    open_page,
    open_tab,
    table,
)


@pytest.mark.parametrize("role", sorted(ALLOWED["impact"]))
def test_the_impact_page_lists_launched_ideas_for_each_role_that_may_see_it(org, role):
    launched = approved(org, tech=False, title="Greeting script")
    ideas.start_pilot(org.db, actor_id=org.manager, idea_id=launched, pilot_team_codes=["CC"],
                      launch_date=org.db.now().date())
    make_idea(org, title="Not launched yet")
    at = open_page(as_role(role), "impact")
    assert_clean(at)
    assert at.title[0].value == "Impact"
    portfolio = table(at, "Idea", "State", "Verdict")
    assert list(portfolio["#"]) == [launched] and list(portfolio["State"]) == ["Piloting"]
    assert list(portfolio["Verdict"]) == ["not enough data"]  # it names no target metric: nothing to measure
    assert {m.label: m.value for m in at.metric}["Launched ideas measured"] == "1"
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Download CSV") == 1 and "Download chart (PNG)" in labels  # the open tab's: Portfolio
    for tab in ("Funnel and stage times", "Risk heat map"):
        labels = [b.proto.label for b in open_tab(at, tab, key="impact_tab").get("download_button")]
        assert labels.count("Download CSV") == 1 and "Download chart (PNG)" in labels, tab


def test_the_inbox_lists_notifications_links_each_to_its_idea_and_marks_them_read(org):
    idea_id = make_idea(org)
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    at = open_page(as_role("frontline"), "inbox")
    assert_clean(at)
    assert "1 unread" in all_text(at)
    assert any("is now being reviewed" in t.value for t in at.text)
    link = [p for p in at.get("page_link") if p.proto.label == f"Open idea #{idea_id}"]
    assert link and link[0].proto.page.endswith("idea")
    button(at, "Mark read").click().run()
    assert_clean(at)
    assert notifications.unread_count(org.db, actor_id=org.frontline) == 0
    assert "0 unread" in all_text(at)


def test_every_role_has_an_inbox_and_mark_all_read_empties_it(org):
    for role, user_id in (("manager", org.manager), ("it_champion", org.it), ("executive", org.executive),
                          ("admin", org.admin)):
        idea_id = approved(org, title=f"Idea for the {role}") if role == "it_champion" else make_idea(org)
        with org.db.write() as s:
            notifications.notify(s, org.db, user_ids=[user_id], idea_id=idea_id, kind="note",
                                 message=f"Hello {role}")
        at = open_page(as_role(role), "inbox")
        assert_clean(at)
        assert any(t.value == f"Hello {role}" for t in at.text)
        button(at, "Mark all as read").click().run()
        assert notifications.unread_count(org.db, actor_id=user_id) == 0


def test_a_help_notification_links_to_its_help_request(org):
    from hero_core.services import help

    help.add_system(org.db, actor_id=org.admin, code="CRM", name="Customer CRM")
    request_id = help.ask(org.db, actor_id=org.frontline, data=help.HelpInput(
        question="How do I change a customer's address in the CRM?", touchpoint="call_centre", system="CRM"))
    help.answer(org.db, actor_id=org.manager, request_id=request_id, body="Edit, then Address.")
    at = open_page(as_role("frontline"), "inbox")
    assert_clean(at)
    assert "an answer to a call for help" in all_text(at)
    link = [p for p in at.get("page_link") if p.proto.label == f"Open help request #{request_id}"]
    assert link and link[0].proto.page.endswith("help-request"), [p.proto.label for p in at.get("page_link")]
