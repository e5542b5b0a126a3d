"""What people type is shown as text, downloads are formula-safe, and failures never show a traceback."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd

from hero_app import ui
from hero_core import charts, risk
from hero_core.services import ideas
from tests.app.conftest import as_role, assert_clean, errors, in_review, make_idea, open_page, open_tab

HOSTILE_TITLE = "**Bold** [click](http://evil.example) <img src=x onerror=alert(1)> :red[alarm]"


def test_downloads_neutralise_spreadsheet_formula_injection():
    df = pd.DataFrame({"Title": ["=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain"],
                       "#": [1, 2, 3, 4, 5, 6, 7]})
    rows = ui.csv_bytes(df).decode("utf-8-sig").splitlines()
    assert rows[1].startswith("'=HYPERLINK") or rows[1].startswith("\"'=HYPERLINK")
    assert all(cell.startswith(("'", "\"'")) for cell in rows[2:5])
    book = openpyxl.load_workbook(io.BytesIO(ui.xlsx_bytes(df, "ideas")))
    titles = [row[0].value for row in book.active.iter_rows(min_row=2)]
    cells = [row[0] for row in book.active.iter_rows(min_row=2)]
    assert titles[:4] == ["'=HYPERLINK(\"http://evil\")", "'+1", "'-2", "'@SUM(A1)"]
    assert titles[6] == "plain"
    assert all(c.data_type == "s" for c in cells), "no cell is stored as a formula"


def test_user_text_is_shown_literally_never_as_markup(org):
    idea_id = make_idea(org, title=HOSTILE_TITLE, roadblock="<script>alert('x')</script> and **stars**")
    at = open_page(as_role("manager"), "idea", id=idea_id)
    assert_clean(at)
    assert not at.get("html")
    assert "<script>alert('x')</script> and **stars**" in [t.value for t in at.text]
    for element in (*at.markdown, *at.title, *at.caption):
        value = element.value
        assert "<img" not in value.replace("\\<img", ""), value
        assert "](http" not in value.replace("\\]\\(http", ""), value
    assert ui.md(HOSTILE_TITLE).count("\\") >= 10


def test_an_unexpected_failure_shows_a_calm_message_and_no_traceback(org, monkeypatch):
    at = as_role("frontline")

    def broken(*args, **kwargs):
        raise RuntimeError("database exploded in an unexpected way")

    monkeypatch.setattr(ideas, "list_ideas", broken)
    open_page(at, "ideas")
    assert not at.exception
    assert errors(at) == [ui.UNEXPECTED]
    assert "exploded" not in " ".join(m.value for m in at.markdown)


def test_the_risk_matrix_chart_places_each_category_on_a_coloured_five_by_five_grid():
    ratings = [risk.Rating("customer_brand", 4, 5), risk.Rating("financial", 4, 5), risk.Rating("operational", 1, 2)]
    grid = charts.risk_grid_frame(ratings)
    assert len(grid) == 25
    high = grid[(grid.likelihood == 4) & (grid.impact == 5)].iloc[0]
    assert high.band == "high" and high.categories == "Customer / brand\nFinancial" and high.ideas == 2
    spec = charts.risk_heatmap_chart(grid, text="categories").to_dict()
    assert spec["layer"][0]["mark"]["type"] == "rect"
    assert spec["layer"][0]["encoding"]["color"]["scale"]["range"] == list(charts.BAND_COLOURS.values())
    assert json.dumps(spec).count("Customer / brand") >= 1


def test_a_submitter_sees_the_assessment_of_their_own_idea(org):
    idea_id = make_idea(org)
    in_review(org, idea_id, assessed=3)
    at = open_tab(open_page(as_role("frontline"), "idea", id=idea_id), "Risk assessment")
    assert_clean(at)
    assert {m.label: m.value for m in at.metric}["Overall risk"] == "9 (medium)"


def test_a_domain_error_raised_while_a_page_draws_is_shown_as_its_own_message(org, monkeypatch):
    from hero_core.errors import DatabaseBusy

    at = as_role("frontline")

    def busy(*args, **kwargs):
        raise DatabaseBusy()

    monkeypatch.setattr(ideas, "list_ideas", busy)
    open_page(at, "ideas")
    assert not at.exception
    assert errors(at) == [str(DatabaseBusy())]
