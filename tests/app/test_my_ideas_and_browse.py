"""My ideas, Browse ideas and the idea page: what everyone sees of the ideas they may see."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hero_app import ui
from hero_core.services import ideas, notifications
from tests.app.conftest import (
    ROLES,
    all_text,
    approved,
    as_role,
    assert_clean,
    button,
    errors,
    in_review,
    make_idea,
    md_table,
    open_page,
    open_tab,
    successes,
    table,
)


def test_my_ideas_shows_each_idea_with_what_it_waits_for(org):
    draft = make_idea(org, submit=False, title="A draft of mine")
    sent = make_idea(org, title="A submitted idea")
    at = open_page(as_role("frontline"), "my-ideas")
    assert_clean(at)
    mine = table(at, "Waiting on")
    assert set(mine["#"]) == {draft, sent}
    waiting = dict(zip(mine["#"], mine["Waiting on"], strict=True))
    assert waiting[draft] == ideas.WAITING_ON["draft"]
    assert waiting[sent] == ideas.WAITING_ON["submitted"]
    assert len(at.get("download_button")) == 2


def test_an_idea_waiting_on_someone_else_shows_its_steps_only_when_opened(org):
    make_idea(org, submit=False, title="A draft of mine")
    sent = make_idea(org, title="A submitted idea")
    at = open_page(as_role("frontline"), "my-ideas")
    text = all_text(at)
    # The draft needs the person: open, with its steps and edit form. The submitted one waits on a manager:
    # closed, and its content does not run.
    assert f"**Waiting on:** {ui.md(ideas.WAITING_ON['draft'])}" in text
    assert f"**Waiting on:** {ui.md(ideas.WAITING_ON['submitted'])}" not in text
    assert text.count("**Waiting on:**") == 1
    at.session_state[f"my_idea_open_{sent}"] = True  # what opening its expander sets
    at.run()
    assert_clean(at)
    assert f"**Waiting on:** {ui.md(ideas.WAITING_ON['submitted'])}" in all_text(at)


def test_of_several_ideas_waiting_for_the_person_only_the_first_opens_its_edit_form(org):
    older = make_idea(org, submit=False, title="An older draft")
    newer = make_idea(org, submit=False, title="A newer draft")
    at = open_page(as_role("frontline"), "my-ideas")
    assert_clean(at)
    assert any("2 ideas on this page wait for you" in i.value for i in at.info)
    first, second = newer, older  # the list shows the most recent first
    assert at.session_state[f"my_idea_open_{first}"] is True
    assert at.session_state[f"my_idea_open_{second}"] is False
    assert all_text(at).count("**Waiting on:**") == 1


def test_the_submitter_answers_needs_changes_by_editing_and_resubmitting(org):
    idea_id = make_idea(org, title="Clearer refund letter")
    in_review(org, idea_id)
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=idea_id, reason="Say which letter template.")
    at = open_page(as_role("frontline"), "my-ideas")
    assert_clean(at)
    assert "Your manager asked for changes:" in all_text(at)
    assert "Say which letter template." in [t.value for t in at.text]
    prefix = f"edit_{idea_id}"
    assert at.text_input(key=f"{prefix}_title").value == "Clearer refund letter"
    at.text_area(key=f"{prefix}_proposal").input("Use template R7 and add the refund date in bold.")
    at.checkbox(key=f"{prefix}_guardrails").check()
    button(at, "Save and resubmit").click().run()
    assert_clean(at)
    assert not errors(at)
    assert "resubmitted" in successes(at)[0]
    view = ideas.get_idea(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert view.state == "submitted"
    assert view.proposal == "Use template R7 and add the refund date in bold."
    actions = [e.action for e in ideas.timeline(org.db, actor_id=org.frontline, idea_id=idea_id)]
    assert actions[-2:] == ["edited", "resubmit"]


def test_resubmitting_needs_the_safe_framework_box_and_keeps_the_idea_as_it_was(org):
    idea_id = make_idea(org)
    in_review(org, idea_id)
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=idea_id, reason="More detail please.")
    at = open_page(as_role("frontline"), "my-ideas")
    button(at, "Save and resubmit").click().run()
    assert any("Tick the safe framework box" in e for e in errors(at))
    assert ideas.get_idea(org.db, actor_id=org.frontline, idea_id=idea_id).state == "needs_changes"


def test_browse_searches_filters_and_pages_through_ideas(org):
    for n in range(27):
        make_idea(org, title=f"Idea number {n:02d}", touchpoint="website" if n % 3 == 0 else "call_centre")
    make_idea(org, submitter=org.other_frontline, title="Stores: price labels that scan")
    at = open_page(as_role("frontline"), "ideas")
    assert_clean(at)
    assert "**28 ideas** match." in all_text(at)
    assert len(table(at, "Title", "Touch point")) == 25
    at.get("pagination")[0].select(2).run()
    assert len(table(at, "Title", "Touch point")) == 3
    at.text_input(key="browse_search").input("price labels").run()
    assert list(table(at, "Title", "Touch point")["Title"]) == ["Stores: price labels that scan"]
    at.text_input(key="browse_search").input("").run()
    at.multiselect(key="browse_touchpoints").select("website").run()
    assert "**9 ideas** match." in all_text(at)
    at.multiselect(key="browse_teams").select("ST").run()
    assert "**0 ideas** match." in all_text(at)
    at.multiselect(key="browse_touchpoints").unselect("website").run()
    at.multiselect(key="browse_states").select("submitted").run()
    assert list(table(at, "Title", "Touch point")["Team"]) == ["Stores"]  # teams by name, not code
    assert_clean(at)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_finds_its_own_idea_in_my_ideas_and_everyones_ideas_in_browse(org, role):
    user_id = {"frontline": org.frontline, "manager": org.manager, "it_champion": org.it,
               "executive": org.executive, "admin": org.admin}[role]
    mine = make_idea(org, submitter=user_id, title=f"Idea of the {role}")
    theirs = make_idea(org, submitter=org.other_frontline, title="Idea from the stores")
    at = open_page(as_role(role), "my-ideas")
    assert_clean(at)
    assert list(table(at, "Waiting on")["#"]) == [mine]
    at = open_page(at, "ideas")
    assert_clean(at)
    assert set(table(at, "Title", "Touch point")["#"]) == {mine, theirs}


def test_browse_never_lists_someone_elses_draft(org):
    make_idea(org, submit=False, title="Fran's private draft")
    make_idea(org, title="Fran's submitted idea")
    at = open_page(as_role("manager"), "ideas")
    titles = list(table(at, "Title", "Touch point")["Title"])
    assert titles == ["Fran's submitted idea"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_an_idea_its_timeline_and_its_launch(org, role):
    idea_id = approved(org, tech=False, title="Greeting script for callers")
    ideas.start_pilot(org.db, actor_id=org.manager, idea_id=idea_id, pilot_team_codes=["CC", "ST"],
                      launch_date=org.db.now().date())
    at = as_role(role)
    at = open_page(at, "idea", id=idea_id)
    assert_clean(at)
    assert at.title[0].value.startswith(f"#{idea_id}")
    assert "Customers ring us three times" in at.text[0].value or any(
        "Customers ring us three times" in t.value for t in at.text)
    history = md_table(at, "When", "What")
    assert list(history["What"])[:3] == ["created", "submit", "start review"]
    assert "Piloting" in " ".join(history["State"])
    assert "Impact" in [t.label for t in at.tabs]
    metrics = {m.label: m.value for m in open_tab(at, "Impact").metric}
    assert metrics["Launch date"] == org.db.now().date().isoformat()
    assert metrics["Pilot teams"] == "Contact centre, Stores"  # by name, not code
    metrics = {m.label: m.value for m in open_tab(at, "Risk assessment").metric}
    assert "Overall risk" in metrics, "everyone with an assessment-viewing role sees the assessment"


def test_someone_elses_draft_is_not_found_on_the_idea_page(org):
    draft = make_idea(org, submit=False)
    at = open_page(as_role("manager"), "idea", id=draft)
    assert_clean(at)
    assert errors(at) == [f"There is no idea #{draft} that you can see."]
    at = open_page(at, "idea", id="not-a-number")
    assert "Choose an idea" in all_text(at)


def test_an_admin_retires_an_idea_from_its_page_giving_a_reason(org):
    idea_id = approved(org, tech=False)
    at = open_page(as_role("admin"), "idea", id=idea_id)
    assert not [b for b in at.button if b.label == "Retire"], "the retire expander's content runs only when open"
    at.session_state[f"idea_retire_{idea_id}_open"] = True  # what opening the expander sets
    at.run()
    button(at, "Retire").click().run()
    assert errors(at) == ["A reason is required to retire."]
    at.text_area(key=f"idea_retire_{idea_id}_reason").input("Replaced by the new billing system.")
    button(at, "Retire").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.admin, idea_id=idea_id).state == "retired"
    assert "Replaced by the new billing system." in " ".join(md_table(at, "When", "What")["Reason"])


def test_the_idea_page_sends_the_submitter_of_a_draft_to_the_edit_form(org):
    draft = make_idea(org, submit=False)
    at = open_page(as_role("frontline"), "idea", id=draft)
    assert_clean(at)
    assert not [b for b in at.button if b.label == "Submit"], "sending needs the safe-framework box"
    assert "Edit and send it on My ideas" in [p.proto.label for p in at.get("page_link")]


def test_the_idea_page_states_its_details_promises_and_reason_as_text(org):
    idea_id = make_idea(org, title="Callback slots", target_metrics=["aht", "fcr"])
    in_review(org, idea_id, assessed=2)
    reason = "Please add the **weekend** rota | first.\nThen [send it](http://example.com) again."
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=idea_id, reason=reason)
    at = open_page(as_role("frontline"), "idea", id=idea_id)
    assert_clean(at)
    markdown = [m.value for m in at.markdown]
    assert "Customer metrics it should move: **Average handle time, First\\-contact resolution**" in markdown
    caption_then_text = [c.value for c in at.caption]
    assert "Latest reason given" in caption_then_text
    assert reason in [t.value for t in at.text], "the reason is shown whole and literally, line breaks and all"
    promises = next(m for m in markdown if m.startswith("**Service-level promises**"))
    assert "- Start review: due " in promises and "· **met**" in promises
    assert "- Decide: due " in promises
    # No data grid at all: the short facts are text and the history a Markdown table.
    assert not at.dataframe
    history = md_table(at, "When", "Who", "What", "State", "Reason")
    assert list(history["What"]) == ["created", "submit", "start review", "assess risk", "request changes"]
    assert history["Reason"].iloc[-1] == " ".join(reason.split()), "escaped, on one line, and read back whole"
    assert list(history["Who"])[-1] == "Mia", "who acted, by name"
    answers = next(m for m in open_tab(at, "Risk assessment").markdown if m.value.startswith("- Needs IT work"))
    assert answers.value.splitlines()[:2] == ["- Needs IT work: **no**", "- Needs legal review: **no**"]
    assert "- Customers reached: **" in answers.value


def test_the_idea_page_draws_the_pilot_form_only_when_asked_for_and_starts_the_pilot(org):
    """After an approval the page does not draw the team picker and date field until they are asked for."""
    idea_id = approved(org, tech=False, title="Hold music that says the queue position")
    at = open_page(as_role("manager"), "idea", id=idea_id)
    assert_clean(at)
    assert "Start the pilot: pilot teams and launch date" in [e.label for e in at.expander]
    assert not at.multiselect and not at.date_input, "the pilot form is not drawn while closed"
    at.session_state[f"idea_it_{idea_id}_pilot_open"] = True  # what opening the expander sets
    at.run()
    at.multiselect(key=f"idea_it_{idea_id}_pilot_teams").set_value(["CC"])
    launch = org.db.now().date() + timedelta(days=14)
    at.date_input(key=f"idea_it_{idea_id}_launch").set_value(launch)
    button(at, "Start pilot").click().run()
    assert_clean(at)
    view = ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id)
    assert (view.state, view.pilot_team_codes, view.launch_date) == ("piloting", ("CC",), launch)


def test_the_submitter_withdraws_an_idea_in_review_from_my_ideas_and_the_reviewer_is_told(org):
    idea_id = make_idea(org, title="A submitted idea")
    in_review(org, idea_id)
    at = open_page(as_role("frontline"), "my-ideas")
    at.session_state[f"my_idea_open_{idea_id}"] = True  # what opening the idea's expander sets
    at.run()
    assert not [b for b in at.button if b.label == "Withdraw"], "withdrawing starts by opening its panel"
    at.session_state[f"withdraw_{idea_id}_open"] = True
    at.run()
    at.text_area(key=f"withdraw_{idea_id}_reason").input("The new portal already fixed it.")
    button(at, "Withdraw").click().run()
    assert_clean(at)
    assert f"Idea #{idea_id} was withdrawn." in successes(at)
    view = ideas.get_idea(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert (view.state, view.last_reason) == ("retired", "Withdrawn by its submitter: The new portal already fixed it.")
    at.session_state[f"my_idea_open_{idea_id}"] = True  # its label now says "Retired": opened again
    at.run()
    assert "Withdrawn by its submitter: The new portal already fixed it." in [t.value for t in at.text]
    assert not [b for b in at.button if b.label == "Withdraw"], "a closed idea offers no withdrawal"
    told = [n.message for n in notifications.inbox(org.db, actor_id=org.manager) if n.idea_id == idea_id]
    assert any("was withdrawn by" in m for m in told), told


def test_a_withdrawal_needs_no_reason_and_an_approved_idea_offers_none(org):
    sent = make_idea(org, title="A submitted idea")
    done = approved(org, tech=False)
    at = open_page(as_role("frontline"), "my-ideas")
    for idea_id in (sent, done):
        at.session_state[f"my_idea_open_{idea_id}"] = True
        at.session_state[f"withdraw_{idea_id}_open"] = True
    at.run()
    assert len([b for b in at.button if b.label == "Withdraw"]) == 1, "only the undecided idea"
    button(at, "Withdraw").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.frontline, idea_id=sent).last_reason == "Withdrawn by its submitter."
    assert ideas.get_idea(org.db, actor_id=org.frontline, idea_id=done).state == "approved"


def test_the_idea_page_points_its_submitter_to_my_ideas_to_withdraw_and_no_one_else(org):
    idea_id = make_idea(org, title="A submitted idea")
    at = open_page(as_role("frontline"), "idea", id=idea_id)
    assert "Withdraw it on My ideas" in [p.proto.label for p in at.get("page_link")]
    other = open_page(as_role("manager"), "idea", id=idea_id)
    assert "Withdraw it on My ideas" not in [p.proto.label for p in other.get("page_link")]


def test_a_draft_on_my_ideas_is_saved_with_a_title_alone_and_sent_only_when_complete(org):
    draft = ideas.create_idea(org.db, actor_id=org.frontline, data=ideas.IdeaInput(
        title="Half-written idea", roadblock="", proposal="", touchpoint="", category=""))
    at = open_page(as_role("frontline"), "my-ideas")
    prefix = f"edit_{draft}"
    at.text_area(key=f"{prefix}_roadblock").input("Customers ring three times.")
    button(at, "Save changes").click().run()
    assert_clean(at)
    assert not errors(at)
    assert ideas.get_idea(org.db, actor_id=org.frontline, idea_id=draft).roadblock == "Customers ring three times."
    at.checkbox(key=f"{prefix}_guardrails").set_value(True)
    button(at, "Save and submit").click().run()
    text = " | ".join(errors(at)).lower()
    for label in ("proposed fix", "touch point", "kind of problem"):
        assert label in text, (label, text)
    assert ideas.get_idea(org.db, actor_id=org.frontline, idea_id=draft).state == "draft"


def test_the_author_discards_a_draft_from_my_ideas(org):
    draft = make_idea(org, title="A draft I no longer need", submit=False)
    sent = make_idea(org, title="A submitted idea")
    at = open_page(as_role("frontline"), "my-ideas")
    for idea_id in (draft, sent):
        at.session_state[f"my_idea_open_{idea_id}"] = True
    at.run()
    assert "Discard this draft" in [e.label for e in at.expander]
    assert not [b for b in at.button if b.label == "Discard draft"], "discarding starts by opening its panel"
    assert f"discard_{sent}_open" not in at.session_state, "a sent idea offers no discarding"
    at.session_state[f"discard_{draft}_open"] = True
    at.run()
    button(at, "Discard draft").click().run()
    assert_clean(at)
    assert f"Draft #{draft} “A draft I no longer need” was discarded." in successes(at)
    assert [s.id for s in ideas.list_ideas(org.db, actor_id=org.frontline,
                                           flt=ideas.IdeaFilter(submitter_id=org.frontline))[0]] == [sent]
    assert "A draft I no longer need" not in " ".join(e.label for e in at.expander)
