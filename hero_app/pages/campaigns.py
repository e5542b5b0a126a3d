"""Campaigns: challenges posted by managers and executives, and the ideas that answer them (?id=N for one)."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from hero_app import ui
from hero_core.errors import HeroError
from hero_core.services import campaigns, ideas, people, social
from hero_core.services.ideas import IdeaFilter
from hero_core.vocab import TOUCHPOINT_LABELS

P = "campaign"
CAMPAIGNS_PAGE = "hero_app/pages/campaigns.py"

db, user = ui.require_page("campaigns")


def _closes(view: campaigns.CampaignView) -> str:
    if view.closes_on is None:
        return "no closing date"
    return f"{'closes' if view.is_open else 'closed'} {view.closes_on.isoformat()}"


def show_one(campaign_id: int) -> None:
    try:
        view = campaigns.get_campaign(db, campaign_id=campaign_id)
    except HeroError as exc:
        ui.show_error(exc)
        st.page_link(CAMPAIGNS_PAGE, label="All campaigns", icon=":material/campaign:")
        return
    st.title(ui.md(view.title))
    st.markdown(f"**{'Open' if view.is_open else 'Closed'}** · {_closes(view)} · touch point "
                f"**{ui.touchpoint_label(view.touchpoint) if view.touchpoint else 'any'}** · teams "
                f"**{ui.md(', '.join(view.team_names) or 'every team')}**")
    if view.target_metrics:
        st.markdown(f"Customer metrics it should move: **{ui.md(', '.join(view.target_metric_names))}**")
    if view.created_by_email:
        st.caption(f"Posted by {ui.md(view.created_by_name or view.created_by_email)}")
    if view.description:
        st.text(view.description)
    may_answer = view.is_open and (not view.team_codes or user.team_code in view.team_codes)
    if may_answer:
        st.page_link("hero_app/pages/submit.py", label="Answer this campaign with an idea", icon=":material/lightbulb:",
                     query_params={"campaign": str(view.id)})
    elif view.is_open:
        st.caption("This campaign is addressed to other teams than yours.")
    rows, total = ideas.list_ideas(db, actor_id=user.id, flt=IdeaFilter(campaign_ids=(view.id,), sort="supports"),
                                   page_size=200)
    st.subheader(f"Ideas answering it ({total})")
    if not rows:
        st.info("No ideas answer this campaign yet.")
    else:
        supports = social.support_counts(db, [r.id for r in rows])
        table = ui.summary_frame(rows)
        table.insert(2, "Supports", [supports.get(r.id, 0) for r in rows])
        st.caption("Click a row to open the idea.")
        ui.grid(table, hide_index=True, key=f"{P}_ideas", opens=ui.IDEA_PAGE)
    st.page_link(CAMPAIGNS_PAGE, label="All campaigns", icon=":material/campaign:")


def show_all() -> None:
    st.title("Campaigns")
    st.caption("A campaign asks the front line for ideas on one customer problem, for a while. Answer one from "
               "its page, or pick it on Propose an idea.")
    if user.may("manage_campaigns"):
        post_form()
    views = campaigns.list_campaigns(db)
    if not views:
        st.info("No campaigns yet.")
        return
    st.caption("Click a row to open the campaign and the ideas answering it.")
    ui.grid(pd.DataFrame([{
        "#": v.id, "Campaign": v.title, "Status": "open" if v.is_open else "closed", "Closes": ui.fmt_date(v.closes_on),
        "Touch point": ui.touchpoint_label(v.touchpoint) if v.touchpoint else "any",
        "Teams": ", ".join(v.team_names) or "every team", "Ideas": v.ideas, "Supports": v.supports,
    } for v in views]), hide_index=True, key=f"{P}_table", opens=CAMPAIGNS_PAGE)


def post_form() -> None:
    metrics = dict(ideas.list_metric_codes(db))
    teams = people.team_names(db)  # code -> name: picked by code, read by name
    if st.session_state.pop(f"{P}_posted", False):
        # Set, not removed: removed keys would leave the browser showing the old values in the form.
        st.session_state.update({f"{P}_title": "", f"{P}_description": "", f"{P}_touchpoint": None,
                                 f"{P}_teams": [], f"{P}_metrics": []})
    with st.expander("Post a challenge", icon=":material/add:"):
        with st.form(f"{P}_form"):
            st.text_input("Title", key=f"{P}_title", max_chars=200,
                          placeholder="e.g. Fewer repeat calls about billing")
            st.text_area("What you are asking for", key=f"{P}_description",
                         help="The customer problem, why it matters now, and what a good answer looks like.")
            c1, c2 = st.columns(2)
            c1.selectbox("Touch point", [t.value for t in TOUCHPOINT_LABELS], key=f"{P}_touchpoint", index=None,
                         format_func=ui.touchpoint_label, placeholder="Any touch point")
            c2.date_input("Closing date", key=f"{P}_closes_on", value=db.now().date() + timedelta(days=60))
            st.multiselect("Teams it is addressed to (none: every team)", list(teams), key=f"{P}_teams",
                           format_func=lambda c: teams.get(c, c))
            st.multiselect("Customer metrics it should move", list(metrics), key=f"{P}_metrics",
                           format_func=lambda c: f"{metrics.get(c, c)} ({c})")
            posted = st.form_submit_button("Post the challenge", type="primary", icon=":material/campaign:")
        if posted:
            get = st.session_state.get

            def post() -> int:
                campaign_id = campaigns.create_campaign(
                    db, actor_id=user.id, title=get(f"{P}_title") or "", description=get(f"{P}_description") or "",
                    touchpoint=get(f"{P}_touchpoint"), closes_on=get(f"{P}_closes_on"),
                    team_codes=get(f"{P}_teams") or (), target_metrics=get(f"{P}_metrics") or ())
                st.session_state[f"{P}_posted"] = True  # empty the form for the next one (only once stored)
                return campaign_id

            ui.attempt(post, success=lambda cid: f"Campaign #{cid} is posted: ideas can answer it now.",
                       where="post a campaign")


raw_id = st.query_params.get("id", "")
if raw_id:
    try:
        chosen = int(raw_id)
    except ValueError:
        st.title("Campaigns")
        st.error(f"There is no campaign {ui.md(raw_id)}.")
    else:
        show_one(chosen)
else:
    show_all()
