"""Propose an idea: describe the customer's roadblock and the fix, keep to the safe framework, draft or submit."""

import streamlit as st

from hero_app import conversation, idea_form, ui
from hero_core.errors import HeroError
from hero_core.services import ideas

P = "propose"

db, user = ui.require_page("submit")

st.title("Propose an idea")
st.caption("You see the customer's roadblocks first. Tell us about one, and how you would remove it.")

with st.expander("How to describe a good idea", expanded=True, icon=":material/tips_and_updates:"):
    st.markdown(
        "- **Start from one real moment.** Where did a customer get stuck — on the website, on the phone, at "
        "the counter, in the self-service portal? What were they trying to do, and what stopped them?\n"
        "- **Say how often it happens** and what it costs: repeat calls, complaints, errors, time, lost sales.\n"
        "- **Describe the fix you would try**, as small as it can be to learn something: a clearer form, a "
        "checklist, a saved reply, a short video, a change to a screen. Say what you would need to try it.\n"
        "- **Name the metric** you expect to move (handle time, first-contact resolution, satisfaction...).\n"
        "- **Describe situations, never people**: no customer names, account numbers or contact details."
    )

if st.session_state.pop(f"{P}_reset", False):
    idea_form.clear(P)
last = st.session_state.get(f"{P}_last")
if last:
    ui.idea_link(last[0], last[1])

conversation.similar_ideas(db, prefix=P)  # has a colleague had this idea already?
if st.query_params.get("campaign", "").isdigit():  # "Answer this campaign" on the campaign page
    st.session_state.setdefault(f"{P}_campaign_id", int(st.query_params["campaign"]))

idea_form.show_general_errors(P)
with st.form("propose_form"):
    idea_form.fields(db, P, with_guardrails=True)
    with st.container(horizontal=True):
        save_draft = st.form_submit_button("Save as draft", icon=":material/save:")
        send = st.form_submit_button("Submit for review", type="primary", icon=":material/send:")

if save_draft or send:
    data = idea_form.read(P)
    if send and not idea_form.guardrails_acknowledged(P):
        # Check the fields too, so the person sees everything to fix at once.
        problems = ideas.validate_idea_input(db, data=data)
        problems[idea_form.GUARDRAILS_FIELD] = (
            "Tick the safe framework box to submit (you can save a draft without it).")
        idea_form.remember_errors(P, problems)
        st.rerun()
    try:
        new_id = ideas.create_idea(db, actor_id=user.id, data=data, submit=bool(send))
    except HeroError as exc:
        idea_form.remember_exception(P, exc)
        st.rerun()
    except Exception:  # noqa: BLE001
        ui.show_unexpected("propose an idea")
    else:
        st.session_state[f"{P}_reset"] = True
        st.session_state[f"{P}_last"] = (new_id, data.title.strip())
        ui.flash(f"Idea #{new_id} submitted: it now waits for a manager of your team." if send else
                 f"Idea #{new_id} saved as a draft. Only you can see it until you submit it from My ideas.")
        st.rerun()
