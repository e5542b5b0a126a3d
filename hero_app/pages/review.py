"""Review queue: my teams' ideas by SLA due date; assess risk and effort-value; decide with reasons."""

import pandas as pd
import streamlit as st

from hero_app import panels, ui
from hero_core import risk
from hero_core.services import catalog, ideas, social

db, user = ui.require_page("review")
st.title("Review queue")
st.caption("Encourage the idea, manage the risk: start the review, assess it, then approve, ask for changes "
           "or decline — with a reason the submitter can act on. Nobody reviews an idea they proposed: another "
           "manager of the team does, or an admin when the team has none.")
if user.may("manage_users"):
    st.caption("As an admin you see the high-risk ideas that wait for a second approver, and the ideas of teams "
               "whose only manager proposed them.")

queue = ideas.review_queue(db, actor_id=user.id)
overdue = sum(1 for q in queue if q.sla_status == "overdue")
cols = st.columns(3)
cols[0].metric("Waiting on you", len(queue))
cols[1].metric("Overdue", overdue)
cols[2].metric("High risk, waiting for a second approver", sum(1 for q in queue if q.needs_second_approver))
if not queue:
    st.success("Nothing waits for your review right now.")
    st.stop()



def queue_table(items) -> pd.DataFrame:
    return pd.DataFrame([{
        "#": q.idea.id, "Title": q.idea.title, "Team": q.idea.team_name, "State": ui.state_label(q.idea.state),
        "Submitted": ui.fmt_dt(q.idea.submitted_at), "Waiting (business days)": q.waiting_days,
        "Due": ui.fmt_dt(q.due), "SLA": ui.sla_label(q.sla_status),
        "Risk": "not assessed" if q.overall_risk is None else f"{q.overall_risk} ({risk.band(q.overall_risk)})",
        "Second approver": (f"needed (first: {q.first_approver_name or q.first_approver_email})"
                            if q.needs_second_approver else ""),
    } for q in items])


# The page's rows are formatted on every run; the whole queue (hundreds of ideas for a busy manager) only for a
# download.
ui.grid(queue_table(ui.paged(queue, key="review_page", page_size=20)), hide_index=True, key="review_table")
ui.download_buttons(lambda: queue_table(queue), name="review-queue", key="review_download")

by_id = {q.idea.id: q for q in queue}
chosen = st.selectbox("Idea to review", list(by_id), key="review_choice",
                      format_func=lambda i: f"#{i} · {by_id[i].idea.title} ({ui.sla_label(by_id[i].sla_status)})")
if chosen is None:
    st.stop()

view = panels.open_picked(db, user, chosen)
with st.container(border=True):
    panels.picked_heading(view)
    st.caption(f"{ui.state_label(view.state)} · team {ui.md(view.team_name)} · proposed by "
               f"{ui.md(view.submitter_name)} · {ui.touchpoint_label(view.touchpoint)} · "
               f"{ui.category_label(view.category)}" + (" · involves technology" if view.involves_technology else ""))
    st.markdown("**The customer roadblock**")
    st.text(view.roadblock)
    st.markdown("**The proposed fix**")
    st.text(view.proposal)
    st.markdown("**Expected benefit**")
    if view.expected_benefit:
        st.text(view.expected_benefit)
    else:
        st.caption("The submitter did not say what benefit they expect.")
    metric_names = {m.code: m.name for m in catalog.list_metrics(db)}
    wanted = [metric_names.get(code, code) for code in view.target_metrics]
    st.markdown("**Customer metrics it should move:** " + (ui.md(", ".join(wanted)) if wanted else "none chosen"))
    supporters = social.support_counts(db, [view.id]).get(view.id, 0)
    st.markdown("**Support:** " + (f"{ui.count(supporters, 'colleague')} support{'s' if supporters == 1 else ''} "
                                   "this idea" if supporters else "nobody has supported it yet"))
    ui.stale_banner(view.id, view.version, where="review")

    if view.assessment is not None:
        st.markdown("#### Current assessment")
        panels.show_assessment(view.assessment, key="review_assessment", matrix_on_demand=True)
    panels.assessment_on_demand(db, user, view, where="review")
    st.markdown("#### Decision")
    panels.decision_panel(db, user, view, where="review")
