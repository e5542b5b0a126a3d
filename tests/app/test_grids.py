"""A grid's own toolbar never exports what people typed raw: its download and copy are off, or its cells are
neutralised as the app's own downloads are, and every grid in the app goes through ui.grid to get that."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit import config as st_config

from tests.app.conftest import ROOT, as_role, assert_clean, make_idea, open_page, table

FORMULA_TITLE = '=HYPERLINK("http://evil.example","Open me")'
GRID_CALLS = {"dataframe", "data_editor"}


def grid_calls(path: Path) -> list[int]:
    """Lines of `<anything>.dataframe(...)` / `.data_editor(...)` calls (st., st.sidebar., a column, ...)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GRID_CALLS]


def app_files() -> list[Path]:
    return sorted([*(ROOT / "hero_app").rglob("*.py"), ROOT / "streamlit_app.py"])


def test_every_grid_in_the_app_is_drawn_by_ui_grid():
    direct = {
        str(path.relative_to(ROOT)): lines
        for path in app_files()
        if path != ROOT / "hero_app" / "ui.py" and (lines := grid_calls(path))
    }
    assert direct == {}, "draw grids with ui.grid(...), which keeps their own export formula-safe"
    assert grid_calls(ROOT / "hero_app" / "ui.py"), "ui.grid itself calls st.dataframe"


def test_the_scan_finds_grid_calls_however_they_are_written(tmp_path):
    source = tmp_path / "page.py"
    source.write_text("import streamlit as st\nst.dataframe(a)\nst.sidebar.dataframe(b)\ncol.data_editor(c)\n"
                      "st.write('st.dataframe(d)')\n")
    assert grid_calls(source) == [2, 3, 4]


def test_the_server_turns_the_grids_own_download_and_copy_off():
    # Read the way `streamlit run` reads it: .streamlit/config.toml in the directory the server starts from.
    probe = "from streamlit import config; print(config.get_option('client.disableDataExport'))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                         timeout=120).stdout
    assert out.strip().splitlines()[-1] == "True", out


@pytest.fixture
def export_setting():
    before = st_config.get_option("client.disableDataExport")

    def set_to(value: bool) -> None:
        st_config.set_option("client.disableDataExport", value)

    yield set_to
    st_config.set_option("client.disableDataExport", before)


def test_with_export_off_browse_shows_a_typed_formula_exactly_as_typed(org, export_setting):
    export_setting(True)
    make_idea(org, title=FORMULA_TITLE)

    at = open_page(as_role("manager"), "ideas")

    assert_clean(at)
    assert FORMULA_TITLE in list(table(at, "Title")["Title"])


def test_a_server_without_the_setting_shows_the_grid_with_formulas_neutralised(org, export_setting):
    export_setting(False)  # e.g. started from another directory, so .streamlit/config.toml was not read
    make_idea(org, title=FORMULA_TITLE)
    make_idea(org, title="-1 refunds at the desk")

    at = open_page(as_role("manager"), "ideas")

    assert_clean(at)
    titles = list(table(at, "Title")["Title"])
    assert "'" + FORMULA_TITLE in titles and FORMULA_TITLE not in titles
    assert "'-1 refunds at the desk" in titles
    assert all(isinstance(n, int | float) for n in table(at, "Title")["#"]), "numbers stay numbers"
