"""Home: what should I do now? Per role, the few things that wait, each linking to the page where it is done.

The answers come from hero_core/services/home.py (a handful of small queries: it runs on every log-in).
"""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from hero_app import ui
from hero_core.services import home, notifications

db, user = ui.require_page("home")
roles = set(user.roles)

st.title(f"Hello, {ui.md(user.name)}")
# Every role reads this line: "you propose" spoke to the front line only (a manager or an executive read it too).
st.caption("The HERO compact: the front line proposes fixes for what gets in customers' way, managers encourage "
           "them and manage the risk, IT helps scale what works.")
unread = notifications.unread_count(db, actor_id=user.id)
if unread:
    st.page_link("hero_app/pages/inbox.py", label=f"You have {ui.count(unread, 'unread notification')}",
                 icon=":material/notifications:")


def when(value: datetime | date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def idea_line(item: home.HomeIdea, fact: str) -> None:
    """One idea, linking to its page, with the one fact that says why it is listed."""
    st.page_link(ui.IDEA_PAGE, label=f"#{item.id} · {ui.md(item.title)} — {ui.md(fact)}",
                 query_params={"id": str(item.id)}, icon=":material/description:")


def more(listing: home.Listing, page: str, label: str, icon: str) -> None:
    """The link to the page where the rest is (and where the work is done)."""
    extra = listing.total - len(listing.items)
    st.page_link(page, label=label + (f" ({extra:,} more)" if extra > 0 else ""), icon=icon)


def section(title: str):
    box = st.container(border=True)
    box.subheader(title)
    return box


# ---- my own ideas (everyone proposes) ---------------------------------------------------------------------

mine = home.needs_me(db, actor_id=user.id)
if mine.total or "frontline" in roles:
    with section("Your ideas that need you"):
        if not mine.total:
            st.success("Nothing of yours waits on you.")
        for item in mine.items:
            idea_line(item, "draft: finish and submit it" if item.state == "draft"
                      else "sent back: make the changes asked for and resubmit")
        more(mine, "hero_app/pages/my_ideas.py", "All my ideas", ":material/person:")
        st.page_link("hero_app/pages/submit.py", label="Propose a new idea", icon=":material/lightbulb:")

if "frontline" in roles:
    left, right = st.columns(2)
    with left, section("Open campaigns for your team"):
        open_ones = home.open_campaigns(db, actor_id=user.id)
        if not open_ones.total:
            st.caption("No campaign is open for your team right now.")
        for c in open_ones.items:
            st.page_link("hero_app/pages/campaigns.py", label=ui.md(c.title), query_params={"id": str(c.id)},
                         icon=":material/campaign:")
        more(open_ones, "hero_app/pages/campaigns.py", "All campaigns", ":material/campaign:")
    with right, section("Your team's recent wins"):
        wins = home.team_wins(db, actor_id=user.id)
        if not wins.total:
            st.caption(f"No idea of your team was scaled or measured as an improvement in the last "
                       f"{home.RECENT_WINS_DAYS} days yet.")
        for item in wins.items:
            idea_line(item, f"scaled {when(item.when)}" if item.state == "scaled"
                      else f"improved a customer metric (launched {when(item.when)})")
        st.page_link("hero_app/pages/heroes.py", label="Hall of HEROs", icon=":material/military_tech:")

# ---- help with roadblocks, and the job aids of ideas that reach my team ----------------------------------------


def help_line(r, fact: str) -> None:
    st.page_link("hero_app/pages/help_request.py", label=f"#{r.id} · {ui.md(r.question)} — {ui.md(fact)}",
                 query_params={"id": str(r.id)}, icon=":material/forum:")


if "ecoach" in roles:
    waiting = home.help_waiting(db, actor_id=user.id)
    with section("Calls for help waiting for you"):
        if not waiting.total:
            st.success("Nobody waits for a first answer in your systems.")
        for r in waiting.items:
            help_line(r, ("a customer is waiting · " if r.customer_waiting else "")
                      + f"{r.asker_name}, {r.sla_status}")
        st.page_link("hero_app/pages/ecoach.py", label="Open the e-coach queue" + (
            f" ({waiting.total - len(waiting.items):,} more)" if waiting.total > len(waiting.items) else ""),
            icon=":material/support_agent:")

my_help = home.my_open_help(db, actor_id=user.id)
aids, aid_count = home.team_job_aids(db, actor_id=user.id)
if my_help.total or aid_count or "frontline" in roles:
    left, right = st.columns(2)
    with left, section("Your calls for help"):
        if not my_help.total:
            st.caption("Nothing open. Stuck with a customer? Ask: an e-coach or a colleague answers.")
        for r in my_help.items:
            help_line(r, "answered: mark the answer that solved it" if r.state == "answered"
                      else "waiting for an answer")
        st.page_link("hero_app/pages/help.py", label="Ask for help", icon=":material/support:")
    with right, section("Job aids for your team"):
        if not aid_count:
            st.caption("No job aid for your team's new ways of working yet.")
        for aid in aids:
            st.page_link("hero_app/pages/job_aids.py", label=f"{ui.md(aid.title)} — idea #{aid.idea_id}, "
                         f"version {aid.version}", icon=":material/checklist:")
        if aid_count > len(aids):
            st.page_link("hero_app/pages/job_aids.py", label=f"All job aids ({aid_count - len(aids):,} more)",
                         icon=":material/checklist:")

# ---- reviewing (managers; admins for second approvals and teams without another manager) -------------------

if user.may("view_review_queue"):
    queue = home.review_summary(db, actor_id=user.id)
    with section("Waiting on your review"):
        cols = st.columns(3)
        cols[0].metric("Waiting on you", queue.total)
        cols[1].metric("Overdue", queue.overdue)
        cols[2].metric("Waiting for a second approver", queue.second_approvals)
        if not queue.total:
            st.success("Nothing waits for your review right now.")
        for q in queue.items:
            due = f"due {ui.fmt_dt(q.due)}" if q.due else "no due date"
            mark = ui.sla_label(q.sla_status)
            idea_line(home.HomeIdea(q.idea.id, q.idea.title, q.idea.state),
                      ("second approval · " if q.needs_second_approver else "") + due + (f" ({mark})" if mark else ""))
        more(home.Listing(queue.items, queue.total), "hero_app/pages/review.py", "Open the review queue",
             ":material/fact_check:")

# ---- IT ------------------------------------------------------------------------------------------------------

if user.may("view_it_board"):
    left, right = st.columns(2)
    with left, section("Ready for IT to claim"):
        ready, late = home.claimable(db, actor_id=user.id)
        st.metric("Waiting to be claimed", ready.total, delta=f"{late:,} past the promise" if late else None,
                  delta_color="inverse")
        for item in ready.items:
            idea_line(item, f"approved {when(item.when)}")
        more(ready, "hero_app/pages/it_board.py", "Claim on the IT board", ":material/view_kanban:")
    with right, section("Your pilots"):
        pilots = home.my_pilots(db, actor_id=user.id)
        if not pilots.total:
            st.caption("You champion no idea in build, pilot or roll-out right now.")
        for item in pilots.items:
            idea_line(item, ui.state_label(item.state))
        more(pilots, "hero_app/pages/it_board.py", "The IT board", ":material/view_kanban:")

# ---- executives ----------------------------------------------------------------------------------------------

if "executive" in roles and user.may("view_impact"):
    with section("Impact this quarter"):
        quarter = home.quarter_impact(db, actor_id=user.id)
        cols = st.columns(2)
        cols[0].metric(f"Ideas launched since {when(quarter.first_day)}", quarter.launched)
        cols[1].metric("Of them, improved a customer metric",
                       "not measured yet" if quarter.improved is None else quarter.improved)
        st.caption("Improved: at least one target metric measurably better and none worse, as the Impact page "
                   "measures it.")
        st.page_link("hero_app/pages/impact.py", label="The Impact page: every launched idea's effect",
                     icon=":material/monitoring:")
        st.page_link("hero_app/pages/scorecard.py", label="Compact scorecard: has every party kept its promise?",
                     icon=":material/scoreboard:")

# ---- admins --------------------------------------------------------------------------------------------------

if user.may("manage_users"):
    with section("Recent imports"):
        imports = home.recent_imports(db, actor_id=user.id)
        if not imports:
            st.caption("Nothing was imported yet.")
        for i in imports:
            what = ui.count(i.rows, "idea") if i.kind == "ideas" else ui.count(i.rows, "observation")
            st.markdown(f"- {ui.fmt_dt(i.at)}: {what} from {ui.md(i.source)} by {ui.md(i.by)}")
        st.page_link("hero_app/pages/admin.py", label="Import on the Administration page",
                     icon=":material/admin_panel_settings:")
