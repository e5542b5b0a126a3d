"""The Hall of HEROs and badges: each badge rule, the people behind scaled ideas, their impact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hero_core.errors import PermissionDenied
from hero_core.models import AuditEntry, Comment, IdeaMerge, IdeaSupport
from hero_core.services import help, people, recognition
from hero_core.vocab import State
from tests.impact.factories import AHT_TEAMS, LAUNCH, add_teams, launched_idea, store_daily, synthetic_daily
from tests.integration.factories import idea_in_state, new_idea
from tests.integration.test_help import ask, setup_help

T = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def badges(org, user_id, viewer=None) -> set[str]:
    return {b.code for b in recognition.badges_of(org.db, actor_id=viewer or org.frontline, user_id=user_id)}


def support(org, idea_id, user_id):
    with org.db.write() as s:
        s.add(IdeaSupport(idea_id=idea_id, user_id=user_id, created_at=T))


def comment(org, idea_id, user_id, *, deleted=False):
    with org.db.write() as s:
        s.add(
            Comment(
                idea_id=idea_id,
                author_id=user_id,
                body="Same here on Mondays.",
                created_at=T,
                deleted_at=T + timedelta(minutes=3) if deleted else None,
            )
        )


def measured(
    org, *, effect: float, state: str = "scaled", submitter=None, title="Shorter wrap-up form"
) -> int:
    """A launched idea of team T0 (pilots T0, T1) with 17 weeks of AHT data either side and a known effect."""
    if "T0" not in {t.code for t in people.list_teams(org.db)}:
        add_teams(org.db, AHT_TEAMS)
        store_daily(org.db, synthetic_daily(effect=effect))
    return launched_idea(
        org.db,
        submitter_id=submitter or org.frontline,
        team_code="T0",
        pilots=("T0", "T1"),
        metrics=("aht",),
        state=state,
        title=title,
        milestones={"scaled_at": T} if state == "scaled" else None,
    )


def test_the_badge_rules_are_one_table_with_words_for_each():
    assert [b.code for b in recognition.BADGES] == [
        "first_idea",
        "helped_colleague",
        "solved_roadblock",
        "first_scaled",
        "measured_improvement",
    ]
    assert all(b.rule and b.name for b in recognition.BADGES)


def test_an_empty_organisation_has_an_empty_hall_that_everyone_may_see(org):
    for viewer in (org.frontline, org.manager, org.it, org.executive, org.admin):
        hall = recognition.hall_of_heroes(org.db, actor_id=viewer)
        assert hall.ideas == () and hall.heroes == ()


def test_a_deactivated_person_may_not_open_the_hall(org):
    people.set_active(org.db, actor_id=None, email="fran@example.com", active=False)
    with pytest.raises(PermissionDenied):
        recognition.hall_of_heroes(org.db, actor_id=org.frontline)


def test_first_idea_is_earned_by_submitting_not_by_a_draft(org):
    new_idea(org)
    assert badges(org, org.frontline) == set()
    idea_in_state(org, State.SUBMITTED)
    assert badges(org, org.frontline) == {"first_idea"}


def test_supporting_or_commenting_on_a_colleagues_idea_earns_helped_a_colleague(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    support(org, idea_id, org.frontline_b)
    comment(org, idea_id, org.other_frontline)
    assert "helped_colleague" in badges(org, org.frontline_b)
    assert "helped_colleague" in badges(org, org.other_frontline)


def test_help_on_ones_own_idea_a_deleted_comment_or_a_draft_earns_nothing(org):
    mine = idea_in_state(org, State.SUBMITTED)
    support(org, mine, org.frontline)
    comment(org, mine, org.frontline)
    draft = new_idea(org, submitter=org.frontline_b, title="A private draft")
    support(org, draft, org.frontline)
    comment(org, mine, org.other_frontline, deleted=True)
    assert "helped_colleague" not in badges(org, org.frontline)
    assert badges(org, org.other_frontline) == set()


def test_first_scaled_is_earned_when_an_idea_is_scaled_and_not_before(org):
    idea_in_state(org, State.SCALING)
    assert "first_scaled" not in badges(org, org.frontline)
    scaled = idea_in_state(org, State.SCALED)
    assert "first_scaled" in badges(org, org.frontline)
    hall = recognition.hall_of_heroes(org.db, actor_id=org.other_frontline)
    assert [i.idea_id for i in hall.ideas] == [scaled]
    entry = hall.ideas[0]
    assert entry.proposed_by == ("Fran",)
    assert entry.approved_by == ("Mia",)
    assert entry.team_code == "CC"


def test_the_it_champion_who_built_a_scaled_idea_is_named(org):
    scaled = idea_in_state(org, State.SCALED, tech=True)
    hall = recognition.hall_of_heroes(org.db, actor_id=org.frontline)
    assert [(i.idea_id, i.built_by) for i in hall.ideas] == [(scaled, "Ivan")]


def test_a_scaled_idea_shows_the_estimators_measured_effect_and_earns_measured_improvement(org):
    idea_id = measured(org, effect=-25.0)
    hall = recognition.hall_of_heroes(org.db, actor_id=org.frontline_b)
    (entry,) = hall.ideas
    (effect,) = entry.effects
    assert entry.idea_id == idea_id and entry.launch_date == LAUNCH
    assert (effect.metric, effect.metric_name, effect.verdict) == ("aht", "Average handle time", "improved")
    assert effect.ci_low < effect.effect < effect.ci_high < 0
    assert abs(effect.effect - (-25.0)) < 6
    assert entry.improved
    assert badges(org, org.frontline) == {"first_idea", "first_scaled", "measured_improvement"}
    hero = next(h for h in hall.heroes if h.user_id == org.frontline)
    earned = {b.code: b.earned_at for b in hero.badges}
    assert earned["measured_improvement"].date() == LAUNCH


def test_a_piloting_idea_that_improved_earns_the_badge_but_is_not_in_the_hall_yet(org):
    measured(org, effect=-25.0, state="piloting")
    assert "measured_improvement" in badges(org, org.frontline)
    assert recognition.hall_of_heroes(org.db, actor_id=org.frontline).ideas == ()


@pytest.mark.parametrize("effect", [0.0, 25.0])
def test_no_clear_change_or_a_worsening_earns_no_measured_improvement(org, effect):
    measured(org, effect=effect)
    (entry,) = recognition.hall_of_heroes(org.db, actor_id=org.frontline).ideas
    assert entry.effects[0].verdict in ("no clear change", "worsened")
    assert not entry.improved
    assert "measured_improvement" not in badges(org, org.frontline)


def test_an_idea_that_improves_one_target_metric_but_worsens_another_earns_no_measured_improvement(org):
    add_teams(org.db, AHT_TEAMS)
    store_daily(org.db, synthetic_daily(effect=-25.0))  # handle time down: better
    store_daily(org.db, synthetic_daily(effect=-0.5, org_shift=0.0, base=3.5, noise=0.1, metric="csat"))  # worse
    launched_idea(org.db, submitter_id=org.frontline, team_code="T0", pilots=("T0", "T1"), metrics=("aht", "csat"),
                  state="scaled", title="Rushed calls", milestones={"scaled_at": T})

    (entry,) = recognition.hall_of_heroes(org.db, actor_id=org.frontline).ideas
    assert sorted(e.verdict for e in entry.effects) == ["improved", "worsened"]
    assert not entry.improved
    assert "measured_improvement" not in badges(org, org.frontline)


def test_a_merge_credits_the_duplicates_submitter_until_an_admin_undoes_it(org):
    original = idea_in_state(org, State.SCALED)
    duplicate = new_idea(org, submitter=org.other_frontline, title="Returns form is too long")
    with org.db.write() as s:
        merge = IdeaMerge(duplicate_id=duplicate, original_id=original, merged_by=org.manager, merged_at=T)
        s.add(merge)
    hall = recognition.hall_of_heroes(org.db, actor_id=org.frontline)
    assert hall.ideas[0].proposed_by == ("Fran", "Sam")
    assert "first_scaled" in badges(org, org.other_frontline)
    with org.db.write() as s:
        s.get(IdeaMerge, merge.id).undone_at = T + timedelta(days=1)
    assert recognition.hall_of_heroes(org.db, actor_id=org.frontline).ideas[0].proposed_by == ("Fran",)
    assert "first_scaled" not in badges(org, org.other_frontline)


def test_heroes_are_listed_most_badges_first(org):
    idea_in_state(org, State.SCALED)
    idea_id = idea_in_state(org, State.SUBMITTED)
    support(org, idea_id, org.frontline_b)
    hall = recognition.hall_of_heroes(org.db, actor_id=org.executive)
    assert [(h.name, len(h.badges)) for h in hall.heroes] == [("Fran", 2), ("Frank", 1)]
    assert [b.code for b in hall.heroes[0].badges] == ["first_idea", "first_scaled"]


def test_the_data_version_moves_with_audited_changes_imports_and_idea_updates(org):
    from hero_core.services.data_version import data_version

    first = data_version(org.db)
    assert data_version(org.db) == first, "reading changes nothing"
    idea_id = idea_in_state(org, State.SUBMITTED)
    second = data_version(org.db)
    assert second != first
    add_teams(org.db, ["T9"])
    third = data_version(org.db)
    assert third != second  # creating a team is audited
    store_daily(org.db, synthetic_daily(teams=("T9",), pilots=(), days_before=3, days_after=3))
    assert data_version(org.db) != third  # observations written without an audit entry still count
    assert idea_id


def test_signing_in_and_out_moves_no_data_version_but_a_comment_does(org):
    """Every sign-in is audited; none of them changes a read model, so none throws the caches away."""
    from hero_core import cache
    from hero_core.services import impact_views, sessions, social
    from hero_core.services.data_version import data_version

    idea_id = idea_in_state(org, State.SUBMITTED)
    with org.db.read() as s:
        head = cache.data_version(s)
    before = (head, data_version(org.db), impact_views.data_version(org.db))
    token = sessions.create(org.db, user_id=org.manager)
    sessions.revoke(org.db, token)
    with org.db.read() as s:
        assert s.execute(select(func.max(AuditEntry.seq))).scalar() > head[0]  # both were audited
        assert (cache.data_version(s), data_version(org.db), impact_views.data_version(org.db)) == before
    social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body="Same here.")
    with org.db.read() as s:
        after = (cache.data_version(s), data_version(org.db), impact_views.data_version(org.db))
    assert all(a != b for a, b in zip(after, before, strict=True))


def test_an_answer_the_asker_marks_as_solving_their_roadblock_earns_solved_a_roadblock(org):
    coach = setup_help(org)
    asked = ask(org)
    answered = help.answer(org.db, actor_id=coach, request_id=asked, body="Edit, then Address, then Save.")
    mine = ask(org, who=org.frontline_b, question="Where is the refund button in the CRM?")
    own = help.answer(org.db, actor_id=org.frontline_b, request_id=mine, body="Found it: under Payments.")
    assert "solved_roadblock" not in badges(org, coach)  # answered, not yet marked as the solution
    help.mark_solved(org.db, actor_id=org.frontline, request_id=asked, answer_id=answered)
    help.mark_solved(org.db, actor_id=org.frontline_b, request_id=mine, answer_id=own)
    assert "solved_roadblock" in badges(org, coach)
    assert "solved_roadblock" not in badges(org, org.frontline_b)  # one's own question does not count
    credits = {c.user_id: c.solved for c in help.helping_credits(org.db, actor_id=org.frontline)}
    assert credits.get(coach) == 1 and not credits.get(org.frontline_b)
