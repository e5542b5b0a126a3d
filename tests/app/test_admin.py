"""Administration: users, roles, teams, the metric catalog and importing a CSV of ideas."""

from __future__ import annotations

import io

import pandas as pd

from hero_core.services import catalog, ideas, people
from tests.app import impact_data
from tests.app.conftest import (
    as_role,
    assert_clean,
    button,
    errors,
    login,
    open_page,
    open_tab,
    successes,
    table,
)

downloads = impact_data.downloads  # the fixture: what each download button would hand the browser

HEADER = ("title,roadblock,proposal,submitter_email,team,touchpoint,category,involves_technology,submitted_at,"
          "state,launch_date,pilot_teams,target_metrics\n")


def admin_page(tab: str = "Users"):
    """The administration page with one of its tabs open (only the open tab runs)."""
    at = open_page(as_role("admin"), "admin")
    return at if tab == "Users" else open_tab(at, tab, key="admin_tab")


def test_an_admin_adds_a_user_who_can_then_log_in(org):
    at = admin_page()
    assert_clean(at)
    assert "ada@example.com" in list(table(at, "Email", "Roles")["Email"])
    at.text_input(key="admin_new_email").input("Nia@Example.com")
    at.text_input(key="admin_new_name").input("Nia")
    at.multiselect(key="admin_new_roles").select("manager")
    at.selectbox(key="admin_new_team").select("ST")
    at.text_input(key="admin_new_password").input("nia's long password")
    button(at, "Add user").click().run()
    assert_clean(at)
    assert successes(at)[0] == "Added nia@example.com."
    assert at.text_input(key="admin_new_email").value == "", "the form is ready for the next person"
    nia = people.get_user(org.db, people.user_id_for(org.db, "nia@example.com"))
    assert (nia.roles, nia.team_code, nia.managed_team_codes) == (("frontline", "manager"), "ST", ("ST",))
    assert open_page(login("nia@example.com", "nia's long password"), "review").title[0].value == "Review queue"


def test_adding_a_user_with_a_short_password_says_what_is_wrong(org):
    at = admin_page()
    at.text_input(key="admin_new_email").input("short@example.com")
    at.text_input(key="admin_new_name").input("Short")
    at.text_input(key="admin_new_password").input("tiny")
    button(at, "Add user").click().run()
    assert_clean(at)
    assert "at least 12 characters" in errors(at)[0]


def test_adding_a_user_without_an_email_asks_for_one_and_roles_read_as_labels(org):
    at = admin_page()
    at.text_input(key="admin_new_name").input("No Email")
    at.text_input(key="admin_new_password").input("a long enough password")
    button(at, "Add user").click().run()
    assert_clean(at)
    assert errors(at) == ["an email address is required"]
    roles = table(at, "Email", "Roles")
    assert "IT champion" in list(roles["Roles"]) and "it_champion" not in " ".join(roles["Roles"])


def test_an_admin_changes_roles_and_team_deactivates_reactivates_and_resets_a_password(org):
    at = admin_page()
    at.selectbox(key="admin_user_choice").select("sam@example.com").run()
    k = f"admin_user_{org.other_frontline}"
    at.multiselect(key=f"{k}_roles").select("it_champion")
    button(at, "Save roles").click().run()
    assert_clean(at)
    assert people.get_user(org.db, org.other_frontline).roles == ("frontline", "it_champion")
    at.selectbox(key=f"{k}_team").select("CC")
    button(at, "Save team").click().run()
    assert people.get_user(org.db, org.other_frontline).team_code == "CC"
    button(at, "Deactivate").click().run()
    assert_clean(at)
    assert people.get_user(org.db, org.other_frontline).active is False
    button(at, "Reactivate").click().run()
    assert people.get_user(org.db, org.other_frontline).active is True
    at.text_input(key=f"{k}_password").input("a brand new password")
    button(at, "Reset password").click().run()
    assert_clean(at)
    assert "Password of sam@example.com reset" in successes(at)[0]
    assert people.authenticate(org.db, email="sam@example.com", password="a brand new password") == org.other_frontline


def test_an_admin_cannot_deactivate_their_own_account(org):
    at = admin_page()
    at.selectbox(key="admin_user_choice").select("ada@example.com").run()
    button(at, "Deactivate").click().run()
    assert_clean(at)
    assert "you cannot deactivate your own account" in errors(at)[0]


def test_an_admin_adds_a_team_and_names_its_managers(org):
    at = admin_page("Teams")
    at.text_input(key="admin_team_code").input("WEB")
    at.text_input(key="admin_team_name").input("Web shop")
    button(at, "Add team").click().run()
    assert_clean(at)
    assert "WEB" in [t.code for t in people.list_teams(org.db)]
    at.selectbox(key="admin_team_choice").select("WEB").run()
    team_id = next(t.id for t in people.list_teams(org.db) if t.code == "WEB")
    at.multiselect(key=f"admin_team_{team_id}_managers").select("max@example.com")
    button(at, "Save managers").click().run()
    assert_clean(at)
    assert next(t for t in people.list_teams(org.db) if t.code == "WEB").manager_emails == ("max@example.com",)
    assert "WEB" in list(table(at, "Code", "Managers")["Code"])


def test_an_admin_adds_and_changes_a_metric_in_the_catalog(org):
    at = admin_page("Metric catalog")
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Metric code"].input("repeat_calls")
    form_inputs["Metric name"].input("Repeat calls")
    form_inputs["Unit"].input("count")
    next(s for s in at.selectbox if s.label == "Better when").select("lower")
    next(s for s in at.selectbox if s.label == "Aggregation").select("sum")
    button(at, "Save metric").click().run()
    assert_clean(at)
    catalog_table = table(at, "Code", "Maximum")
    assert catalog_table.set_index("Code").loc["complaints", "Maximum"] == "", "no upper bound: empty, not None"
    saved = {m.code: m for m in catalog.list_metrics(org.db)}["repeat_calls"]
    assert (saved.name, saved.unit, saved.direction, saved.aggregation) == ("Repeat calls", "count", "lower", "sum")
    at.selectbox(key="admin_metric_choice").select("repeat_calls").run()
    next(t for t in at.text_input if t.label == "Metric name").input("Repeat contacts")
    button(at, "Save metric").click().run()
    assert {m.code: m for m in catalog.list_metrics(org.db)}["repeat_calls"].name == "Repeat contacts"


def test_an_admin_imports_a_csv_of_ideas_with_progress(org):
    csv = HEADER + (
        "Shorter hold music,Callers hang up during the long hold message.,Cut the message to ten seconds.,"
        "fran@example.com,CC,call_centre,other,no,2025-03-31,submitted,,,aht\n"
        "Price labels that scan,Stores re-key prices when labels do not scan.,Print labels with a fresh barcode.,"
        "sam@example.com,ST,face_to_face,equipment_setup,yes,2025-01-10,piloting,2025-02-03,ST,error_rate\n"
    )
    at = admin_page("Import ideas")
    at.file_uploader(key="admin_import_file").set_value(("ideas.csv", csv.encode(), "text/csv")).run()
    button(at, "Import ideas").click().run()
    assert_clean(at)
    assert successes(at)[-1].startswith("Imported 2 ideas from ideas")
    assert (at.status[0].label, at.status[0].state) == ("Imported 2 ideas", "complete")
    assert at.get("progress")
    assert ideas.list_ideas(org.db, actor_id=org.admin)[1] == 2


def test_importing_one_idea_says_one_idea(org):
    csv = HEADER + ("Shorter hold music,Callers hang up during the long hold message.,Cut the message to ten "
                    "seconds.,fran@example.com,CC,call_centre,other,no,2025-03-31,submitted,,,aht\n")
    at = admin_page("Import ideas")
    at.file_uploader(key="admin_import_file").set_value(("one.csv", csv.encode(), "text/csv")).run()
    button(at, "Import ideas").click().run()
    assert_clean(at)
    assert successes(at) == ["Imported 1 idea from one.csv."]
    assert at.status[0].label == "Imported 1 idea"
    assert at.get("progress")[0].proto.value == 100


def test_a_rejected_import_lists_the_first_fifty_row_numbered_problems_and_stores_nothing(org):
    bad_rows = "".join(
        f"Idea {n:03d},Too short,Also short,nobody@example.com,CC,call_centre,other,no,2025-03-31,submitted,,,\n"
        for n in range(30)
    )
    at = admin_page("Import ideas")
    at.file_uploader(key="admin_import_file").set_value(("bad.csv", (HEADER + bad_rows).encode(), "text/csv"))
    at.run()
    button(at, "Import ideas").click().run()
    assert_clean(at)
    message = errors(at)[0]
    assert at.status[0].state == "error"
    assert message == "60 problems found in bad.csv; nothing was stored. The first 50 are listed below."
    assert at.get("progress")[0].proto.value == 100, "the bar ends full: every row was checked"
    problems = list(table(at, "Problem")["Problem"])
    assert len(problems) == 50
    assert problems[0].startswith("row 2, column")
    unknown = next(p for p in problems if "submitter_email" in p)
    assert unknown.endswith("no user with this email; add the person first (Administration, Users tab)")
    assert not [p for p in problems if "hero users add" in p or "hero teams add" in p], "the page's words"
    assert ideas.list_ideas(org.db, actor_id=org.admin)[1] == 0


def test_only_the_open_tab_runs(org):
    def tables(at) -> list[list[str]]:
        return [list(d.value.columns) for d in at.dataframe]

    at = admin_page()
    users = ["Email", "Name", "Roles", "Team", "Manages", "Active"]
    teams = ["Code", "Name", "Managers", "Members", "Active"]
    assert users in tables(at) and teams not in tables(at)

    at = open_tab(at, "Teams", key="admin_tab")
    assert teams in tables(at) and users not in tables(at)


def test_the_users_table_shows_a_page_of_50_and_the_download_holds_everyone(org, downloads):
    for k in range(60):
        people.add_user(org.db, actor_id=None, email=f"person{k:02d}@example.com", name=f"Person {k}",
                        roles=["frontline"], team_code="ST", password="a long enough password")
    everyone = {u.email for u in people.list_users(org.db, actor_id=org.admin)}
    assert len(everyone) == 68
    at = admin_page()
    assert_clean(at)
    shown = list(table(at, "Email", "Roles")["Email"])
    assert len(shown) == 50 and set(shown) < everyone
    csv = pd.read_csv(io.BytesIO(downloads.get("users.csv")), encoding="utf-8-sig")
    assert set(csv["Email"]) == everyone and list(csv.columns) == ["Email", "Name", "Roles", "Team", "Manages",
                                                                    "Active", "Team code", "Manages (codes)"]
    person = csv[csv["Email"] == "person07@example.com"].iloc[0]
    assert (person["Team"], person["Team code"]) == ("Stores", "ST"), "the name to read, the code for imports"
