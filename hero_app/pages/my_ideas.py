"""My ideas: where each stands, what it waits for and on whom; edit and resubmit when changes are asked for."""

import pandas as pd
import streamlit as st

from hero_app import idea_form, ui
from hero_core import workflow
from hero_core.errors import HeroError, StaleIdea
from hero_core.services import ideas
from hero_core.services.ideas import WAITING_ON, IdeaFilter, IdeaView
from hero_core.vocab import State

PAGE_SIZE = 10
TIMELINE_SHOWN = 5

db, user = ui.require_page("my-ideas")
st.title("My ideas")

mine = IdeaFilter(submitter_id=user.id, include_merged=True)  # a merged idea is still theirs: it reads as merged
page_key = "my_ideas_page"
page = min(st.session_state.get(page_key, 1), 10_000)
summaries, total = ideas.list_ideas(db, actor_id=user.id, flt=mine, page=page, page_size=PAGE_SIZE)
if total == 0:
    st.info("You have not proposed an idea yet.")
    st.page_link("hero_app/pages/submit.py", label="Propose your first idea", icon=":material/lightbulb:")
    st.stop()


def waiting_on(state: str) -> str:
    return WAITING_ON.get(State(state), "")


def state_text(summary) -> str:
    return (f"Merged into #{summary.merged_into_id}" if summary.merged_into_id is not None
            else ui.state_label(summary.state))


def waiting_text(summary) -> str:
    if summary.merged_into_id is not None:
        return ideas.merged_waiting_on(summary.merged_into_id)
    return waiting_on(summary.state)


table = pd.DataFrame([{
    "#": s.id, "Title": s.title, "State": state_text(s),
    "Waiting on": waiting_text(s),
    "Team": s.team_name or s.team_code, "Submitted": ui.fmt_dt(s.submitted_at), "Updated": ui.fmt_dt(s.updated_at),
} for s in summaries])
st.caption("Click a row to open the idea's page; edit or withdraw an idea in its panel below.")
ui.grid(table, hide_index=True, key="my_ideas_table", opens=ui.IDEA_PAGE)
ui.page_number(total, PAGE_SIZE, key=page_key)
ui.download_buttons(table, name="my-ideas", key="my_ideas_download")


def edit_form(view: IdeaView) -> None:
    """Change the idea and send it (back) to the managers; the safe framework must be acknowledged to send."""
    prefix = f"edit_{view.id}"
    if st.session_state.pop(f"{prefix}_reset", False):
        idea_form.clear(prefix)
    idea_form.seed_from(prefix, view)
    send_action = "resubmit" if view.state == State.NEEDS_CHANGES.value else "submit"
    idea_form.show_general_errors(prefix)
    if view.state == State.DRAFT.value:
        st.caption("A draft needs only a title to be saved; sending it needs every field.")
    with st.form(f"{prefix}_form"):
        idea_form.fields(db, prefix, with_guardrails=True)
        with st.container(horizontal=True):
            save = st.form_submit_button("Save changes", icon=":material/save:")
            send = st.form_submit_button("Save and resubmit" if send_action == "resubmit" else "Save and submit",
                                         type="primary", icon=":material/send:")
    idea_form.guard(prefix, unsaved=False)  # text typed into the form but not saved yet: warn before leaving
    if not (save or send):
        return
    data = idea_form.read(prefix)
    if send and not idea_form.guardrails_acknowledged(prefix):
        problems = ideas.validate_idea_input(db, data=data)
        problems[idea_form.GUARDRAILS_FIELD] = "Tick the safe framework box to send the idea."
        idea_form.remember_errors(prefix, problems)
        st.rerun()
    expected = ui.opened_version(view.id, view.version)
    try:
        version = ideas.edit_idea(db, actor_id=user.id, idea_id=view.id, expected_version=expected, data=data)
        if send:
            service = ideas.resubmit if send_action == "resubmit" else ideas.submit
            service(db, actor_id=user.id, idea_id=view.id, expected_version=version)
    except StaleIdea as exc:
        st.session_state.setdefault(ui.STALE_KEY, {})[view.id] = str(exc)
        st.rerun()
    except HeroError as exc:
        idea_form.remember_exception(prefix, exc)
        st.rerun()
    except Exception:  # noqa: BLE001
        ui.show_unexpected("edit an idea")
        return
    ui.unpin(view.id)
    st.session_state[f"{prefix}_reset"] = True
    ui.flash(f"Idea #{view.id} " + (
        ("resubmitted: it waits for a manager again." if send_action == "resubmit" else
         "submitted: it now waits for a manager of your team.") if send else "saved."))
    st.rerun()


def withdraw_panel(view: IdeaView) -> None:
    """Take back an idea nobody has decided yet; opening the panel is the deliberate step, the reason optional."""
    if "withdraw" not in view.available_actions:
        return
    k = f"withdraw_{view.id}"
    expected = ui.opened_version(view.id, view.version)
    box = ui.lazy_expander("Withdraw this idea", key=f"{k}_open", icon=":material/undo:")
    if not box.open:
        return
    with box:
        st.caption("Withdrawing closes the idea for good (it reads as retired, withdrawn by you); "
                   + ("the managers reviewing it are told. " if view.state != State.NEEDS_CHANGES.value else "")
                   + ("To change it instead, edit it above." if view.may_edit else ""))
        st.text_area("Why are you withdrawing it? (optional)", key=f"{k}_reason",
                     max_chars=ideas.WITHDRAW_REASON_LIMIT)
        ui.action_button(workflow.ACTION_LABELS["withdraw"], lambda: ideas.withdraw(
            db, actor_id=user.id, idea_id=view.id, reason=st.session_state.get(f"{k}_reason") or "",
            expected_version=expected), key=f"{k}_go", success=f"Idea #{view.id} was withdrawn.",
            idea_id=view.id, where="withdraw")


def discard_panel(view: IdeaView) -> None:
    """Throw away a draft (only its author sees it); opening the panel is the deliberate step."""
    if view.state != State.DRAFT.value or not view.may_edit:
        return
    k = f"discard_{view.id}"
    expected = ui.opened_version(view.id, view.version)
    box = ui.lazy_expander("Discard this draft", key=f"{k}_open", icon=":material/delete:")
    if not box.open:
        return
    with box:
        st.caption("Discarding deletes the draft for good: nobody else has seen it, and it cannot be brought back.")
        ui.action_button("Discard draft", lambda: ideas.discard_draft(
            db, actor_id=user.id, idea_id=view.id, expected_version=expected), key=f"{k}_go",
            success=f"Draft #{view.id} “{view.title}” was discarded.", idea_id=view.id, where="discard")


NEEDS_YOU = (State.DRAFT.value, State.NEEDS_CHANGES.value)
needing = [s.id for s in summaries if s.state in NEEDS_YOU and s.merged_into_id is None]
if len(needing) > 1:
    st.info(f"{len(needing)} ideas on this page wait for you (marked !): the first is open; open the others "
            "one at a time.")
for summary in summaries:
    label = f"#{summary.id} · {ui.md(summary.title)} — {state_text(summary)}"
    attention = summary.id in needing
    # Only an open idea is read in full and shows its steps and edit form; the first idea waiting for the
    # person starts open (one edit form at a time), the table and the closed ones need only the list's summary.
    box = ui.lazy_expander(label, key=f"my_idea_open_{summary.id}", expanded=summary.id in needing[:1],
                           icon=":material/priority_high:" if attention else None)
    if not box.open:
        continue
    try:
        view: IdeaView = ideas.get_idea(db, actor_id=user.id, idea_id=summary.id)
    except HeroError as exc:  # e.g. merged away or deleted since the list was read
        ui.show_error(exc)
        continue
    with box:
        st.markdown(f"**Waiting on:** {ui.md(view.waiting_on or waiting_on(view.state))}")
        if view.review_note:
            st.caption(ui.md(view.review_note))
        if view.state == State.NEEDS_CHANGES.value and view.last_reason:
            st.warning("Your manager asked for changes:")
            st.text(view.last_reason)
        elif view.state in (State.DECLINED.value, State.RETIRED.value) and view.last_reason:
            st.caption("Reason given")
            st.text(view.last_reason)
        if view.merged_into_id is not None:
            ui.idea_link(view.merged_into_id, "the original it was merged into")
        ui.idea_link(view.id, view.title)
        # The latest steps as plain lines (a table per idea cost most of the page's time); the idea's page has
        # its whole history.
        timeline = ideas.timeline(db, actor_id=user.id, idea_id=view.id)
        st.markdown("\n".join(
            f"- {ui.fmt_dt(e.at)} · {ui.md(e.actor_email)} · {e.action.replace('_', ' ')}"
            + (f" — {ui.md(e.reason)}" if e.reason else "") for e in timeline[-TIMELINE_SHOWN:]))
        if len(timeline) > TIMELINE_SHOWN:
            st.caption(f"The latest {TIMELINE_SHOWN} of {len(timeline)} steps; the idea's page shows them all.")
        if view.may_edit:
            ui.stale_banner(view.id, view.version, where="my")
            edit_form(view)
        withdraw_panel(view)
        discard_panel(view)
