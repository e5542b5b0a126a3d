"""The 5 × 5 risk grid a manager clicks to rate one risk category: one click picks a cell, which sets both the
likelihood (its row, 5 at the top … 1) and the impact (its column, 1 … 5 to the right).

It is one `st.segmented_control` whose 25 options are the cells in reading order, laid out as a grid by CSS:
a screen reader reads it as a group of radio buttons named after the category, each cell named in words
("likelihood 4 Likely, impact 5 Severe: score 20, high"), reached with Tab and picked with the arrow keys and
Space or Enter; AppTest drives it like any segmented control (`select((4, 5))`). 25 buttons in `st.columns` rows
would have been 125 widgets and 25 containers for the five categories, each rerun and drawn on every click.

Each cell is coloured by its band: the bands are `risk.band`, the colours the heat map's (charts.BAND_COLOURS).
"""

from __future__ import annotations

import functools

import streamlit as st

from hero_core import risk
from hero_core.charts import BAND_COLOURS

Cell = tuple[int, int]  # (likelihood, impact)
#: The cells in reading order: likelihood 5 on the top row, impact 1 in the left column.
CELLS: tuple[Cell, ...] = tuple((li, im) for li in range(5, 0, -1) for im in range(1, 6))
#: Every grid's widget key ends with this: the style sheet finds the grids by it (Streamlit gives each keyed
#: element the class "st-key-<key>").
KEY_SUFFIX = "_risk_cell"
#: The key of the container holding the heat map beside the grids ends with this: it stays in view while the
#: grids scroll past.
HEAT_SUFFIX = "_risk_heat"


def cell_key(prefix: str, category: str) -> str:
    """The widget key of one category's grid (its value is the picked (likelihood, impact), or None)."""
    return f"{prefix}_{category}{KEY_SUFFIX}"


def cell_words(cell: Cell) -> str:
    """A cell as a screen reader says it: "likelihood 4 Likely, impact 5 Severe: score 20, high"."""
    li, im = cell
    return (f"likelihood {li} {risk.LIKELIHOOD_LABELS[li]}, impact {im} {risk.IMPACT_LABELS[im]}: "
            f"score {li * im}, {risk.band(li * im)}")


def cell_label(cell: Cell) -> str:
    """The cell's button: its score in view, its words (in italics) kept for screen readers only by the style
    sheet. The words also make each option's label unique, which the widget needs."""
    return f"{cell[0] * cell[1]} *{cell_words(cell)}*"


@functools.cache
def style_sheet() -> str:
    """The grids' CSS, from the risk bands and the heat map's colours (static text: no person's words in it)."""
    grid = f'.stElementContainer[class*="{KEY_SUFFIX}"]'
    group = f'{grid} [role="radiogroup"]'
    cell = f'{group} > button[role="radio"]'
    rules = [
        # The heat map's wrapper, not the keyed container itself: that is exactly as tall as its wrapper, so it
        # would have no room to stick in.
        f'[data-testid="stLayoutWrapper"]:has(> .stVerticalBlock[class*="{HEAT_SUFFIX}"]) '
        "{ position: sticky; top: 4rem; align-self: flex-start; z-index: 2; }",
        f"{group} {{ display: grid; grid-template-columns: repeat(5, 3.1rem); gap: 3px; "
        "margin: 0.1rem 0 1.4rem 7rem; overflow: visible; mask-image: none; -webkit-mask-image: none; }",
        f"{cell} {{ position: relative; overflow: visible; min-height: 2.1rem; margin: 0; border-radius: 4px; "
        "border: 1px solid rgba(49, 51, 63, 0.25); justify-content: center; }",
        f'{cell}[aria-checked="true"] {{ outline: 3px solid #262730; outline-offset: -3px; font-weight: 700; }}',
        f'{cell}[aria-checked="true"] p::after {{ content: " ✓" / ""; }}',
        f"{cell}:focus-visible {{ outline: 3px solid #1c83e1; outline-offset: 1px; z-index: 1; }}",
        f"{cell}:hover {{ filter: brightness(0.93); }}",
        # The words are for screen readers: visually hidden, still read (the usual "sr-only" recipe).
        f"{cell} em {{ position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; "
        "clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }",
        # Dark figures on the light band colours in either theme; the headings keep the theme's text colour.
        f"{cell} p {{ margin: 0; color: #262730; }}",
    ]
    for band, colour in BAND_COLOURS.items():
        places = [n for n, (li, im) in enumerate(CELLS, start=1) if risk.band(li * im) == band]
        rules.append(", ".join(f"{cell}:nth-child({n})" for n in places) + f" {{ background: {colour}; }}")
    # Row and column headings as the heat map writes them; `/ ""` keeps them out of the cells' spoken names
    # (the cells' own words say the same).
    heading = "position: absolute; white-space: nowrap; font-weight: 400; color: inherit; opacity: 0.75;"
    rules.extend(f'{cell}:nth-child({row * 5 + 1})::before {{ content: "{li} {risk.LIKELIHOOD_LABELS[li]}" / ""; '
                 f"{heading} right: calc(100% + 0.5rem); font-size: 0.75rem; }}"
                 for row, li in enumerate(range(5, 0, -1)))
    rules.extend(f'{cell}:nth-child({20 + im})::after {{ content: "{im} {risk.IMPACT_LABELS[im]}" / ""; '
                 f"{heading} top: calc(100% + 2px); left: 50%; transform: translateX(-50%); font-size: 0.7rem; }}"
                 for im in range(1, 6))
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def use_style() -> None:
    """Send the grids' style sheet (a style-only st.html goes to the page's event area and takes no space)."""
    st.html(style_sheet())


def pick_cell(label: str, *, key: str, default: Cell | None) -> Cell | None:
    """One category's grid; the picked (likelihood, impact), or None until a cell is picked. `label` names the
    group for screen readers ("Operational: risk")."""
    # The default in a list: a bare (likelihood, impact) tuple would be read as two defaults.
    return st.segmented_control(label, CELLS, format_func=cell_label, key=key,
                                default=[default] if default else None, label_visibility="collapsed")
