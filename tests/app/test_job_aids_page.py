"""The job aids page in AppTest: the HERO writes a version, an e-coach checks it, the pilot team sees it."""

from __future__ import annotations

from sqlalchemy import select

from hero_core.models import JobAid
from hero_core.services import help, people
from tests.app.conftest import all_text, as_role, assert_clean, login, open_page, successes
from tests.conftest import PASSWORD
from tests.erosion import world


def test_write_check_and_see_a_job_aid(org):
    world.build(org, later_effect=-30.0)
    people.add_user(org.db, actor_id=None, email="cora@example.com", name="Cora Coach", roles=["ecoach"],
                    team_code="ST", password=PASSWORD)
    hero = open_page(as_role("frontline"), "job-aids")
    assert_clean(hero)
    assert "No checked job aid for the ideas that reach your team yet." in all_text(hero)
    hero.text_input(key="jobaids_title").input("Wrap-up in three fields")
    hero.text_area(key="jobaids_steps").input("1. Open the form.\n2. Fill three fields.\n3. Save.")
    hero.button(key="jobaids_save").click().run()
    assert_clean(hero)
    assert "Version 1 saved; it waits for an e-coach's check." in successes(hero)

    coach = open_page(login("cora@example.com"), "job-aids")
    with org.db.read() as s:
        aid_id = s.execute(select(JobAid.id)).scalar_one()
    coach.button(key=f"jobaids_check_{aid_id}").click().run()
    assert_clean(coach)
    assert any("Checked" in m for m in successes(coach))

    hero = open_page(as_role("frontline"), "job-aids")
    assert any("Wrap-up in three fields · idea #1 · version 1" in e.label for e in hero.expander)
    hero.text_input(key="jobaids_q").input("three fields").run()
    assert sum("Wrap-up in three fields" in e.label for e in hero.expander) == 2  # for the team, and found


def test_a_manager_may_read_but_not_write(org):
    world.build(org, later_effect=-30.0)
    at = open_page(as_role("manager"), "job-aids")
    assert_clean(at)
    assert not [b for b in at.button if b.key == "jobaids_save"]


def test_the_search_finds_known_answers_beside_job_aids(org):
    help.add_system(org.db, actor_id=org.admin, code="CRM", name="Customer CRM")
    rid = help.ask(org.db, actor_id=org.frontline, data=help.HelpInput(
        question="How do I fill the wrap-up form fast?", touchpoint="call_centre", system="CRM"))
    aid = help.answer(org.db, actor_id=org.manager, request_id=rid, body="Use the three-field version.")
    help.mark_solved(org.db, actor_id=org.frontline, request_id=rid, answer_id=aid)
    at = open_page(as_role("frontline"), "job-aids")
    at.text_input(key="jobaids_q").input("wrap-up form").run()
    assert_clean(at)
    assert "No checked job aid matches." in all_text(at)
    assert any("How do I fill the wrap-up form fast? · known answer" in e.label for e in at.expander)
