"""Propose an idea: guidance, the safe framework, drafts and submissions, errors beside their fields."""

from __future__ import annotations

from hero_app import idea_form
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
    mine = ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(submitter_id=org.frontline))[0]
    assert [m.state for m in mine] == ["draft"], "not sent; what was typed is kept as a private draft"
    assert at.text_input(key="propose_title").value == "Pre-filled direct debit form", "nothing typed is lost"


def test_field_errors_are_shown_beside_each_field(org):
    at = fill(open_page(as_role("frontline"), "submit"), title="Fix", roadblock="", touchpoint=None)
    button(at, "Submit for review").click().run()
    assert_clean(at)
    messages = errors(at)
    assert any("title must be at least 5 characters" in m.lower() for m in messages), messages
    assert any("customer roadblock is required" in m.lower() for m in messages), messages
    assert any("touch point" in m.lower() for m in messages), messages
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


def mine(org) -> list:
    return ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(submitter_id=org.frontline))[0]


def test_after_a_proposal_the_form_is_empty_in_the_browser_too_and_links_the_new_idea(org):
    at = fill(open_page(as_role("frontline"), "submit"))
    token = at.session_state["propose_token"]
    button(at, "Submit for review").click().run()
    assert_clean(at)
    [idea] = mine(org)
    # Set, not deleted: a deleted key leaves the browser showing (and sending back) the old text.
    for name, value in idea_form.EMPTY.items():
        assert at.session_state[f"propose_{name}"] == value, name
    assert at.session_state["propose_token"] != token, "the next proposal is a new form"
    assert [link.proto.query_string for link in at.get("page_link")] == [f"id={idea.id}"], "the new idea's link"
    button(at, "Submit for review").click().run()  # a second click finds an empty form: nothing more is made
    assert len(mine(org)) == 1


def test_a_second_click_on_the_same_form_makes_no_second_idea(org):
    at = fill(open_page(as_role("frontline"), "submit"))
    token = at.session_state["propose_token"]
    button(at, "Submit for review").click().run()
    [idea] = mine(org)
    # The second click of a double click is sent with the first form's token and text, before the form empties.
    again = ideas.create_idea(org.db, actor_id=org.frontline, data=ideas.IdeaInput(
        title="Pre-filled direct debit form", roadblock="Customers ring three times to finish the form.",
        proposal="Post a pre-filled form after the first call so they only sign it.", touchpoint="call_centre",
        category="complex_form", target_metrics=("aht", "fcr")), submit=True, form_token=token)
    assert again == idea.id and len(mine(org)) == 1


def test_a_draft_is_saved_with_a_title_alone(org):
    at = open_page(as_role("frontline"), "submit")
    at.text_input(key="propose_title").input("Pre-filled direct debit form")
    button(at, "Save as draft").click().run()
    assert_clean(at)
    assert not errors(at)
    assert [(m.title, m.state) for m in mine(org)] == [("Pre-filled direct debit form", "draft")]


def test_submitting_a_title_alone_names_each_missing_field_by_its_label(org):
    at = open_page(as_role("frontline"), "submit")
    at.text_input(key="propose_title").input("Pre-filled direct debit form")
    at.checkbox(key="propose_guardrails").set_value(True)
    button(at, "Submit for review").click().run()
    assert_clean(at)
    text = " | ".join(errors(at)).lower()
    for label in ("customer roadblock", "proposed fix", "touch point", "kind of problem"):
        assert label in text, (label, text)
    assert "none" not in text.split() and "''" not in text
    assert [m.state for m in mine(org)] == ["draft"], "kept as a draft, not sent"


def test_the_form_saves_a_draft_as_the_person_types_once_it_has_a_title_and_only_one(org):
    at = open_page(as_role("frontline"), "submit")
    at.text_area(key="propose_roadblock").input("Customers ring three times.").run()
    assert mine(org) == [], "no title, no draft"
    assert "Give it a title" in all_text(at)
    at.text_input(key="propose_title").input("Pre-filled direct debit form").run()
    assert_clean(at)
    [draft] = mine(org)
    assert draft.state == "draft" and "Saved as draft #" in all_text(at)
    at.text_area(key="propose_proposal").input("Post a pre-filled form after the first call.").run()
    at.run()  # a rerun with nothing new saves nothing
    [same] = mine(org)
    view = ideas.get_idea(org.db, actor_id=org.frontline, idea_id=same.id)
    assert same.id == draft.id and view.proposal == "Post a pre-filled form after the first call."
    assert [e.action for e in ideas.timeline(org.db, actor_id=org.frontline, idea_id=draft.id)] == [
        "created", "edited"]
    fill(at)
    button(at, "Submit for review").click().run()
    assert [(m.id, m.state) for m in mine(org)] == [(draft.id, "submitted")], "the draft itself is sent"


def test_every_text_field_counts_to_the_services_limit(org):
    at = open_page(as_role("frontline"), "submit")
    limits = {w.label: w.proto.max_chars for w in (*at.text_input, *at.text_area) if w.key and
              w.key.startswith("propose_")}
    assert limits == {idea_form.LABELS[f]: n for f, n in ideas.FIELD_LIMITS.items()}
