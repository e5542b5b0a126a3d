"""What people read on the pages names people, teams and metrics (never an email as a name, a team or metric
code), and "you" speaks only to the person meant — through the real app (AppTest)."""

from __future__ import annotations

from hero_core.services import campaigns, ideas
from hero_core.vocab import State
from tests.app.conftest import all_text as raw_text
from tests.app.conftest import as_role, assert_clean, make_idea, md_table, open_page, open_tab, plain, table
from tests.app.test_scorecard_page import chart_rows
from tests.integration.factories import idea_in_state


def all_text(at) -> str:
    return plain(raw_text(at))


def test_the_idea_page_names_the_team_champion_metrics_and_who_did_what(org):
    idea_id = idea_in_state(org, State.PILOTING, tech=True)
    at = open_page(as_role("executive"), "idea", id=idea_id)
    assert_clean(at)
    text = all_text(at)
    assert "Team **Contact centre**" in text and "Team **CC**" not in text
    assert "Customer metrics it should move: **Customer satisfaction**" in text and "**csat**" not in text
    who = set(md_table(at, "Who")["Who"])
    assert {"Fran", "Mia", "Ivan"} <= who and not [w for w in who if "@" in w], who
    open_tab(at, "IT plan")
    assert "**IT champion:** Ivan" in all_text(at)


def test_what_the_idea_waits_for_says_you_only_to_its_submitter(org):
    idea_id = idea_in_state(org, State.NEEDS_CHANGES)
    mine = open_page(as_role("frontline"), "idea", id=idea_id)
    assert "waiting on: you: make the changes" in all_text(mine)
    theirs = open_page(as_role("manager"), "idea", id=idea_id)
    assert_clean(theirs)
    assert "waiting on: Fran: to make the changes" in all_text(theirs)
    assert "waiting on: you" not in all_text(theirs)


def test_a_campaign_names_its_metrics_teams_and_author(org):
    cid = campaigns.create_campaign(org.db, actor_id=org.manager, title="Fewer repeat calls", team_codes=["CC"],
                                    target_metrics=["csat"])
    at = open_page(as_role("frontline"), "campaigns", id=cid)
    assert_clean(at)
    text = all_text(at)
    assert "Customer metrics it should move: **Customer satisfaction**" in text
    assert "teams **Contact centre**" in text and "Posted by Mia" in text and "mia@example.com" not in text


def test_the_hall_of_heroes_names_teams_and_the_inbox_names_kinds(org):
    idea_id = idea_in_state(org, State.SCALED, tech=True)
    at = open_page(as_role("frontline"), "heroes")
    assert_clean(at)
    assert "Team Contact centre · launched" in all_text(at)
    inbox = open_page(as_role("it_champion"), "inbox")
    assert_clean(inbox)
    assert "waiting for IT" in all_text(inbox) and "awaiting it" not in all_text(inbox)
    assert ideas.get_idea(org.db, actor_id=org.it, idea_id=idea_id).state == "scaled"


def test_the_it_board_names_the_champion_and_the_team(org):
    idea_id = idea_in_state(org, State.IN_BUILD, tech=True)
    at = open_page(as_role("it_champion"), "it-board")
    assert_clean(at)
    captions = [c.value for c in at.caption]
    assert "Champion: Ivan" in captions and not [c for c in captions if "ivan@example.com" in c]
    assert any(c.endswith("· team Contact centre") for c in captions), captions
    assert ideas.get_idea(org.db, actor_id=org.it, idea_id=idea_id).state == "in_build"


def test_the_sidebar_names_the_persons_team(org):
    at = as_role("frontline")
    assert_clean(at)
    caption = plain(" ".join(c.value for c in at.sidebar.caption))
    assert "frontline · team Contact centre" in caption and "team CC" not in caption


def test_the_home_page_does_not_tell_a_manager_that_they_propose_the_fixes(org):
    at = as_role("manager")
    assert_clean(at)
    assert "the front line proposes fixes" in all_text(at) and "you propose fixes" not in all_text(at)


def test_the_funnel_table_shows_a_dash_not_none_where_a_stage_has_no_time(org):
    idea_in_state(org, State.SCALED, tech=True)
    at = open_tab(open_page(as_role("executive"), "impact"), "Funnel and stage times", key="impact_tab")
    assert_clean(at)
    [stages] = [f.value for f in at.dataframe if "Median days in stage" in f.value.columns]
    scaled = stages[stages["Stage"] == "Scaled"].iloc[0]
    assert (scaled["Median days in stage"], scaled["Ideas that moved on"]) == ("–", "–")
    assert not stages.isna().any().any()


# ---- teams by name wherever people read them (issue 21); codes stay where a machine reads them -----------------


def test_the_scorecard_names_teams_in_its_table_picker_and_trend(org):
    idea_in_state(org, State.SUBMITTED)
    at = open_page(as_role("executive"), "scorecard")
    assert_clean(at)
    per_team = table(at, "Team", "Staff")
    assert set(per_team["Team"]) == {"All teams", "Contact centre"}
    picker = at.multiselect(key="scorecard_teams")
    assert picker.options == ["All teams", "Contact centre"]
    picker.select("CC").run()
    trend = at.get("vega_lite_chart")[1]
    assert {r["team"] for r in chart_rows(trend)} == {"All teams", "Contact centre"}, "the legend names the team"


def test_the_impact_table_and_team_filter_name_the_teams(org):
    idea_in_state(org, State.PILOTING, tech=True)
    at = open_page(as_role("executive"), "impact")
    assert_clean(at)
    portfolio = table(at, "Team", "Idea")
    assert set(portfolio["Team"]) == {"Contact centre"}
    options = at.multiselect(key="impact_teams").options
    assert "Contact centre" in options and "Stores" in options and not [o for o in options if "CC" in o]


def test_pulse_groups_are_teams_by_name(org):
    from tests.app.test_pulse_page import answer_all

    answer_all(org, [org.frontline, org.frontline_b, org.manager, org.it, org.executive])
    at = open_page(as_role("executive"), "pulse")
    assert_clean(at)
    groups = set(table(at, "Group", "Answers")["Group"])
    assert groups == {"Whole organisation", "Contact centre"}
    assert at.selectbox(key="pulse_group").options == ["Whole organisation", "Contact centre"]


def test_the_campaigns_list_and_its_team_picker_name_the_teams(org):
    campaigns.create_campaign(org.db, actor_id=org.manager, title="Fewer repeat calls", team_codes=["ST", "CC"])
    at = open_page(as_role("manager"), "campaigns")
    assert_clean(at)
    assert list(table(at, "Campaign", "Teams")["Teams"]) == ["Contact centre, Stores"]
    assert at.multiselect(key="campaign_teams").options == ["Contact centre", "Stores"]


def test_administration_names_teams_and_managers_in_its_tables(org):
    at = open_page(as_role("admin"), "admin")
    assert_clean(at)
    users = table(at, "Email", "Team", "Manages").set_index("Email")
    assert (users.loc["mia@example.com", "Team"], users.loc["mia@example.com", "Manages"]) == (
        "Contact centre", "Contact centre")
    assert at.selectbox(key="admin_new_team").options == ["Contact centre (CC)", "Stores (ST)"]
    at = open_tab(at, "Teams", key="admin_tab")
    assert_clean(at)
    teams = table(at, "Code", "Name", "Managers").set_index("Code")
    assert teams.loc["CC", "Name"] == "Contact centre" and "@" not in teams.loc["CC", "Managers"]
    assert "Mia" in teams.loc["CC", "Managers"]


def test_my_ideas_and_similar_ideas_name_teams_not_codes(org):
    make_idea(org, title="Pre-filled direct debit form for new customers")
    at = open_page(as_role("frontline"), "my-ideas")
    grids = [d.value for d in at.dataframe]
    assert any("Team" in g.columns and list(g["Team"]) == ["Contact centre"] for g in grids), grids
    at = open_page(as_role("frontline"), "submit")
    at.text_input(key="similar_query").input("direct debit form").run()
    links = " ".join(str(p.proto.label) for p in at.get("page_link"))
    assert "Contact centre" in links and "team CC" not in links, links
