"""Streamlit alone: the floor under every click the benchmark times (benchmarks/browser.py).

A three-page app with no database and no work on the server: a start page, a page of text (a heading and a dozen
lines, about what the lightest HERO pages show) and a page with one 20-row data grid (what the review queue, the
idea page and the impact page each show at least once). Served by the same `streamlit run`, with the project's
.streamlit/config.toml, and clicked in the same headless Chromium as the app, its page switches are the least a
click can take on this machine whatever the app does; the table reports them beside the app's clicks.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

LINES = 12
GRID_ROWS = 20


def start() -> None:
    st.title("Start")
    st.caption("Nothing here: the benchmark clicks from this page to the others.")


def text() -> None:
    st.title("Text")
    for k in range(LINES):
        st.markdown(f"**Line {k + 1}.** A short fact about an idea, the way a details panel states it.")


def grid() -> None:
    st.title("One grid")
    frame = pd.DataFrame({
        "id": range(1, GRID_ROWS + 1),
        "title": [f"Idea number {k}" for k in range(1, GRID_ROWS + 1)],
        "team": ["CC", "ST", "WEB", "HQ"] * (GRID_ROWS // 4),
        "state": ["submitted", "under review"] * (GRID_ROWS // 2),
        "submitted": pd.date_range("2026-01-01", periods=GRID_ROWS, freq="D"),
        "supporters": [k % 7 for k in range(GRID_ROWS)],
    })
    st.dataframe(frame, hide_index=True)


st.navigation([st.Page(start, title="Start", default=True), st.Page(text, title="Text", url_path="text"),
               st.Page(grid, title="One grid", url_path="grid")]).run()
