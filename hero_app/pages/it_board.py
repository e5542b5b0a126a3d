"""IT board: technology ideas by column, oldest first, overdue marked; claim, plan and advance them."""

import pandas as pd
import streamlit as st

from hero_app import panels, ui
from hero_core.services import ideas
from hero_core.services.ideas import BOARD_COLUMNS

db, user = ui.require_page("it-board")
st.title("IT board")
st.caption("Support and scale what the front line builds: claim approved technology ideas, plan them, pilot "
           "them in a few teams, then scale them.")

# A company's board holds thousands of cards: each column loads its BOARD_LIMIT oldest (the most urgent), the
# totals come from a count query, and the download fetches the whole board only when clicked.
BOARD_LIMIT = 80
counts = ideas.it_board_counts(db, actor_id=user.id)
board = ideas.it_board(db, actor_id=user.id, limit=BOARD_LIMIT)
columns = st.columns(len(BOARD_COLUMNS))
for column, state in zip(columns, BOARD_COLUMNS, strict=True):
    cards = board[state.value]
    total, overdue = counts[state.value].total, counts[state.value].overdue
    with column:
        st.metric(ui.state_label(state.value), total,
                  delta=f"{overdue} overdue" if overdue else None, delta_color="inverse")
        if total > len(cards):
            st.caption(f"The {len(cards)} {'latest' if state.value == 'scaled' else 'oldest'} of {total} are shown.")
        for card in ui.paged(cards, key=f"board_page_{state.value}", page_size=8):
            with st.container(border=True):
                if card.overdue:
                    st.markdown(":red-badge[:material/alarm: Overdue]")
                st.markdown(f"**#{card.idea.id}** {ui.md(card.idea.title)}")
                st.page_link(ui.IDEA_PAGE, label="Open", query_params={"id": str(card.idea.id)},
                             icon=":material/open_in_new:")
                if card.days_in_column is None:  # scaled: the work is done, no clock runs
                    st.caption(f"Scaled {ui.fmt_date(card.since.date())} · team {ui.md(card.idea.team_name)}")
                else:
                    st.caption(f"{card.days_in_column} business day{'s' if card.days_in_column != 1 else ''} here"
                               f" · team {ui.md(card.idea.team_name)}")
                if card.it_champion_email:
                    st.caption(f"Champion: {ui.md(card.it_champion_name or card.it_champion_email)}")
                if card.it_effort_days is not None:
                    st.caption(f"Effort: {card.it_effort_days:g} days")
                if card.it_blockers:
                    st.caption(":orange[Blocked]")
                if card.launch_date:
                    st.caption(f"Launched {ui.fmt_date(card.launch_date)}")


def board_table() -> pd.DataFrame:
    """Every card of the board (not only the ones shown), made when a download button is clicked."""
    full = ideas.it_board(db, actor_id=user.id)
    return pd.DataFrame([{
        "Column": ui.state_label(state.value), "#": c.idea.id, "Title": c.idea.title,
        "Team": c.idea.team_name or c.idea.team_code, "Team code": c.idea.team_code,
        "Business days in column": c.days_in_column, "Overdue": "yes" if c.overdue else "",
        "IT champion": c.it_champion_email or "", "Effort (days)": c.it_effort_days,
        "Blockers": c.it_blockers, "Launch date": ui.fmt_date(c.launch_date),
    } for state in BOARD_COLUMNS for c in full[state.value]], columns=[
        "Column", "#", "Title", "Team", "Team code", "Business days in column", "Overdue", "IT champion",
        "Effort (days)", "Blockers", "Launch date"])


ui.download_buttons(board_table, name="it-board", key="board_download")

workable = {c.idea.id: c for state in BOARD_COLUMNS[:-1] for c in board[state.value]}
st.divider()
if not workable:
    st.info("No technology idea waits for IT right now.")
    st.stop()


def choice_label(idea_id: int) -> str:
    card = workable[idea_id]
    return (f"#{idea_id} · {card.idea.title} ({ui.state_label(card.idea.state)})"
            + (" — overdue" if card.overdue else ""))


# The picker sends back the label the browser shows, not the idea: when the picked idea's label changes (it moved
# column after "Claim for IT", or someone else moved it), the browser keeps the old label, and the next click
# anywhere sent a label that matches no option, so the picker fell back to the first idea and a plan typed
# meanwhile was lost with its form. Setting the value again makes the browser show (and send) the new label.
picked = st.session_state.get("board_choice")
if picked in workable and st.session_state.get("board_choice_label") not in (None, choice_label(picked)):
    st.session_state["board_choice"] = picked
chosen = st.selectbox("Idea to work on", list(workable), key="board_choice", format_func=choice_label)
if chosen is not None:
    st.session_state["board_choice_label"] = choice_label(chosen)
if chosen is None:
    st.stop()
view = panels.open_picked(db, user, chosen)
with st.container(border=True):
    panels.picked_heading(view)
    st.markdown("**The proposed fix**")
    st.text(view.proposal)
    if view.assessment is not None:
        box = ui.lazy_expander(f"Risk {view.assessment.overall} ({view.assessment.band}) — assessment",
                               key=f"board_assessment_open_{view.id}")
        if box.open:
            with box:
                panels.show_assessment(view.assessment, key="board_assessment")
    ui.stale_banner(view.id, view.version, where="board")
    panels.it_panel(db, user, view, where="board")
