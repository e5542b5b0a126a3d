"""Browse ideas: search and filter everyone's ideas (drafts stay private), a page at a time."""

import pandas as pd
import streamlit as st

from hero_app import ui
from hero_core.services import ideas, ideas_io, people, social
from hero_core.services.ideas import IdeaFilter
from hero_core.vocab import STATE_LABELS, TOUCHPOINT_LABELS

PAGE_SIZE = 25
PAGE_KEY = "browse_page"

db, user = ui.require_page("ideas")
st.title("Browse ideas")
st.caption("Seeing each other's roadblocks is how a fix found in one team reaches the others.")


def reset_page() -> None:
    st.session_state[PAGE_KEY] = 1


def export_frame(flt: IdeaFilter) -> pd.DataFrame:
    return pd.DataFrame(ideas_io.export_rows(db, actor_id=user.id, flt=flt), columns=ideas_io.EXPORT_COLUMNS)


campaigns = dict(ideas.list_campaigns(db))
with st.container(border=True):
    search = st.text_input("Search titles and descriptions", key="browse_search", on_change=reset_page)
    c1, c2, c3, c4 = st.columns(4)
    states = c1.multiselect("State", [s.value for s in STATE_LABELS], key="browse_states",
                            format_func=ui.state_label, on_change=reset_page)
    teams = c2.multiselect("Team", list(people.team_names(db)), key="browse_teams",
                           on_change=reset_page)
    touchpoints = c3.multiselect("Touch point", [t.value for t in TOUCHPOINT_LABELS], key="browse_touchpoints",
                                 format_func=ui.touchpoint_label, on_change=reset_page)
    chosen_campaigns = c4.multiselect("Campaign", list(campaigns), key="browse_campaigns",
                                      format_func=lambda i: campaigns.get(i, str(i)), on_change=reset_page)

sort = st.segmented_control("Sort by", ["updated", "supports"], key="browse_sort", default="updated",
                            format_func={"updated": "Recently changed", "supports": "Most supported"}.get,
                            on_change=reset_page) or "updated"
flt = IdeaFilter(search=search, states=tuple(states), team_codes=tuple(teams), touchpoints=tuple(touchpoints),
                 campaign_ids=tuple(chosen_campaigns), sort=sort)
page = st.session_state.get(PAGE_KEY, 1)
rows, total = ideas.list_ideas(db, actor_id=user.id, flt=flt, page=page, page_size=PAGE_SIZE)
if not rows and total and page > 1:
    st.session_state[PAGE_KEY] = 1
    st.rerun()

st.markdown(f"**{total} idea{'s' if total != 1 else ''}** match.")
if total:
    table = ui.summary_frame(rows)
    supports = social.support_counts(db, [r.id for r in rows])
    table.insert(2, "Supports", [supports.get(r.id, 0) for r in rows])
    st.caption("Click a row to open the idea.")
    ui.grid(table, hide_index=True, key="browse_table", opens=ui.IDEA_PAGE)
    ui.page_number(total, PAGE_SIZE, key=PAGE_KEY)
    if user.may("export_ideas"):
        # Every matching idea on every page, in the columns `hero ideas import` reads, made only when clicked.
        st.caption("Download every matching idea, on every page (drafts excepted), in the import format: the CSV "
                   "file imports back through Administration or `hero ideas import`.")
        ui.download_buttons(lambda: export_frame(flt), name="ideas", key="browse_download")
