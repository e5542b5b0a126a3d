"""Recurring roadblocks: similar help requests grouped, ranked by people, teams and hours waiting; promote one
into an idea that carries the evidence."""

import streamlit as st

from hero_app import ui
from hero_core.services import help, ideas
from hero_core.vocab import PROBLEM_KIND_LABELS

P = "roadblocks"
REQUEST_PAGE = "hero_app/pages/help_request.py"

db, user = ui.require_page("roadblocks")
st.title("Recurring roadblocks")
st.caption("Help requests about the same system (or touch point) in similar words. When many people hit the same "
           "roadblock, it is a deeper problem: promote it to an idea, and the askers follow it.")
days = st.select_slider("Window", options=[30, 60, 90, 180, 365], value=help.RECURRING_DAYS, key=f"{P}_days",
                        format_func=lambda d: f"last {d} days")
found = help.recurring_roadblocks(db, actor_id=user.id, days=days)
if not found:
    st.info("No recurring roadblock in this window: no three similar requests from two or more people.")
    st.stop()
may_promote = user.may("promote_roadblock")
metrics = ideas.list_metric_codes(db)
for rb in ui.paged(found, key=f"{P}_page", page_size=10):
    where = " · ".join(x for x in (rb.system_name, rb.touchpoint_label) if x)
    with st.container(border=True):
        st.markdown(f"**{ui.md(rb.summary)}**")
        st.caption(f"{where} · {ui.count(rb.size, 'request')} · {ui.count(rb.people, 'person', 'people')} · "
                   f"{ui.count(len(rb.teams), 'team')} ({', '.join(rb.teams)}) · {rb.hours_waiting:,.0f} hours waiting"
                   f" · {ui.fmt_date(rb.first_at.date())} to {ui.fmt_date(rb.last_at.date())}")
        with st.expander("The requests"):
            for rid in rb.request_ids[:50]:
                st.page_link(REQUEST_PAGE, label=f"Help request #{rid}", query_params={"id": str(rid)})
        if rb.idea_id:
            ui.idea_link(rb.idea_id, "Promoted to this idea")
            continue
        if not may_promote:
            continue
        k = f"{P}_{rb.request_ids[0]}"
        with st.popover("Promote to an idea", icon=":material/lightbulb:"):
            st.text_input("Idea title", key=f"{k}_title", max_chars=200, value=rb.summary[:200])
            st.text_area("Proposed fix", key=f"{k}_proposal", max_chars=10_000)
            st.selectbox("Kind of problem", list(PROBLEM_KIND_LABELS), format_func=PROBLEM_KIND_LABELS.get,
                         key=f"{k}_category")
            st.checkbox("Involves technology", key=f"{k}_tech", value=bool(rb.system))
            st.multiselect("Target metrics", [c for c, _ in metrics], format_func=dict(metrics).get,
                           key=f"{k}_metrics")
            ui.action_button("Promote and submit for review", lambda rb=rb, k=k: help.promote_roadblock(
                db, actor_id=user.id, request_ids=rb.request_ids, title=st.session_state.get(f"{k}_title") or "",
                proposal=st.session_state.get(f"{k}_proposal") or "",
                category=st.session_state.get(f"{k}_category") or "",
                involves_technology=bool(st.session_state.get(f"{k}_tech")),
                target_metrics=st.session_state.get(f"{k}_metrics") or ()),
                key=f"{k}_go", type="primary",
                success=lambda idea_id: f"Idea #{idea_id} is submitted for review with the evidence; the askers "
                                        "follow it.", where="promote a roadblock")
