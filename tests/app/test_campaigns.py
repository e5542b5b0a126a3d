"""The Campaigns page: the list, posting a challenge (managers and executives), a campaign's own page with
its ideas, and answering it from Propose an idea."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hero_core.services import campaigns
from tests.app.conftest import (
    ROLES,
    all_text,
    as_role,
    assert_clean,
    errors,
    make_idea,
    open_page,
    plain,
    successes,
    table,
)
from tests.app.test_propose import fill


def post(org, **extra):
    values = dict(title="Fewer repeat calls about billing", description="Why do customers call us twice?",
                  touchpoint="call_centre", closes_on=org.db.now().date() + timedelta(days=30), team_codes=["CC"])
    values.update(extra)
    return campaigns.create_campaign(org.db, actor_id=org.manager, **values)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_campaigns_and_only_managers_executives_and_admins_may_post(org, role):
    post(org)
    at = open_page(as_role(role), "campaigns")
    assert_clean(at)
    shown = table(at, "Campaign", "Status")
    assert list(shown["Campaign"]) == ["Fewer repeat calls about billing"]
    assert list(shown["Status"]) == ["open"]
    may_post = role in {"manager", "executive", "admin"}
    assert bool([e for e in at.expander if e.label == "Post a challenge"]) is may_post


def test_a_manager_posts_a_challenge_through_the_form(org):
    at = open_page(as_role("manager"), "campaigns")
    at.text_input(key="campaign_title").input("Stores: shorter queues at returns")
    at.text_area(key="campaign_description").input("Returns queues are long on Saturdays.")
    at.selectbox(key="campaign_touchpoint").select("face_to_face")
    at.multiselect(key="campaign_teams").set_value(["ST"])
    at.multiselect(key="campaign_metrics").set_value(["csat"])
    next(b for b in at.form_submit_button if b.label == "Post the challenge").click().run()
    assert_clean(at)
    [view] = campaigns.list_campaigns(org.db)
    assert successes(at) == [f"Campaign #{view.id} is posted: ideas can answer it now."]
    assert (view.title, view.touchpoint, view.team_codes, view.target_metrics) == (
        "Stores: shorter queues at returns", "face_to_face", ("ST",), ("csat",))
    assert at.text_input(key="campaign_title").value == "", "the form is emptied for the next challenge"


def test_a_challenge_with_problems_is_refused_with_every_reason(org):
    at = open_page(as_role("executive"), "campaigns")
    at.text_input(key="campaign_title").input("Hi")
    at.date_input(key="campaign_closes_on").set_value(org.db.now().date() - timedelta(days=2))
    next(b for b in at.form_submit_button if b.label == "Post the challenge").click().run()
    assert_clean(at)
    text = " ".join(errors(at))
    assert "campaign title must be at least 5 characters" in text and "is in the past" in text
    assert campaigns.list_campaigns(org.db) == []


def test_a_campaign_page_lists_its_ideas_and_offers_to_answer_it(org):
    cid = post(org)
    answering = make_idea(org, title="Explain the first bill", campaign_id=cid)
    make_idea(org, title="Not in the campaign")
    at = open_page(as_role("frontline"), "campaigns", id=cid)
    assert_clean(at)
    assert plain(at.title[0].value) == "Fewer repeat calls about billing"
    assert list(table(at, "Title", "Supports")["#"]) == [answering]
    links = [p.proto for p in at.get("page_link")]
    answer = [p for p in links if p.label == "Answer this campaign with an idea"]
    assert answer, [p.label for p in links]
    # Following the link: the campaign is chosen on the propose form, and the idea answers it.
    at = open_page(at, "submit", campaign=cid)
    assert at.selectbox(key="propose_campaign_id").value == cid
    fill(at)
    next(b for b in at.button if b.label == "Submit for review").click().run()
    assert_clean(at)
    assert campaigns.get_campaign(org.db, campaign_id=cid).ideas == 2


def test_a_campaign_for_other_teams_is_not_offered_to_answer(org):
    cid = post(org, team_codes=["ST"])
    at = open_page(as_role("frontline"), "campaigns", id=cid)
    assert_clean(at)
    assert "addressed to other teams than yours" in all_text(at)
    assert "Answer this campaign with an idea" not in [p.proto.label for p in at.get("page_link")]


def test_an_unknown_campaign_says_so(org):
    at = open_page(as_role("frontline"), "campaigns", id=77)
    assert_clean(at)
    assert errors(at) == ["There is no campaign #77."]
    at = open_page(at, "campaigns", id="abc")
    assert errors(at) == ["There is no campaign abc."]


def test_a_closed_campaign_is_not_offered_on_the_propose_form(org):
    real_now = org.db.now()
    org.db.clock = lambda: real_now - timedelta(days=60)  # posted two months ago, closed a month ago
    closed = post(org, title="Last quarter's challenge", closes_on=real_now.date() - timedelta(days=30))
    org.db.clock = lambda: real_now
    open_one = post(org, title="This quarter's challenge")
    at = open_page(as_role("frontline"), "submit")
    assert_clean(at)
    assert at.selectbox(key="propose_campaign_id").options == ["This quarter's challenge"]
    at = open_page(at, "campaigns")
    assert dict(zip(table(at, "Campaign", "Status")["#"], table(at, "Campaign", "Status")["Status"],
                    strict=True)) == {closed: "closed", open_one: "open"}
