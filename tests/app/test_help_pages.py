"""The help pages in AppTest: ask (with known answers suggested while typing), answer, mark solved, the e-coach
queue, known answers (search, outdated), recurring roadblocks (promote) and the catalog, each behind its gate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hero_core.models import HelpRequest, Idea
from hero_core.services import help, people
from tests.app.conftest import all_text as escaped_text
from tests.app.conftest import as_role, login, open_page
from tests.conftest import PASSWORD


def all_text(at) -> str:
    """The page's text as people read it (without Markdown's escapes)."""
    return escaped_text(at).replace("\\", "")


def catalog(org) -> int:
    help.add_system(org.db, actor_id=org.admin, code="CRM", name="Customer CRM")
    coach = people.add_user(org.db, actor_id=None, email="cora@example.com", name="Cora Coach",
                            roles=["frontline"], team_code="ST", password=PASSWORD)
    help.assign_ecoach(org.db, actor_id=org.admin, email="cora@example.com", system="CRM")
    return coach


def solved(org, coach, question="How do I change a customer's address in the CRM?", who=None):
    rid = help.ask(org.db, actor_id=who or org.frontline,
                   data=help.HelpInput(question=question, touchpoint="call_centre", system="CRM"))
    aid = help.answer(org.db, actor_id=coach, request_id=rid, body="Open the contact card, then Edit > Address.")
    return rid, help.mark_solved(org.db, actor_id=who or org.frontline, request_id=rid, answer_id=aid)


def test_asking_suggests_known_answers_while_typing_then_posts_the_request(org):
    coach = catalog(org)
    solved(org, coach)
    at = open_page(as_role("frontline"), "help")
    at.text_input(key="help_question").input("change customer address CRM").run()
    text = all_text(at)
    assert "Known answers to similar questions" in text
    assert any("How do I change a customer's address" in e.label for e in at.expander)
    at.selectbox(key="help_touchpoint").select("call_centre")
    at.selectbox(key="help_system").select("CRM")
    at.checkbox(key="help_waiting").check()
    at.button(key="help_post").click().run()
    assert not at.exception
    with org.db.read() as s:
        request = s.execute(select(HelpRequest).order_by(HelpRequest.id.desc())).scalars().first()
    assert request.question == "change customer address CRM" and request.customer_waiting
    assert f"Your help request #{request.id} is posted" in all_text(at)


def test_asking_without_a_touch_point_names_the_field(org):
    catalog(org)
    at = open_page(as_role("frontline"), "help")
    at.text_input(key="help_question").input("Where is the returns form?").run()
    at.button(key="help_post").click().run()
    assert "Choose a touch point" in all_text(at)


def test_an_e_coach_answers_and_the_asker_marks_it_solved(org):
    catalog(org)
    rid = help.ask(org.db, actor_id=org.frontline,
                   data=help.HelpInput(question="CRM will not save the postcode", touchpoint="call_centre",
                                       system="CRM", customer_waiting=True))
    at = open_page(login("cora@example.com"), "ecoach")
    assert "CRM will not save the postcode" in " ".join(link.label for link in at.get("page_link"))
    at = open_page(at, "help-request", id=rid)
    at.text_area(key=f"helpreq_body_{rid}").input("Type it in the second address line for now.")
    at.button(key="helpreq_post").click().run()
    assert not at.exception and "Posted." in all_text(at)
    asker = open_page(as_role("frontline"), "help-request", id=rid)
    solve = [b for b in asker.button if b.label == "This solved it"]
    assert len(solve) == 1
    solve[0].click().run()
    assert "it is a known answer now" in all_text(asker)
    with org.db.read() as s:
        assert s.get(HelpRequest, rid).state == "solved"
    # Someone else sees the answer but no button to mark it solved.
    other = open_page(as_role("manager"), "help-request", id=rid)
    assert not [b for b in other.button if b.label == "This solved it"]


def test_a_missing_request_says_so(org):
    at = open_page(as_role("frontline"), "help-request", id=999)
    assert "There is no help request #999" in all_text(at)


def test_the_queue_and_roadblocks_are_refused_to_frontline(org):
    at = as_role("frontline")
    for path in ("ecoach", "roadblocks", "help-catalog"):
        with pytest.raises(ValueError):  # noqa: PT011 - what AppTest raises for a page the navigation lacks
            open_page(at, path)


def test_known_answers_search_and_an_e_coach_marks_one_outdated(org):
    coach = catalog(org)
    _, kid = solved(org, coach)
    at = open_page(as_role("frontline"), "known-answers")
    at.text_input(key="known_q").input("customer address").run()
    assert "Edit > Address" in all_text(at)
    assert not [b for b in at.button if b.label == "Mark outdated"]
    at = open_page(login("cora@example.com"), "known-answers")
    at.text_input(key=f"known_why_{kid}").input("The CRM has a new address screen since December")
    at.button(key=f"known_out_{kid}").click().run()
    assert f"Known answer #{kid} is marked outdated" in all_text(at)
    assert help.get_known(org.db, actor_id=org.frontline, known_answer_id=kid).outdated


def test_a_manager_promotes_a_recurring_roadblock_into_an_idea(org):
    catalog(org)
    for who, q in ((org.frontline, "CRM address field drops the postcode"),
                   (org.frontline_b, "The CRM address field loses the postcode again"),
                   (org.other_frontline, "Postcode dropped from CRM address field on save")):
        help.ask(org.db, actor_id=who, data=help.HelpInput(question=q, touchpoint="call_centre", system="CRM"))
    at = open_page(as_role("manager"), "roadblocks")
    assert "3 requests" in all_text(at) and "3 people" in all_text(at)
    first = min(r.id for r in help.queue(org.db, actor_id=org.manager))
    at.text_area(key=f"roadblocks_{first}_proposal").input("Fix the save of the CRM address form.")
    at.selectbox(key=f"roadblocks_{first}_category").select("crm_lms_entry")
    at.button(key=f"roadblocks_{first}_go").click().run()
    assert not at.exception
    with org.db.read() as s:
        idea = s.execute(select(Idea).order_by(Idea.id.desc())).scalars().first()
    assert idea is not None and idea.state == "submitted" and "3 help requests" in idea.roadblock
    assert f"Idea #{idea.id} is submitted for review" in all_text(at)


def test_an_admin_adds_a_system_and_assigns_an_e_coach(org):
    at = open_page(as_role("admin"), "help-catalog")
    at.text_input(key="helpcat_code").input("POS")
    at.text_input(key="helpcat_name").input("Store till")
    at.button(key="helpcat_add").click().run()
    assert "Added to the catalog." in all_text(at)
    at.text_input(key="helpcat_email").input("sam@example.com")
    at.selectbox(key="helpcat_sys").select("POS")
    at.button(key="helpcat_assign").click().run()
    assert not at.exception and "E-coach assigned." in all_text(at)
    assert [(a.user_email, a.system_code) for a in help.list_assignments(org.db)] == [("sam@example.com", "POS")]


def test_an_admin_retires_a_system_and_it_is_no_longer_offered_when_asking(org):
    catalog(org)
    at = open_page(as_role("admin"), "help-catalog")
    at.selectbox(key="helpcat_retire_code").select("CRM")
    at.button(key="helpcat_retire").click().run()
    assert "The catalog is updated." in all_text(at)
    assert [s.code for s in help.list_systems(org.db)] == []
    asker = open_page(as_role("frontline"), "help")
    assert "CRM" not in asker.selectbox(key="help_system").options
