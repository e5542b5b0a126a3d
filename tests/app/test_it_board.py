"""The IT board: counts per column, oldest first, overdue marked; claim, plan, pilot, scale."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
from sqlalchemy import update

from hero_core.models import Idea
from hero_core.services import ideas, notifications
from tests.app import impact_data
from tests.app.conftest import all_text, approved, as_role, assert_clean, button, errors, open_page

downloads = impact_data.downloads  # the fixture: what each download button would hand the browser


def test_the_board_shows_counts_per_column_oldest_first_and_marks_overdue(org):
    older = approved(org, title="Older technology idea")
    newer = approved(org, title="Newer technology idea")
    in_build = approved(org, title="Being built")
    ideas.claim(org.db, actor_id=org.it, idea_id=in_build)
    with org.db.write() as s:
        s.execute(update(Idea).where(Idea.id == older).values(
            approved_at=org.db.now() - timedelta(days=20), it_claim_due=org.db.now() - timedelta(days=5)))
    at = open_page(as_role("it_champion"), "it-board")
    assert_clean(at)
    counts = {m.label: m.value for m in at.metric}
    assert counts["Awaiting IT"] == "2" and counts["In build"] == "1" and counts["Piloting"] == "0"
    cards = [m.value for m in at.markdown if "technology idea" in m.value]
    assert cards[0].startswith(f"**#{older}**") and cards[1].startswith(f"**#{newer}**"), "oldest first"
    assert "Overdue" in all_text(at)
    assert at.get("metric")[0].proto.delta == "1 overdue"


def test_an_it_champion_claims_plans_pilots_and_scales_an_idea(org):
    idea_id = approved(org, title="Address change in the app")
    at = open_page(as_role("it_champion"), "it-board")
    assert at.selectbox(key="board_choice").value == idea_id
    button(at, "Claim for IT").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.it, idea_id=idea_id).state == "in_build"

    k = f"board_it_{idea_id}"
    at.text_area(key=f"{k}_plan").input("Add an address form to the app; reuse the CRM API.")
    at.number_input(key=f"{k}_effort").set_value(3.5)
    at.text_area(key=f"{k}_blockers").input("Waiting for an API key.")
    button(at, "Save plan").click().run()
    assert_clean(at)
    view = ideas.get_idea(org.db, actor_id=org.it, idea_id=idea_id)
    assert (view.it_plan, view.it_effort_days, view.it_blockers) == (
        "Add an address form to the app; reuse the CRM API.", 3.5, "Waiting for an API key.")

    button(at, "Start pilot").click().run()
    assert "A pilot needs at least one pilot team and a launch date." in errors(at)[0]
    at.multiselect(key=f"{k}_pilot_teams").select("CC").select("ST")
    at.date_input(key=f"{k}_launch").set_value(date(2019, 5, 1))
    button(at, "Start pilot").click().run()
    assert errors(at) == [f"The launch date 2019-05-01 is before idea #{idea_id} was approved on "
                          f"{org.db.now().date().isoformat()}: a pilot launches on or after that day."]
    at.date_input(key=f"{k}_launch").set_value(date(2099, 1, 1))  # beyond the picker's usual ten years
    button(at, "Start pilot").click().run()
    assert "The launch date 2099-01-01 is more than a year ahead" in errors(at)[0]
    launch = org.db.now().date()
    at.date_input(key=f"{k}_launch").set_value(launch)
    button(at, "Start pilot").click().run()
    assert_clean(at)
    view = ideas.get_idea(org.db, actor_id=org.it, idea_id=idea_id)
    assert (view.state, view.pilot_team_codes, view.launch_date) == ("piloting", ("CC", "ST"), launch)

    # No target metric to measure the pilot by, and the blocker still open: the panel says so and offers an
    # override.
    assert "Start scaling" not in [b.label for b in at.button]
    warning = at.warning[-1].value
    assert warning.startswith("Not ready to scale: it names no target metric") and "open blocker" in warning
    button(at, "Scale anyway").click().run()
    assert errors(at) == ["A reason is required to scale anyway: say why the pilot's data or the blocker does "
                          "not stand in the way."]
    reason = "The API key came today; the teams asked for the roll-out before the data is in."
    at.text_area(key=f"{k}_override").input(reason)
    button(at, "Scale anyway").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.it, idea_id=idea_id).state == "scaling"
    assert ideas.timeline(org.db, actor_id=org.it, idea_id=idea_id)[-1].reason == reason
    button(at, "Mark as scaled").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.it, idea_id=idea_id).state == "scaled"
    assert {m.label: m.value for m in at.metric}["Scaled"] == "1"
    assert "No technology idea waits for IT right now." in all_text(at)
    assert any("is scaled" in n.message for n in notifications.inbox(org.db, actor_id=org.frontline))


def test_the_idea_page_lets_the_it_champion_act_too(org):
    idea_id = approved(org)
    at = open_page(as_role("it_champion"), "idea", id=idea_id)
    button(at, "Claim for IT").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.it, idea_id=idea_id).state == "in_build"
    assert "Save plan" in [b.label for b in at.button]


def test_the_board_downloads_as_csv_and_excel_with_every_card_formula_safe(org, downloads):
    waiting = approved(org, title="=Waiting for IT")
    built = approved(org, title="Being built")
    ideas.claim(org.db, actor_id=org.it, idea_id=built)
    ideas.plan_it(org.db, actor_id=org.it, idea_id=built, plan="Small change", effort_days=2.5,
                  blockers="Waiting for a test account")
    at = open_page(as_role("it_champion"), "it-board")
    assert_clean(at)
    assert [d.proto.label for d in at.get("download_button")] == ["Download CSV", "Download Excel"]
    rows = list(csv.DictReader(io.StringIO(downloads.get("it-board.csv").decode("utf-8-sig"))))
    assert [(r["Column"], r["#"], r["Title"], r["Overdue"]) for r in rows] == [
        ("Awaiting IT", str(waiting), "'=Waiting for IT", ""), ("In build", str(built), "Being built", "")]
    assert (rows[1]["IT champion"], rows[1]["Effort (days)"], rows[1]["Blockers"]) == (
        "ivan@example.com", "2.5", "Waiting for a test account")
    book = openpyxl.load_workbook(io.BytesIO(downloads.get("it-board.xlsx")))
    titles = [row[2].value for row in book.active.iter_rows(min_row=2)]
    assert titles == ["'=Waiting for IT", "Being built"]
