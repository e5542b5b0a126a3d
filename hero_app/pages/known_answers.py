"""Known answers: solved roadblocks, searchable; e-coaches mark them outdated when a system or policy changes."""

import streamlit as st

from hero_app import ui
from hero_core.services import help
from hero_core.vocab import TOUCHPOINT_LABELS

P = "known"
REQUEST_PAGE = "hero_app/pages/help_request.py"

db, user = ui.require_page("known-answers")
st.title("Known answers")
st.caption("Answers that solved a colleague's roadblock, confirmed by the person who asked.")
systems = help.list_systems(db, include_inactive=True)
st.text_input("Search", key=f"{P}_q", max_chars=200, placeholder="e.g. refund to a closed card")
c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
system = c1.selectbox("System or document", [s.code for s in systems], index=None, key=f"{P}_system",
                      format_func={s.code: s.name for s in systems}.get, placeholder="Any")
touchpoint = c2.selectbox("Touch point", list(TOUCHPOINT_LABELS), index=None, key=f"{P}_touchpoint",
                          format_func=TOUCHPOINT_LABELS.get, placeholder="Any")
outdated = c3.toggle("Show outdated", key=f"{P}_outdated")
found = help.search_known(db, actor_id=user.id, text=str(st.session_state.get(f"{P}_q") or ""),
                          system=system or "", touchpoint=touchpoint or "", include_outdated=outdated, limit=50)
if not found:
    st.info("No known answer matches yet. Ask for help: the answer that solves it will be here for the next person.")
    st.stop()
may_outdate = user.may("mark_answer_outdated")
for k in ui.paged(found, key=f"{P}_page", page_size=10):
    with st.container(border=True):
        head = f"{k.question}" + (f" · {k.score}% alike" if k.score is not None else "")
        st.markdown(f"**{ui.md(head)}**" + (" — *outdated*" if k.outdated else ""))
        st.caption(" · ".join(x for x in (k.system_name, k.touchpoint_label,
                                          f"answered by {k.answered_by_name}",
                                          f"confirmed by {k.confirmed_by_name}",
                                          ui.fmt_date(k.created_at.date())) if x))
        st.text(k.answer)
        if k.outdated:
            st.warning(f"Outdated: {ui.md(k.outdated_reason)}")
        if k.request_id:
            st.page_link(REQUEST_PAGE, label=f"Help request #{k.request_id}", query_params={"id": str(k.request_id)},
                         icon=":material/forum:")
        if may_outdate and not k.outdated:
            with st.popover("Mark outdated", icon=":material/history:"):
                st.text_input("What changed?", key=f"{P}_why_{k.id}", max_chars=500)
                ui.action_button("Mark outdated", lambda k=k: help.mark_outdated(
                    db, actor_id=user.id, known_answer_id=k.id,
                    reason=st.session_state.get(f"{P}_why_{k.id}") or ""),
                    key=f"{P}_out_{k.id}", success=f"Known answer #{k.id} is marked outdated.",
                    where="mark a known answer outdated", clear=[f"{P}_why_{k.id}"])
        elif may_outdate:
            ui.action_button("Applies again", lambda k=k: help.mark_current(db, actor_id=user.id, known_answer_id=k.id),
                             key=f"{P}_cur_{k.id}", success=f"Known answer #{k.id} applies again.",
                             where="mark a known answer current")
