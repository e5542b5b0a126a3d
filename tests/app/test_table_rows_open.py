"""Table rows open what they list (a selectable grid, no second list of links), and Browse ideas and
Administration download ideas in the import format (issue 21)."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pandas as pd
import pytest

from hero_app import ui
from hero_core.services import campaigns, ideas_io
from tests.app import impact_data
from tests.app.conftest import (
    all_text,
    as_role,
    assert_clean,
    make_idea,
    open_page,
    open_tab,
    plain,
    table,
)

downloads = impact_data.downloads  # the fixture: what each download button would hand the browser


def select_row(at, key: str, row: int):
    """What clicking a row of a selectable grid sends back (the grid's selection state), then the rerun."""
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def idea_links(at) -> list[str]:
    return [plain(p.proto.label) for p in at.get("page_link") if plain(p.proto.label).startswith("#")]


def on_idea_page(at, idea_id: int) -> bool:
    return dict(at.query_params) == {"id": str(idea_id)} and plain(at.title[0].value).startswith(f"#{idea_id} ·")


def test_selecting_a_row_of_browse_ideas_opens_that_idea_and_the_links_below_are_gone(org):
    older = make_idea(org, title="Pre-filled direct debit form")
    newer = make_idea(org, title="Shorter hold message")
    at = open_page(as_role("manager"), "ideas")
    assert_clean(at)
    shown = list(table(at, "Title", "Touch point")["#"])
    assert shown == [newer, older]
    assert idea_links(at) == [], "the table is the list: no second list of links"
    assert "Click a row to open the idea." in all_text(at)

    at = select_row(at, "browse_table", 1)
    assert_clean(at)
    assert on_idea_page(at, older)

    # Coming back to the list shows the list again (the old selection does not open the idea a second time).
    at = open_page(at, "ideas")
    assert_clean(at)
    assert plain(at.title[0].value) == "Browse ideas"
    at.session_state["browse_table"] = {"selection": {"rows": [], "columns": [], "cells": [[0, "Title"]]}}
    at.run()  # a click on a cell of the first row
    assert_clean(at)
    assert on_idea_page(at, newer)


def test_selecting_a_row_of_my_ideas_opens_that_idea(org):
    first = make_idea(org, title="My first idea here")
    make_idea(org, title="My second idea here")
    at = open_page(as_role("frontline"), "my-ideas")
    assert_clean(at)
    row = list(table(at, "Waiting on")["#"]).index(first)
    at = select_row(at, "my_ideas_table", row)
    assert_clean(at)
    assert on_idea_page(at, first)


def test_campaign_rows_open_the_campaign_and_its_idea_rows_open_the_idea(org):
    cid = campaigns.create_campaign(org.db, actor_id=org.executive, title="Fewer repeat calls about billing",
                                    description="Why do customers call twice?", touchpoint=None, closes_on=None,
                                    team_codes=(), target_metrics=())
    answering = make_idea(org, title="Explain the first bill", campaign_id=cid)
    at = open_page(as_role("frontline"), "campaigns")
    assert_clean(at)
    assert list(table(at, "Campaign")["#"]) == [cid]
    assert not [p for p in at.get("page_link") if plain(p.proto.label).startswith("Fewer repeat calls")], \
        "no second list of campaign links"

    at = select_row(at, "campaign_table", 0)
    assert_clean(at)
    assert dict(at.query_params) == {"id": str(cid)}
    assert plain(at.title[0].value) == "Fewer repeat calls about billing"
    assert list(table(at, "Title", "Supports")["#"]) == [answering]
    assert idea_links(at) == []

    at = select_row(at, "campaign_ideas", 0)
    assert_clean(at)
    assert on_idea_page(at, answering)


def test_a_selection_left_from_a_longer_table_opens_nothing():
    frame = pd.DataFrame({"#": [7, 9], "Title": ["a", "b"]})


    def event(*rows: int, cells=()) -> SimpleNamespace:  # the shape st.dataframe returns
        return SimpleNamespace(selection=SimpleNamespace(rows=list(rows), columns=[], cells=list(cells)))

    assert ui.selected_id(frame, event(5)) is None
    assert ui.selected_id(frame, event(1)) == 9
    assert ui.selected_id(frame, event(cells=[(0, "Title")])) == 7  # a click on a cell opens its row
    assert ui.selected_id(frame, event()) is None


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_browse_downloads_every_matching_idea_on_every_page_in_the_import_format(org, downloads):
    for n in range(27):
        make_idea(org, title=f"Idea number {n:02d}", touchpoint="website" if n % 3 == 0 else "call_centre")
    make_idea(org, submitter=org.other_frontline, title="Stores: price labels that scan")
    at = open_page(as_role("manager"), "ideas")
    assert_clean(at)
    assert len(table(at, "Title", "Touch point")) == 25  # one page shown ...
    rows = read_csv(downloads.get("ideas.csv"))
    assert len(rows) == 28  # ... every matching idea downloaded
    assert list(rows[0]) == list(ideas_io.EXPORT_COLUMNS)
    assert "Download every matching idea, on every page (drafts excepted), in the import format" in plain(
        all_text(at))

    at.multiselect(key="browse_touchpoints").select("website").run()
    rows = read_csv(downloads.get("ideas.csv"))
    assert len(rows) == 9 and {r["touchpoint"] for r in rows} == {"website"}
    assert "ideas.xlsx" in downloads.names()


@pytest.mark.parametrize("role", ["frontline", "it_champion"])
def test_people_who_may_not_export_ideas_see_no_download_on_browse(org, role):
    make_idea(org, title="Pre-filled direct debit form")
    at = open_page(as_role(role), "ideas")
    assert_clean(at)
    assert len(table(at, "Title", "Touch point")) == 1
    assert at.get("download_button") == []


def test_administration_exports_every_idea_next_to_the_import(org, downloads):
    make_idea(org, title="Pre-filled direct debit form")
    make_idea(org, submitter=org.other_frontline, title="Stores: price labels that scan")
    make_idea(org, submit=False, title="A private draft")
    at = open_tab(open_page(as_role("admin"), "admin"), "Import ideas", key="admin_tab")
    assert_clean(at)
    assert [b.proto.label for b in at.get("download_button")] == ["Export ideas"]
    rows = read_csv(downloads.get("ideas.csv"))
    assert sorted(r["title"] for r in rows) == ["Pre-filled direct debit form", "Stores: price labels that scan"]
    assert list(rows[0]) == list(ideas_io.EXPORT_COLUMNS)
