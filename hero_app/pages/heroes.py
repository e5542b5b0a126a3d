"""Hall of HEROs: scaled ideas with their measured impact, the people behind them, and everyone's badges."""

import pandas as pd
import streamlit as st

from hero_app import ui
from hero_core.services import recognition


@st.cache_resource(max_entries=2)
def board_of(_hall: recognition.Hall, url: str, version: tuple) -> pd.DataFrame:
    """Who has earned which badge, as the table shows it: one row per person with a badge (thousands at company
    scale; measured: docs/measurements.md), built once per hall (hero_core caches one per data version, shared
    by everyone) and shared read-only, like the hall."""
    heroes = _hall.heroes
    return pd.DataFrame(
        [
            {
                "Person": h.name,
                "Team": h.team_name or h.team_code or "",
                "Badges": len(h.badges),
                **{b.name: ("✔" if b.code in {x.code for x in h.badges} else "") for b in recognition.BADGES},
            }
            for h in heroes
        ],
        columns=["Person", "Team", "Badges", *[b.name for b in recognition.BADGES]],
    )


#: The badges' icons from Streamlit's own icon font (served by the app): an emoji needs an emoji font on the
#: reader's machine, and showed as empty boxes where there is none.
BADGE_ICONS = {"first_idea": ":material/lightbulb:", "helped_colleague": ":material/handshake:",
               "first_scaled": ":material/rocket_launch:", "measured_improvement": ":material/trending_up:"}


def badge_text(badge) -> str:
    icon = BADGE_ICONS.get(badge.code)
    return f"{icon} {badge.name}" if icon else badge.name


IDEAS_PER_PAGE = 10  # a company scales thousands of ideas: one page of cards at a time

db, user = ui.require_page("heroes")
st.title("Hall of HEROs")
st.caption(
    "Frontline fixes that were scaled to every team, what they measurably changed for customers, and the "
    "people who made them happen."
)

hall = recognition.hall(db, actor_id=user.id)  # checked, then the shared copy (hero_core.cache)

mine = next((h for h in hall.heroes if h.user_id == user.id), None)
if mine:
    st.success("Your badges: " + " · ".join(badge_text(b) for b in mine.badges))
else:
    st.info(
        "You have no badge yet. Propose an idea, or support and comment on a colleague's idea, to earn your "
        "first one."
    )

st.header("Scaled ideas")
if not hall.ideas:
    st.info(
        "No idea has been scaled yet. When a pilot proves itself and is rolled out to every team, it appears "
        "here with its measured impact."
    )
else:
    st.caption(f"{len(hall.ideas):,} scaled idea{'s' if len(hall.ideas) != 1 else ''}, the most recently scaled "
               "first" + (f"; {hall.ideas.improved:,} with a measured improvement."
                          if len(hall.ideas) > IDEAS_PER_PAGE else "."))
for idea in ui.paged(hall.ideas, key="heroes_page", page_size=IDEAS_PER_PAGE):
    with st.container(border=True):
        ui.idea_link(idea.idea_id, idea.title)
        st.caption(
            f"Team {ui.md(idea.team_name or idea.team_code)} · launched {ui.fmt_date(idea.launch_date)} · scaled "
            f"{ui.fmt_dt(idea.scaled_at)}" + (" · :material/trending_up: measured improvement" if idea.improved else "")
        )
        credits = [f"Proposed by {', '.join(idea.proposed_by)}"]
        if idea.built_by:
            credits.append(f"built by {idea.built_by}")
        if idea.approved_by:
            credits.append(f"approved by {', '.join(idea.approved_by)}")
        st.text("; ".join(credits))
        if idea.effects:
            ui.grid(
                pd.DataFrame(
                    [
                        {
                            "Metric": e.metric_name,
                            "Verdict": e.verdict,
                            "Effect": None if e.effect is None else round(e.effect, 4),
                            "95% CI": "" if e.ci_low is None else f"{e.ci_low:.4g} to {e.ci_high:.4g}",
                            "Unit": e.unit,
                        }
                        for e in idea.effects
                    ]
                ),
                hide_index=True,
            )
        else:
            st.caption("No target metric was named for this idea, so there is no measured effect.")

st.header("Badges")
ui.grid(
    pd.DataFrame(
        [{"Badge": b.name, "Earned when someone…": b.rule} for b in recognition.BADGES]
    ),
    hide_index=True,
)
if hall.heroes:
    board = board_of(hall, db.url, hall.version)
    st.subheader("Who has earned them")
    ui.grid(board, hide_index=True, key="heroes_board")
else:
    st.caption("Nobody has earned a badge yet.")
