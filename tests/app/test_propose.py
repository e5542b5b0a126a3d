"""Propose an idea: guidance, the safe framework, drafts and submissions, errors beside their fields."""

from __future__ import annotations

from hero_core.services import ideas, notifications
from hero_core.services.ideas import IdeaFilter
from tests.app.conftest import all_text, as_role, assert_clean, button, errors, open_page, successes


def fill(at, *, title="Pre-filled direct debit form", roadblock="Customers ring three times to finish the form.",
         proposal="Post a pre-filled form after the first call so they only sign it.", touchpoint="call_centre",
         category="complex_form", guardrails=True, tech=False):
    at.text_input(key="propose_title").input(title)
    at.text_area(key="propose_roadblock").input(roadblock)
    at.text_area(key="propose_proposal").input(proposal)
    if touchpoint:
        at.selectbox(key="propose_touchpoint").select(touchpoint)
    if category:
        at.selectbox(key="propose_category").select(category)
    at.checkbox(key="propose_involves_technology").set_value(tech)
    at.multiselect(key="propose_target_metrics").set_value(["aht", "fcr"])
    at.checkbox(key="propose_guardrails").set_value(guardrails)
    return at


def test_the_page_guides_the_proposer_and_shows_the_safe_framework(org):
    at = open_page(as_role("frontline"), "submit")
    assert_clean(at)
    text = all_text(at)
    assert at.title[0].value == "Propose an idea"
    assert "Start from one real moment" in text
    assert "The safe framework" in text and "personal data" in text
    labels = {w.label for w in (*at.text_input, *at.text_area, *at.selectbox, *at.checkbox)}
    assert {"Title", "The customer roadblock", "Your proposed fix", "Touch point", "Kind of problem"} <= labels


def test_a_frontline_person_submits_an_idea_and_it_is_stored_and_sent_to_the_managers(org):
    at = fill(open_page(as_role("frontline"), "submit"))
    button(at, "Submit for review").click().run()
    assert_clean(at)
    assert not errors(at)
    rows, total = ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(submitter_id=org.frontline))
    assert total == 1
    view = ideas.get_idea(org.db, actor_id=org.frontline, idea_id=rows[0].id)
    assert (view.title, view.state, view.touchpoint, view.category) == (
        "Pre-filled direct debit form", "submitted", "call_centre", "complex_form")
    assert view.target_metrics == ("aht", "fcr")
    assert f"Idea #{view.id} submitted" in successes(at)[0]
    assert at.text_input(key="propose_title").value == "", "the form is cleared for the next idea"
    assert any(n.idea_id == view.id for n in notifications.inbox(org.db, actor_id=org.manager))


def test_saving_a_draft_needs_no_safe_framework_box_and_stays_private(org):
    at = fill(open_page(as_role("frontline"), "submit"), guardrails=False)
    button(at, "Save as draft").click().run()
    assert_clean(at)
    assert "saved as a draft" in successes(at)[0]
    mine = ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(submitter_id=org.frontline))[0]
    assert [m.state for m in mine] == ["draft"]
    assert ideas.list_ideas(org.db, actor_id=org.frontline_b)[1] == 0


def test_submitting_without_the_safe_framework_box_is_refused_beside_the_box(org):
    at = fill(open_page(as_role("frontline"), "submit"), guardrails=False)
    button(at, "Submit for review").click().run()
    assert_clean(at)
    assert any("Tick the safe framework box" in e for e in errors(at))
    assert ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(submitter_id=org.frontline))[1] == 0
    assert at.text_input(key="propose_title").value == "Pre-filled direct debit form", "nothing typed is lost"


def test_field_errors_are_shown_beside_each_field(org):
    at = fill(open_page(as_role("frontline"), "submit"), title="Fix", roadblock="", touchpoint=None)
    button(at, "Submit for review").click().run()
    assert_clean(at)
    messages = errors(at)
    assert any("title must be at least 5 characters" in m for m in messages)
    assert any("roadblock is required" in m for m in messages)
    assert any("touch point" in m for m in messages)
    assert ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(submitter_id=org.frontline))[1] == 0
    fill(at, touchpoint="website")
    button(at, "Submit for review").click().run()
    assert not errors(at)
    assert ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(submitter_id=org.frontline))[1] == 1


def test_every_role_may_propose_an_idea(org):
    for role in ("manager", "it_champion", "executive", "admin"):
        at = fill(open_page(as_role(role), "submit"), title=f"An idea from the {role}")
        button(at, "Submit for review").click().run()
        assert_clean(at)
        assert "submitted" in successes(at)[0], role
    assert ideas.list_ideas(org.db, actor_id=org.admin)[1] == 4
