"""Impact: the portfolio of launched ideas. (Executive charts and impact estimates arrive with the impact issue.)"""

import streamlit as st

from hero_app import ui
from hero_core.services import ideas
from hero_core.services.ideas import IdeaFilter
from hero_core.vocab import State
from hero_core.workflow import LAUNCHED_STATES

PAGE_SIZE = 50
PAGE_KEY = "impact_page"
LAUNCHED = tuple(s.value for s in State if s in LAUNCHED_STATES)  # in workflow order

db, user = ui.require_page("impact")
st.title("Impact")
st.caption("What the compact has launched: ideas in pilot, scaling and scaled.")

counts = st.columns(len(LAUNCHED))
for column, state in zip(counts, LAUNCHED, strict=True):
    column.metric(ui.state_label(state), ideas.list_ideas(db, actor_id=user.id, page_size=1,
                                                        flt=IdeaFilter(states=(state,)))[1])

st.subheader("Portfolio of launched ideas")
page = st.session_state.get(PAGE_KEY, 1)
rows, total = ideas.list_ideas(db, actor_id=user.id, flt=IdeaFilter(states=LAUNCHED), page=page,
                               page_size=PAGE_SIZE)
if not total:
    st.info("No idea has been launched yet. Pilots appear here as soon as they start.")
    st.stop()
table = ui.summary_frame(rows)
st.dataframe(table, hide_index=True, key="impact_table")
ui.page_number(total, PAGE_SIZE, key=PAGE_KEY)
ui.download_buttons(table, name="launched-ideas", key="impact_download")
