"""One help request: the question, its answers, answering it, and (for the asker) marking what solved it."""

import streamlit as st

from hero_app import ui
from hero_core.errors import HeroError
from hero_core.services import help

P = "helpreq"

db, user = ui.require_page("help-request")
raw = st.query_params.get("id", "")
if not raw.isdigit():
    st.title("Help request")
    st.info("Open a help request from Ask for help, the e-coach queue or a notification.")
    st.stop()
try:
    view = help.get_request(db, actor_id=user.id, request_id=int(raw))
except HeroError as exc:
    st.title("Help request")
    ui.show_error(exc)
    st.stop()

st.title(f"Help request #{view.id}")
st.subheader(view.question)
facts = [f"Asked by {view.asker_name}" + (f" ({view.team_name})" if view.team_name else ""),
         ui.fmt_dt(view.created_at), view.touchpoint_label]
if view.system_name:
    facts.append(view.system_name)
facts.append(view.state_label)
if view.customer_waiting:
    facts.append("a customer was waiting")
st.caption(" · ".join(facts))
if view.first_response_due:
    st.caption(f"First response due {ui.fmt_dt(view.first_response_due)} · {ui.sla_label(view.sla_status)}")
if view.details:
    st.text(view.details)
if view.idea_id:
    ui.idea_link(view.idea_id, "The idea this roadblock became")

st.subheader("Answers")
if not view.answer_views:
    st.info("No answer yet.")
for a in view.answer_views:
    with st.container(border=True):
        who = a.author_name + (" · e-coach" if a.by_ecoach else "")
        st.caption(f"{who} · {ui.fmt_dt(a.created_at)}" + (" · ✔ solved it" if a.is_solution else ""))
        st.text(a.body)
        if view.may_mark_solved and a.author_id is not None:
            ui.action_button("This solved it", lambda a=a: help.mark_solved(
                db, actor_id=user.id, request_id=view.id, answer_id=a.id),
                key=f"{P}_solved_{a.id}", icon=":material/check_circle:",
                success="Marked as solved: it is a known answer now. Thank you for closing the loop.",
                where="mark a help request solved")
if view.known_answer_id:
    st.success("Solved: this is a known answer now, found by everyone who asks something similar.")
if view.may_answer:
    label = "Add details" if user.id == view.asker_id else "Your answer"
    st.text_area(label, key=f"{P}_body_{view.id}", max_chars=help.ANSWER_MAX)
    ui.action_button("Post", lambda: help.answer(db, actor_id=user.id, request_id=view.id,
                                                 body=st.session_state.get(f"{P}_body_{view.id}") or ""),
                     key=f"{P}_post", type="primary", icon=":material/send:", success="Posted.",
                     where="answer a help request", clear=[f"{P}_body_{view.id}"])
