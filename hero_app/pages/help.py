"""Ask for help: describe the roadblock, see known answers to similar questions while typing, post it."""

import streamlit as st

from hero_app import ui
from hero_core.services import help
from hero_core.vocab import TOUCHPOINT_LABELS

P = "help"
REQUEST_PAGE = "hero_app/pages/help_request.py"

db, user = ui.require_page("help")
st.title("Ask for help")
st.caption("Stuck with a customer? Say what you were trying to do and where. E-coaches and colleagues answer; "
           "the answer that solves it becomes a known answer for the next person.")


@st.fragment
def question_and_suggestions() -> None:
    """The question box; known answers to similar questions show under it as the person types (Enter or leaving
    the box runs only this part of the page)."""
    st.text_input("What were you trying to do?", key=f"{P}_question", max_chars=help.QUESTION_MAX,
                  placeholder="e.g. change a customer's delivery address in the CRM")
    typed = str(st.session_state.get(f"{P}_question") or "")
    found = help.suggest_known(db, actor_id=user.id, text=typed)
    if not found:
        if typed.strip():
            st.caption("No known answer to a question like this yet: ask below.")
        return
    st.markdown("**Known answers to similar questions** — one of these may solve it now:")
    for k in found:
        with st.expander(f"{k.question} · {k.system_name or k.touchpoint_label} · {k.score}% alike"):
            st.text(k.answer)
            st.caption(f"Answered by {k.answered_by_name}, confirmed by {k.confirmed_by_name} on "
                       f"{ui.fmt_date(k.created_at.date())}")


question_and_suggestions()
systems = help.list_systems(db)
touchpoints = list(TOUCHPOINT_LABELS)
st.selectbox("Customer touch point", touchpoints, format_func=TOUCHPOINT_LABELS.get, key=f"{P}_touchpoint",
             index=None, placeholder="Where were you with the customer?")
st.selectbox("System or document involved", [s.code for s in systems], key=f"{P}_system", index=None,
             format_func={s.code: s.name for s in systems}.get, placeholder="None, or choose one")
st.text_area("Details (optional: what you tried, what happened; no customer names or numbers)",
             key=f"{P}_details", max_chars=help.DETAILS_MAX)
st.checkbox("A customer is waiting right now", key=f"{P}_waiting")


def post() -> int:
    state = st.session_state
    return help.ask(db, actor_id=user.id, data=help.HelpInput(
        question=state.get(f"{P}_question") or "", touchpoint=state.get(f"{P}_touchpoint") or "",
        system=state.get(f"{P}_system") or "", details=state.get(f"{P}_details") or "",
        customer_waiting=bool(state.get(f"{P}_waiting"))))


ui.action_button("Ask for help", post, key=f"{P}_post", type="primary", icon=":material/send:",
                 success=lambda rid: f"Your help request #{rid} is posted; you will hear when someone answers.",
                 where="ask for help",
                 clear=[f"{P}_question", f"{P}_touchpoint", f"{P}_system", f"{P}_details", f"{P}_waiting"])

st.subheader("My help requests")
mine = help.my_requests(db, actor_id=user.id)
if not mine:
    st.info("You have not asked for help yet.")
for r in ui.paged(mine, key=f"{P}_page", page_size=10):
    where = r.system_name or r.touchpoint_label
    st.page_link(REQUEST_PAGE, label=f"#{r.id} · {ui.md(r.question)} · {where} · {r.state_label}",
                 query_params={"id": str(r.id)}, icon=":material/forum:")
