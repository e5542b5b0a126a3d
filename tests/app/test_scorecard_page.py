"""The compact scorecard page (executives and managers) and the email preference on the Notifications page."""

from __future__ import annotations

import pyarrow as pa
import pytest

from hero_core.services import mailer
from tests.app.conftest import (
    ALLOWED,
    NOT_IN_NAVIGATION,
    ROLES,
    all_text,
    approved,
    as_role,
    assert_clean,
    button,
    make_idea,
    open_page,
    successes,
    table,
)


def chart_rows(chart) -> list[dict]:
    return [
        row for ds in chart.proto.datasets for row in pa.ipc.open_stream(ds.data.data).read_all().to_pylist()
    ]


def test_the_parties_are_named_as_people_write_them_it_in_capitals(org):
    make_idea(org, title="Another idea from the contact centre")
    at = open_page(as_role("executive"), "scorecard")
    assert_clean(at)
    parties = [m.value for m in at.markdown if m.value in ("**Frontline**", "**Managers**", "**IT**", "**It**",
                                                           "**Everyone**")]
    assert parties == ["**Frontline**", "**Managers**", "**IT**", "**Everyone**"]


@pytest.mark.parametrize("role", sorted(ALLOWED["scorecard"]))
def test_the_scorecard_shows_each_partys_promises_per_team_with_charts(org, role):
    approved(org, title="Address change in the app")  # technology: waits for IT
    make_idea(org, title="Another idea from the contact centre")
    make_idea(org, submitter=org.other_frontline, title="An idea from the stores")
    at = open_page(as_role(role), "scorecard")
    assert_clean(at)
    assert at.title[0].value == "Compact scorecard"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Ideas submitted"] == "3"
    assert tiles["Share reaching approval"] == "33%"
    per_team = table(at, "Team", "Ideas per 100 staff")
    teams = dict(zip(per_team["Team"], per_team["Ideas submitted"], strict=True))
    assert teams == {"All teams": "3", "Contact centre": "2", "Stores": "1"}, "teams by name, not code"
    assert dict(zip(per_team["Team"], per_team["Ideas per 100 staff"], strict=True))["Stores"] == "50"
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    promises = {r["promise"] for r in chart_rows(charts[0])}
    assert "frontline: Share reaching approval" in promises
    assert len(at.get("download_button")) == 2


def test_choosing_a_measure_and_teams_redraws_the_trend(org):
    make_idea(org)
    make_idea(org, submitter=org.other_frontline, title="An idea from the stores")
    at = open_page(as_role("executive"), "scorecard")
    at.selectbox(key="scorecard_measure").select("ideas_per_100_staff").run()
    teams = at.multiselect(key="scorecard_teams")
    assert teams.options == ["All teams", "Contact centre", "Stores"], "the picker reads the teams' names"
    teams.select("ST").run()  # picked by code
    assert_clean(at)
    trend = at.get("vega_lite_chart")[1]
    assert "Ideas per 100 staff (higher is better)" in trend.proto.spec
    assert {(r["team"], r["value"]) for r in chart_rows(trend)} == {("All teams", 25.0), ("Stores", 50.0)}


def test_a_manager_sees_their_own_teams_in_the_trend_by_default(org):
    make_idea(org)
    at = open_page(as_role("manager"), "scorecard")
    assert at.multiselect(key="scorecard_teams").value == ["All teams", "CC"]


def test_an_empty_scorecard_says_there_is_nothing_to_score(org):
    at = open_page(as_role("executive"), "scorecard")
    assert_clean(at)
    assert any("nothing to score" in i.value for i in at.info)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ALLOWED["scorecard"]])
def test_the_navigation_does_not_offer_the_scorecard_to_other_roles(org, role):
    at = as_role(role)
    with pytest.raises(ValueError, match=NOT_IN_NAVIGATION):
        open_page(at, "scorecard")


# ---- the email preference (Notifications page) -------------------------------------------------------------


def test_a_person_sets_their_email_preference_on_the_inbox_page(org):
    at = open_page(as_role("frontline"), "inbox")
    assert_clean(at)
    assert "Email is not set up on this server yet" in all_text(at)
    assert at.radio(key="inbox_email_mode").value == "immediate"
    at.radio(key="inbox_email_mode").set_value("daily").run()
    button(at, "Save email preference").click().run()
    assert_clean(at)
    assert successes(at) == ["Email preference saved: mail me one daily digest."]
    assert mailer.email_mode(org.db, actor_id=org.frontline) == "daily"
    assert mailer.email_mode(org.db, actor_id=org.manager) == "immediate", "only one's own preference"


def test_the_inbox_says_nothing_about_setup_when_mail_is_configured(org, monkeypatch):
    monkeypatch.setenv("HERO_SMTP_HOST", "127.0.0.1")
    at = open_page(as_role("manager"), "inbox")
    assert_clean(at)
    assert "Email is not set up" not in all_text(at)
