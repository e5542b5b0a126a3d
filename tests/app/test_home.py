"""Home answers "what should I do now?" for each role, and links each item to the page where it is done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from hero_core.models import Idea
from hero_core.services import campaigns, ideas, ideas_io
from tests.app.conftest import (
    ROLES,
    all_text,
    approved,
    as_role,
    assert_clean,
    idea_input,
    in_review,
    make_idea,
    plain,
)

SECTIONS = {
    "Your ideas that need you": {"frontline"},
    "Open campaigns for your team": {"frontline"},
    "Your team's recent wins": {"frontline"},
    "Your calls for help": {"frontline"},
    "Job aids for your team": {"frontline"},
    "Waiting on your review": {"manager", "admin"},
    "Ready for IT to claim": {"it_champion"},
    "Your pilots": {"it_champion"},
    "Impact this quarter": {"executive"},
    "Recent imports": {"admin"},
}


def links(at) -> dict[str, tuple[str, dict]]:
    """Each link of the page: label -> (URL path of the page, query parameters)."""
    out = {}
    for element in at.main.get("page_link"):
        proto = element.proto
        query = dict(kv.split("=", 1) for kv in proto.query_string.split("&") if kv)
        out[plain(proto.label)] = (proto.page, query)
    return out


def text(at) -> str:
    return plain(all_text(at))


def set_state(org, idea_id: int, **values) -> None:
    """Put an idea where a test needs it (the launch and scaling rules are tested where they live)."""
    with org.db.write() as s:
        s.execute(update(Idea).where(Idea.id == idea_id).values(**values))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_own_questions_and_no_copy_of_the_menu(org, role):
    at = as_role(role)
    assert_clean(at)
    headings = [h.value for h in at.subheader]
    assert headings == [h for h, who in SECTIONS.items() if role in who], headings
    shown = links(at)
    assert "Browse ideas" not in shown and "Your account" not in shown, "the sidebar is not copied onto the page"
    assert "None" not in text(at)


def test_frontline_sees_the_ideas_that_need_them_open_campaigns_and_the_team_s_wins(org):
    draft = make_idea(org, submit=False, title="A draft of mine")
    sent_back = make_idea(org, title="Needs another look")
    in_review(org, sent_back)
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=sent_back, reason="Say how often it happens")
    make_idea(org, title="Waiting for the manager")  # waits on the manager, not on me
    campaign = campaigns.create_campaign(org.db, actor_id=org.executive, title="Fewer repeat calls",
                                         team_codes=["CC"])
    campaigns.create_campaign(org.db, actor_id=org.executive, title="Only for the stores", team_codes=["ST"])
    win = make_idea(org, submitter=org.frontline_b, title="Callback slots that customers pick")
    set_state(org, win, state="scaled", scaled_at=org.db.now() - timedelta(days=3))
    old_win = make_idea(org, title="Scaled long ago")
    set_state(org, old_win, state="scaled", scaled_at=org.db.now() - timedelta(days=400))
    other_team = ideas.create_idea(org.db, actor_id=org.other_frontline, data=idea_input("Stores' own win"),
                                   submit=True)
    set_state(org, other_team, state="scaled", scaled_at=org.db.now())

    at = as_role("frontline")
    assert_clean(at)
    shown = links(at)
    mine = [label for label in shown if (label.startswith("#") and "sent back" in label) or "draft:" in label]
    assert mine == [f"#{sent_back} · Needs another look — sent back: make the changes asked for and resubmit",
                    f"#{draft} · A draft of mine — draft: finish and submit it"]
    assert shown[mine[0]] == ("idea", {"id": str(sent_back)})
    assert shown["Fewer repeat calls"] == ("campaigns", {"id": str(campaign)})
    assert "Only for the stores" not in shown, "a campaign for another team is not mine to answer"
    wins = [label for label in shown if "scaled" in label]
    assert len(wins) == 1 and wins[0].startswith(f"#{win} · Callback slots that customers pick — scaled ")
    assert "Propose a new idea" in shown and "All my ideas" in shown


def test_a_manager_sees_what_waits_on_their_review_with_due_dates_and_the_overdue_count(org):
    late = make_idea(org, title="An idea that waited too long")
    with org.db.write() as s:
        s.execute(update(Idea).where(Idea.id == late).values(
            submitted_at=org.db.now() - timedelta(days=14), review_start_due=org.db.now() - timedelta(days=7)))
    fresh = make_idea(org, title="A fresh idea")
    ideas.create_idea(org.db, actor_id=org.other_frontline, data=idea_input("Another team's idea"), submit=True)

    at = as_role("manager")
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Waiting on you"] == "2" and metrics["Overdue"] == "1"
    shown = links(at)
    queued = [label for label in shown if label.startswith("#")]
    assert queued[0].startswith(f"#{late} · An idea that waited too long — due ") and queued[0].endswith("(OVERDUE)")
    assert queued[1].startswith(f"#{fresh} · A fresh idea — due ") and queued[1].endswith("(on time)")
    assert shown["Open the review queue"][0] == "review"


def test_an_it_champion_sees_what_to_claim_and_their_own_pilots(org):
    waiting = approved(org, title="Self-service address change")
    mine = approved(org, title="Chatbot for opening hours")
    ideas.claim(org.db, actor_id=org.it, idea_id=mine)
    at = as_role("it_champion")
    assert_clean(at)
    assert {m.label: m.value for m in at.metric}["Waiting to be claimed"] == "1"
    shown = links(at)
    assert any(label.startswith(f"#{waiting} · Self-service address change — approved ") for label in shown)
    assert f"#{mine} · Chatbot for opening hours — In build" in shown
    assert shown["Claim on the IT board"][0] == "it-board"


def test_an_executive_sees_the_ideas_launched_this_quarter(org):
    launched = approved(org, title="Self-service address change")
    set_state(org, launched, state="piloting", launch_date=org.db.now().date(), piloted_at=org.db.now())
    earlier = approved(org, title="Launched last year")
    set_state(org, earlier, state="piloting", launch_date=org.db.now().date() - timedelta(days=400))
    at = as_role("executive")
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    launched_label = next(label for label in metrics if label.startswith("Ideas launched since "))
    assert metrics[launched_label] == "1"
    assert metrics["Of them, improved a customer metric"] in ("0", "not measured yet")
    assert links(at)["The Impact page: every launched idea's effect"][0] == "impact"


def test_an_admin_sees_second_approvals_and_recent_imports(org, tmp_path):
    risky = make_idea(org, title="Refund without receipt up to 50")
    in_review(org, risky, assessed=4)  # 16: high
    ideas.approve(org.db, actor_id=org.manager, idea_id=risky)
    csv = tmp_path / "suggestions.csv"
    csv.write_text(",".join(ideas_io.COLUMNS) + "\n" + (
        "Shorter hold music,Callers hang up during the long hold message.,Cut the message to ten seconds.,"
        "fran@example.com,CC,call_centre,other,no,2025-03-31,submitted,,,aht\n"))
    ideas_io.import_ideas_csv(org.db, path=csv, actor_id=org.admin)

    at = as_role("admin")
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Waiting for a second approver"] == "1"
    shown = links(at)
    assert any(label.startswith(f"#{risky} · Refund without receipt up to 50 — second approval · due ")
               for label in shown)
    assert "1 idea from suggestions.csv by ada@example.com" in text(at)


def test_home_shows_my_open_calls_for_help_and_an_ecoach_what_waits_for_a_first_answer(org):
    from hero_core.services import help, people
    from tests.app.conftest import PASSWORD, login

    help.add_system(org.db, actor_id=org.admin, code="CRM", name="Customer CRM")
    people.add_user(org.db, actor_id=None, email="cora@example.com", name="Cora Coach", roles=["ecoach"],
                    team_code="ST", password=PASSWORD)
    help.assign_ecoach(org.db, actor_id=org.admin, email="cora@example.com", system="CRM")
    waiting = help.ask(org.db, actor_id=org.frontline, data=help.HelpInput(
        question="How do I change a customer's address in the CRM?", touchpoint="call_centre", system="CRM",
        customer_waiting=True))
    answered = help.ask(org.db, actor_id=org.frontline, data=help.HelpInput(
        question="Where is the refund button in the CRM?", touchpoint="call_centre", system="CRM"))
    reply = help.answer(org.db, actor_id=org.manager, request_id=answered, body="Under Payments, then Refund.")
    at = as_role("frontline")
    assert_clean(at)
    shown = links(at)
    assert shown[f"#{waiting} · How do I change a customer's address in the CRM? — waiting for an answer"][0] \
        == "help-request"
    assert f"#{answered} · Where is the refund button in the CRM? — answered: mark the answer that solved it" in shown
    coach = login("cora@example.com")
    assert_clean(coach)
    assert "Calls for help waiting for you" in [h.value for h in coach.subheader]
    mine = [label for label in links(coach) if label.startswith(f"#{waiting} ")]
    assert mine and "a customer is waiting" in mine[0], links(coach)
    help.mark_solved(org.db, actor_id=org.frontline, request_id=answered, answer_id=reply)
    at = as_role("frontline")
    assert not [label for label in links(at) if label.startswith(f"#{answered} ")], "a solved call leaves the home"


def test_the_teams_an_idea_reaches_see_its_checked_job_aid_on_their_home(org):
    from hero_core.services import job_aids, people
    from tests.app.conftest import PASSWORD
    from tests.erosion import world

    world.add_teams(org.db)
    idea_id = world.import_launched_idea(org)  # scaled; Contact centre is its pilot team
    coach = people.add_user(org.db, actor_id=None, email="cora@example.com", name="Cora Coach", roles=["ecoach"],
                            team_code="ST", password=PASSWORD)
    job_aids.write_job_aid(org.db, actor_id=org.frontline, idea_id=idea_id, title="Wrap-up in three fields",
                           steps="1. Open the wrap-up form.\n2. Fill the three fields.\n3. Save.")
    at = as_role("frontline")
    assert "No job aid for your team's new ways of working yet." in text(at)  # not checked yet
    (waiting,) = job_aids.waiting_for_check(org.db, actor_id=coach)
    job_aids.check_job_aid(org.db, actor_id=coach, job_aid_id=waiting.id)
    at = as_role("frontline")
    assert links(at)[f"Wrap-up in three fields — idea #{idea_id}, version 1"][0] == "job-aids"
