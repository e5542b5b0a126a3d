"""Job aids: how to work the new way of the ideas that reach your team, a search of all checked job aids, and for
writers and e-coaches, writing versions and checking them."""

import streamlit as st

from hero_app import ui
from hero_core.services import help, job_aids

P = "jobaids"


def show(aid: job_aids.JobAidView, *, expanded: bool = False) -> None:
    checked = (f"checked by {ui.md(aid.checked_by_name or '')} on {ui.fmt_date(aid.checked_at.date())}"
               if aid.checked_at else "not checked yet")
    with st.expander(f"{aid.title} · idea #{aid.idea_id} · version {aid.version}", expanded=expanded):
        st.caption(f"Written by {ui.md(aid.written_by_name)} on {ui.fmt_date(aid.written_at.date())}, {checked}.")
        st.markdown(ui.md(aid.steps).replace("\n", "  \n"))
        if aid.applies_where:
            st.markdown(f"**Where it applies:** {ui.md(aid.applies_where)}")
        if aid.links:
            st.markdown(f"**Links:** {ui.md(aid.links)}")
        ui.idea_link(aid.idea_id, aid.idea_title)


db, user = ui.require_page("job-aids")
ui.show_flash()
ui.apply_resets()
st.title("Job aids")
st.caption("Short how-tos for working the new way of piloted and scaled ideas, written by the HERO or an IT "
           "champion and checked by an e-coach.")

st.subheader("For your team")
mine = job_aids.for_my_team(db, actor_id=user.id)
if not mine:
    st.info("No checked job aid for the ideas that reach your team yet.")
for aid in mine:
    show(aid)

st.subheader("Search job aids and known answers")
text = st.text_input("Search job aids and known answers", key=f"{P}_q", placeholder="e.g. wrap-up form")
if text:
    found = job_aids.search(db, actor_id=user.id, text=text)
    if not found:
        st.caption("No checked job aid matches.")
    for aid in found:
        show(aid)
    answers = help.search_known(db, actor_id=user.id, text=text, limit=5)
    if answers:
        st.markdown("**Known answers to help requests**")
    for k in answers:
        with st.expander(f"{k.question} · known answer"):
            st.markdown(ui.md(k.answer).replace("\n", "  \n"))
            st.caption(" · ".join(x for x in (k.system_name, k.touchpoint_label, f"answered by {k.answered_by_name}")
                                  if x))

if user.may("check_job_aid"):
    st.subheader("Waiting for your check")
    waiting = [a for a in job_aids.waiting_for_check(db, actor_id=user.id) if a.written_by_id != user.id]
    if not waiting:
        st.caption("Nothing waits for a check.")
    for aid in waiting:
        show(aid)
        ui.action_button(f"Check version {aid.version} of “{aid.title}”",
                         lambda a=aid: job_aids.check_job_aid(db, actor_id=user.id, job_aid_id=a.id),
                         key=f"{P}_check_{aid.id}", success="Checked: the idea's teams see this version now.",
                         where="check a job aid")

ideas = job_aids.ideas_i_may_write_for(db, actor_id=user.id)
if ideas:
    st.subheader("Write a job aid")
    titles = dict(ideas)
    st.selectbox("Idea", list(titles), key=f"{P}_idea", format_func=lambda i: f"#{i} · {titles[i]}")
    st.text_input("Title", key=f"{P}_title", max_chars=200)
    st.text_area("Steps", key=f"{P}_steps", max_chars=10_000, help="One step a line, in the order people do them.")
    st.text_input("Where it applies", key=f"{P}_where", max_chars=2000)
    st.text_input("Links", key=f"{P}_links", max_chars=2000)
    ui.action_button("Save a new version", lambda: job_aids.write_job_aid(
        db, actor_id=user.id, idea_id=st.session_state.get(f"{P}_idea"),
        title=st.session_state.get(f"{P}_title") or "", steps=st.session_state.get(f"{P}_steps") or "",
        applies_where=st.session_state.get(f"{P}_where") or "", links=st.session_state.get(f"{P}_links") or ""),
        key=f"{P}_save", type="primary", where="write a job aid",
        success=lambda v: f"Version {v} saved; it waits for an e-coach's check.",
        clear=(f"{P}_title", f"{P}_steps", f"{P}_where", f"{P}_links"))
