"""One idea (?id=N): everything about it, its timeline from the audit trail, risk, IT plan, impact."""

import json

import pandas as pd
import streamlit as st

from hero_app import conversation, impact_panel, panels, ui
from hero_core.errors import HeroError
from hero_core.services import ideas
from hero_core.services.ideas import IdeaView
from hero_core.vocab import State

db, user = ui.require_page("idea")

raw_id = st.query_params.get("id", "")
try:
    idea_id = int(raw_id)
except (TypeError, ValueError):
    st.title("Idea")
    st.info("Choose an idea from Browse ideas, My ideas or a notification.")
    st.page_link("hero_app/pages/ideas.py", label="Browse ideas", icon=":material/search:")
    st.stop()

try:
    view: IdeaView = ideas.get_idea(db, actor_id=user.id, idea_id=idea_id)
except HeroError as exc:
    st.title("Idea")
    ui.show_error(exc)
    st.stop()

ui.opened_version(view.id, view.version)
st.title(f"#{view.id} · {ui.md(view.title)}")
# One element for both lines: every element is a message from the server and a render in the browser.
# A merged duplicate reads as merged, with the stage it had reached when it was merged.
state_text = (f"**Merged into idea #{view.merged_into_id}** (when merged: {ui.state_label(view.state)})"
              if view.merged_into_id is not None else f"**{ui.state_label(view.state)}**")
st.markdown(f"{state_text} · waiting on: {ui.md(view.waiting_on)}  \n"
            f"Team **{ui.md(view.team_name or view.team_code)}** · "
            f"touch point **{ui.touchpoint_label(view.touchpoint)}** · "
            f"problem **{ui.category_label(view.category)}** · "
            + ("**involves technology**" if view.involves_technology else "no technology involved"))
st.caption(f"Proposed by {ui.md(view.submitter_name)} ({ui.md(view.submitter_email)}) · created "
           f"{ui.fmt_dt(view.created_at)} · version {view.version}")
if view.review_note:
    st.info(ui.md(view.review_note), icon=":material/balance:")

st.subheader("The customer roadblock")
st.text(view.roadblock)
st.subheader("The proposed fix")
st.text(view.proposal)
if view.expected_benefit:
    st.subheader("Expected benefit")
    st.text(view.expected_benefit)
# Short facts as text, not a data grid: a grid cut a long reason off in its cell, and it is the costliest element
# for the browser to draw (measured: docs/measurements.md).
details = []
if view.target_metrics:
    details.append(f"Customer metrics it should move: **{ui.md(', '.join(view.target_metric_names))}**")
if view.campaign_title:
    details.append(f"Campaign: **{ui.md(view.campaign_title)}**")
if details:
    st.markdown("  \n".join(details))
if view.last_reason:
    st.caption("Latest reason given")
    st.text(view.last_reason)

if view.available_actions or view.may_assess or view.may_plan:
    with st.container(border=True):
        # Actions stay usable while stale: the service refuses them with StaleIdea and the banner explains.
        ui.stale_banner(view.id, view.version, where="idea")
        st.subheader("What you can do now")
        panels.decision_panel(db, user, view, where="idea")
        panels.assessment_on_demand(db, user, view, where="idea")
        panels.it_panel(db, user, view, where="idea")
        panels.retire_panel(db, user, view, where="idea")
        if view.may_edit:
            # Sending an idea needs the safe-framework acknowledgement, which lives on the edit form.
            st.page_link("hero_app/pages/my_ideas.py", label="Edit and send it on My ideas", icon=":material/edit:")
        if "withdraw" in view.available_actions:  # the submitter's own step, with their ideas
            st.page_link("hero_app/pages/my_ideas.py", label="Withdraw it on My ideas", icon=":material/undo:")

def timeline_tab() -> None:
    if view.sla:
        st.markdown("**Service-level promises**\n\n" + "\n".join(
            _promise(name, due, status) for name, (due, status) in view.sla.items()
        ))
    st.markdown("**History** (from the audit trail)")
    history = ideas.timeline(db, actor_id=user.id, idea_id=view.id)
    timeline = pd.DataFrame([{
        "When": ui.fmt_dt(e.at), "Who": e.actor_name or e.actor_email, "What": _action(e.action),
        "State": _change(e.before, e.after), "Reason": e.reason,
    } for e in history], columns=["When", "Who", "What", "State", "Reason"])
    # A Markdown table, not a data grid: an idea's history is a few dozen rows at most, and the grid slowed every
    # click that opens an idea (measured: docs/measurements.md); the downloads carry the same table.
    st.markdown(ui.md_table(timeline))
    ui.download_buttons(timeline, name=f"idea-{view.id}-timeline", key="idea_timeline_download")


def _action(code: str) -> str:
    """An audit action in words: "route_to_it" reads "route to IT"."""
    return " ".join("IT" if word == "it" else word for word in code.split("_"))


def _promise(name: str, due, status: str) -> str:
    line = f"- {name[:1].upper()}{name[1:]}" + (f": due {ui.fmt_dt(due)}" if due else "")
    label = ui.sla_label(status)
    return line + (f" · **{label}**" if label else "")


def _change(before: str, after: str) -> str:
    def state_of(raw: str) -> str:
        try:
            return (json.loads(raw) or {}).get("state", "") if raw else ""
        except (ValueError, AttributeError):
            return ""
    a, b = state_of(before), state_of(after)
    return f"{ui.state_label(a)} → {ui.state_label(b)}" if a and b and a != b else ""


def risk_tab() -> None:
    if view.assessment is not None:
        panels.show_assessment(view.assessment, key="idea_assessment")
    elif view.state in (State.DRAFT.value, State.SUBMITTED.value, State.IN_REVIEW.value):
        st.info("Not assessed yet: a manager of the team assesses the risk during the review.")
    else:
        st.info("No risk assessment is recorded for this idea, or it is not yours to see.")


def it_tab() -> None:
    if view.it_champion_email or view.it_plan or view.it_effort_days is not None or view.it_blockers:
        st.markdown(f"**IT champion:** {ui.md(view.it_champion_name or 'not claimed yet')}")
        st.markdown(f"**Effort estimate:** {view.it_effort_days if view.it_effort_days is not None else '—'} days")
        st.caption("Plan")
        st.text(view.it_plan or "—")
        st.caption("Blockers")
        st.text(view.it_blockers or "none recorded")
    elif view.involves_technology:
        st.info("An IT champion picks this idea up after it is approved.")
    else:
        st.info("This idea does not involve technology, so it needs no IT plan.")


def impact_tab() -> None:
    impact_panel.idea_impact(db, user, view)  # measured effect per target metric (hero_app/impact_panel.py)


# Only the open tab runs and is drawn (on_change="rerun"): the risk tab's chart and tables and the impact tab's
# estimates cost nothing until someone opens it. The open tab stays open while moving from idea to idea.
TABS = {"Timeline": timeline_tab, "Risk assessment": risk_tab, "IT plan": it_tab, "Impact": impact_tab}
for tab, draw in zip(st.tabs(list(TABS), key="idea_tab", on_change="rerun"), TABS.values(), strict=True):
    if tab.open:
        with tab:
            draw()

st.divider()
conversation.panel(db, user, view)  # support, follow, comments, duplicates (hero_app/conversation.py)
