"""What people read names people, teams and metrics by their names, beside the emails and codes that exports
and forms use — on SQLite and PostgreSQL. And "you" on the idea page speaks only to the idea's submitter."""

from __future__ import annotations

from hero_core.services import campaigns, ideas, notifications, recognition
from hero_core.vocab import State
from tests.integration.factories import assessment, idea_in_state, new_idea


def test_the_assessment_names_its_assessor_and_approvers(org):
    idea_id = idea_in_state(org, State.IN_REVIEW)
    ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=assessment(high=True))
    ideas.approve(org.db, actor_id=org.manager, idea_id=idea_id)
    view = ideas.get_idea(org.db, actor_id=org.other_manager, idea_id=idea_id).assessment
    assert (view.assessor_email, view.assessor_name) == ("mia@example.com", "Mia")
    assert (view.approver_emails, view.approver_names) == (("mia@example.com",), ("Mia",))
    [item] = [q for q in ideas.review_queue(org.db, actor_id=org.other_manager) if q.idea.id == idea_id]
    assert (item.first_approver_email, item.first_approver_name) == ("mia@example.com", "Mia")


def test_the_idea_names_its_team_champion_pilot_teams_and_metrics(org):
    idea_id = idea_in_state(org, State.PILOTING, tech=True)
    view = ideas.get_idea(org.db, actor_id=org.executive, idea_id=idea_id)
    assert (view.team_code, view.team_name) == ("CC", "Contact centre")
    assert (view.it_champion_email, view.it_champion_name) == ("ivan@example.com", "Ivan")
    assert (view.target_metrics, view.target_metric_names) == (("csat",), ("Customer satisfaction",))
    assert (view.pilot_team_codes, view.pilot_team_names) == (("CC",), ("Contact centre",))
    who = {(e.actor_email, e.actor_name) for e in ideas.timeline(org.db, actor_id=org.executive, idea_id=idea_id)}
    assert {("fran@example.com", "Fran"), ("mia@example.com", "Mia"), ("ivan@example.com", "Ivan")} <= who
    assert all(name for _, name in who), who


def test_what_an_idea_waits_for_says_you_only_to_its_submitter(org):
    idea_id = idea_in_state(org, State.NEEDS_CHANGES)
    assert ideas.get_idea(org.db, actor_id=org.frontline, idea_id=idea_id).waiting_on.startswith("you: make the")
    for reader in (org.manager, org.other_frontline, org.executive):
        said = ideas.get_idea(org.db, actor_id=reader, idea_id=idea_id).waiting_on
        assert said == "Fran: to make the changes asked for and resubmit", said
    submitted = idea_in_state(org, State.SUBMITTED)
    assert (ideas.get_idea(org.db, actor_id=org.frontline, idea_id=submitted).waiting_on
            == "a manager of your team to start the review")
    assert (ideas.get_idea(org.db, actor_id=org.other_manager, idea_id=submitted).waiting_on
            == "a manager of Contact centre to start the review")
    assert ideas.get_idea(org.db, actor_id=org.frontline, idea_id=new_idea(org)).waiting_on.startswith("you:")


def test_a_campaign_names_its_teams_metrics_and_author(org):
    cid = campaigns.create_campaign(org.db, actor_id=org.manager, title="Fewer repeat calls", team_codes=["ST"],
                                    target_metrics=["csat"])
    view = campaigns.get_campaign(org.db, campaign_id=cid)
    assert (view.team_codes, view.team_names) == (("ST",), ("Stores",))
    assert (view.target_metrics, view.target_metric_names) == (("csat",), ("Customer satisfaction",))
    assert (view.created_by_email, view.created_by_name) == ("mia@example.com", "Mia")


def test_the_hall_of_heroes_names_teams(org):
    idea_id = idea_in_state(org, State.SCALED)
    hall = recognition.hall_of_heroes(org.db, actor_id=org.frontline)
    [scaled] = [i for i in hall.ideas if i.idea_id == idea_id]
    assert (scaled.team_code, scaled.team_name) == ("CC", "Contact centre")
    assert scaled.proposed_by == ("Fran",)
    fran = next(h for h in hall.heroes if h.user_id == org.frontline)
    assert (fran.team_code, fran.team_name) == ("CC", "Contact centre")


def test_every_kind_of_notification_has_words():
    assert notifications.kind_label("awaiting_it") == "waiting for IT"
    assert notifications.kind_label("second_approval") == "second approval needed"
    assert notifications.kind_label("something_new") == "something new"


def test_a_follower_is_told_what_happened_without_the_submitters_thanks(org):
    from hero_core.services import social

    idea_id = idea_in_state(org, State.SCALING)
    social.set_follow(org.db, actor_id=org.other_frontline, idea_id=idea_id, following=True)
    ideas.complete_scaling(org.db, actor_id=org.it, idea_id=idea_id)
    [told] = [n.message for n in notifications.inbox(org.db, actor_id=org.other_frontline)]
    assert told == f"Idea #{idea_id} “Shorter returns form” that you follow is scaled."
    assert any(n.message.endswith("is scaled: thank you, HERO.")
               for n in notifications.inbox(org.db, actor_id=org.frontline))


def test_pulse_groups_carry_the_teams_name_beside_its_code(org):
    from hero_core.services import pulse

    for uid in (org.frontline, org.frontline_b, org.manager, org.it, org.executive):
        pulse.answer(org.db, actor_id=uid, empowered=9, unsanctioned_tools=3)
    frame = pulse.summary(org.db, actor_id=org.executive)
    assert set(zip(frame["group"], frame["group_name"], strict=True)) == {
        (pulse.WHOLE_ORGANISATION, pulse.WHOLE_ORGANISATION), ("CC", "Contact centre")}


def test_the_campaign_list_names_each_campaigns_teams(org):
    campaigns.create_campaign(org.db, actor_id=org.manager, title="Fewer repeat calls", team_codes=["ST", "CC"])
    [view] = campaigns.list_campaigns(org.db)
    assert (view.team_codes, view.team_names) == (("CC", "ST"), ("Contact centre", "Stores"))


def test_the_teams_names_by_code_for_pages_that_hold_codes(org):
    from hero_core.services import people

    assert people.team_names(org.db) == {"CC": "Contact centre", "ST": "Stores"}
    mia = next(u for u in people.list_users(org.db, actor_id=org.admin) if u.email == "mia@example.com")
    assert (mia.team_code, mia.team_name, mia.managed_team_codes) == ("CC", "Contact centre", ("CC",))
