"""The Hall of HEROs page: scaled ideas, measured impact, the people behind them, badges; for everyone."""

from __future__ import annotations

import pytest

from hero_core.models import IdeaSupport
from hero_core.services import ideas, recognition
from tests.app.conftest import (
    ROLES,
    all_text,
    approved,
    as_role,
    assert_clean,
    make_idea,
    open_page,
    plain,
    table,
)
from tests.impact.factories import AHT_TEAMS, AT, add_teams, launched_idea, store_daily, synthetic_daily


def scaled(org, title="Greeting script for billing calls") -> int:
    idea_id = approved(org, tech=False, title=title)
    ideas.start_pilot(
        org.db, actor_id=org.manager, idea_id=idea_id, pilot_team_codes=["CC"], launch_date=org.db.now().date()
    )
    ideas.start_scaling(org.db, actor_id=org.manager, idea_id=idea_id,
                        override_reason="Scaled in a test: the pilot's data is not what it is about.")
    ideas.complete_scaling(org.db, actor_id=org.manager, idea_id=idea_id)
    return idea_id


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_open_the_hall_and_see_a_scaled_idea_with_its_people(org, role):
    idea_id = scaled(org)
    at = open_page(as_role(role), "heroes")
    assert_clean(at)
    assert at.title[0].value == "Hall of HEROs"
    links = [p.proto.label for p in at.get("page_link")]
    assert any(plain(label) == f"#{idea_id} · Greeting script for billing calls" for label in links)
    assert "Proposed by Fran; approved by Mia" in all_text(at)
    board = table(at, "Person", "Badges")
    assert list(board["Person"]) == ["Fran"]
    assert board.iloc[0]["First scaled"] == "✔"


def test_the_submitter_sees_their_own_badges_and_others_are_invited_to_earn_one(org):
    scaled(org)
    at = open_page(as_role("frontline"), "heroes")
    assert ("Your badges: :material/lightbulb: First idea · :material/rocket_launch: First scaled"
            in [s.value for s in at.success])
    at = open_page(as_role("it_champion"), "heroes")
    assert any("You have no badge yet" in i.value for i in at.info)


def test_helping_a_colleague_shows_on_the_badge_board(org):
    idea_id = make_idea(org)
    with org.db.write() as s:
        s.add(IdeaSupport(idea_id=idea_id, user_id=org.manager, created_at=org.db.now()))
    at = open_page(as_role("manager"), "heroes")
    assert_clean(at)
    assert "Your badges: :material/handshake: Helped a colleague" in [s.value for s in at.success]
    board = table(at, "Person", "Badges")
    assert dict(zip(board["Person"], board["Helped a colleague"], strict=True)) == {"Fran": "", "Mia": "✔"}


def test_a_scaled_idea_shows_its_measured_effect_from_the_estimator(org):
    add_teams(org.db, AHT_TEAMS)
    store_daily(org.db, synthetic_daily(effect=-25.0))
    launched_idea(
        org.db,
        submitter_id=org.frontline,
        team_code="T0",
        pilots=("T0", "T1"),
        metrics=("aht",),
        state="scaled",
        title="Shorter wrap-up form",
        milestones={"scaled_at": AT},
    )
    at = open_page(as_role("executive"), "heroes")
    assert_clean(at)
    effects = table(at, "Metric", "Verdict", "Effect")
    assert list(effects["Metric"]) == ["Average handle time"] and list(effects["Verdict"]) == ["improved"]
    assert -31 < effects.iloc[0]["Effect"] < -19
    assert "measured improvement" in all_text(at)


def test_an_empty_hall_says_how_ideas_get_there_and_lists_the_badge_rules(org):
    at = open_page(as_role("frontline"), "heroes")
    assert_clean(at)
    assert any("No idea has been scaled yet" in i.value for i in at.info)
    rules = table(at, "Badge", "Earned when someone…")
    assert list(rules["Badge"]) == [b.name for b in recognition.BADGES] and len(rules) == 5
    assert "Nobody has earned a badge yet." in all_text(at)


def test_the_hall_is_recomputed_as_soon_as_an_idea_is_scaled(org):
    at = open_page(as_role("frontline"), "heroes")
    assert any("No idea has been scaled yet" in i.value for i in at.info)
    idea_id = scaled(org)
    at.run()
    assert_clean(at)
    assert any(plain(p.proto.label).startswith(f"#{idea_id} ·") for p in at.get("page_link"))
