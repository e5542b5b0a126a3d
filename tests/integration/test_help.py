"""Help with roadblocks on SQLite and PostgreSQL: ask, answer, mark solved, known answers, the e-coach queue,
the first-response service level in business hours, and the attacks (solving another's request, answering as
someone else, reaching what a role may not)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hero_core.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from hero_core.models import AuditEntry, HelpAnswer, HelpRequest, Notification
from hero_core.services import help, people
from tests.conftest import Clock


def setup_help(org):
    help.add_system(org.db, actor_id=org.admin, code="CRM", name="Customer CRM")
    help.add_system(org.db, actor_id=org.admin, code="RETURNS", name="Returns policy", kind="document")
    coach = people.add_user(org.db, actor_id=None, email="cora@example.com", name="Cora Coach", roles=["frontline"],
                            team_code="ST", password="a long enough password")
    help.assign_ecoach(org.db, actor_id=org.admin, email="cora@example.com", system="CRM")
    return coach


def ask(org, who=None, question="How do I change a customer's address in the CRM?", **kw):
    data = help.HelpInput(question=question, touchpoint=kw.pop("touchpoint", "call_centre"),
                          system=kw.pop("system", "CRM"), **kw)
    return help.ask(org.db, actor_id=who or org.frontline, data=data)


def audit_actions(db, entity_type, entity_id):
    with db.read() as s:
        return list(s.execute(select(AuditEntry.action).where(
            AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.seq)).scalars())


def inbox_kinds(db, user_id):
    with db.read() as s:
        return [n.kind for n in s.execute(select(Notification).where(Notification.user_id == user_id)).scalars()]


def test_ask_answer_solve_makes_a_known_answer_with_audit_and_notifications(org):
    coach = setup_help(org)
    rid = ask(org, customer_waiting=True)
    assert "help_request" in inbox_kinds(org.db, coach)  # the e-coach of the CRM hears of it
    assert "help_request" not in inbox_kinds(org.db, org.manager)
    aid = help.answer(org.db, actor_id=coach, request_id=rid, body="Open the contact card, then Edit > Address.")
    assert "help_answer" in inbox_kinds(org.db, org.frontline)
    view = help.get_request(org.db, actor_id=org.frontline, request_id=rid)
    assert view.state == "answered" and view.may_mark_solved and view.answer_views[0].by_ecoach
    kid = help.mark_solved(org.db, actor_id=org.frontline, request_id=rid, answer_id=aid)
    assert "help_solved" in inbox_kinds(org.db, coach)
    assert audit_actions(org.db, "help_request", rid) == ["help_asked", "help_answered", "help_solved"]
    found = help.search_known(org.db, actor_id=org.other_frontline, text="change the address of a customer")
    assert [k.id for k in found] == [kid]
    assert found[0].answered_by_name == "Cora Coach" and found[0].system_name == "Customer CRM"
    assert found[0].score >= 40


def test_known_answers_are_suggested_while_typing_and_outdated_ones_are_left_out(org):
    coach = setup_help(org)
    rid = ask(org, question="Refund to a closed card: what do I do?", system="RETURNS", touchpoint="face_to_face")
    aid = help.answer(org.db, actor_id=coach, request_id=rid, body="Issue store credit and note it on the receipt.")
    kid = help.mark_solved(org.db, actor_id=org.frontline, request_id=rid, answer_id=aid)
    rid2 = ask(org, question="Customer address field loses the postcode")
    help.mark_solved(org.db, actor_id=org.frontline, request_id=rid2,
                     answer_id=help.answer(org.db, actor_id=coach, request_id=rid2, body="Type it in the second line."))
    assert [k.id for k in help.suggest_known(org.db, actor_id=org.frontline_b, text="refund closed card")][:1] == [kid]
    with pytest.raises(PermissionDenied):
        help.mark_outdated(org.db, actor_id=org.frontline, known_answer_id=kid, reason="policy changed")
    help.mark_outdated(org.db, actor_id=coach, known_answer_id=kid, reason="Refunds to closed cards go by bank now")
    assert kid not in [k.id for k in help.suggest_known(org.db, actor_id=org.frontline_b, text="refund closed card")]
    shown = help.search_known(org.db, actor_id=org.frontline_b, text="refund closed card", include_outdated=True)
    assert shown[0].id == kid and shown[0].outdated and "bank" in shown[0].outdated_reason
    assert audit_actions(org.db, "known_answer", kid) == ["known_answer_outdated"]


def test_queue_puts_a_waiting_customer_first_then_the_longest_wait_and_follows_assignments(org):
    coach = setup_help(org)
    clock = Clock(org.db)
    old = ask(org, question="Where is the returns form for online orders?", system="")
    clock.advance(minutes=5)
    crm = ask(org, question="CRM will not save a second phone number")
    clock.advance(minutes=5)
    urgent = ask(org, question="CRM shows no orders for a waiting customer", customer_waiting=True)
    assert [r.id for r in help.queue(org.db, actor_id=coach)] == [urgent, crm]  # CRM only: her assignment
    assert [r.id for r in help.queue(org.db, actor_id=org.manager)] == [urgent, old, crm]  # no assignment: all
    help.answer(org.db, actor_id=org.frontline_b, request_id=crm, body="Use the 'other phone' field.")
    assert [r.id for r in help.queue(org.db, actor_id=coach)] == [urgent]
    with pytest.raises(PermissionDenied, match="e-coaches, managers and admins"):
        help.queue(org.db, actor_id=org.frontline)


def test_first_response_due_counts_business_hours_only():
    cfg = help.HelpSettings(first_response_hours=4, urgent_response_hours=1, day_start=9, day_end=17)
    friday_4pm = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert help.add_business_hours(friday_4pm, 4, cfg) == datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # Monday noon
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert help.add_business_hours(saturday, 1, cfg) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    early_tuesday = datetime(2026, 12, 8, 6, 30, tzinfo=UTC)
    assert help.add_business_hours(early_tuesday, 9, cfg) == datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


def test_sla_status_met_or_missed_by_the_first_answer_of_someone_else(org):
    coach = setup_help(org)
    clock = Clock(org.db)
    clock.now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday morning
    rid = ask(org, customer_waiting=True)  # due in one business hour
    clock.advance(minutes=30)
    help.answer(org.db, actor_id=org.frontline, request_id=rid, body="More: it is a business customer.")
    clock.advance(minutes=60)
    help.answer(org.db, actor_id=coach, request_id=rid, body="Business customers: use the account screen.")
    view = help.get_request(org.db, actor_id=org.frontline, request_id=rid)
    assert view.first_response_due == datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
    assert view.sla_status == "missed"  # the asker's own addition does not count as a response


# ---- attacks -------------------------------------------------------------------------------------------------


def test_nobody_but_the_asker_marks_a_request_solved(org):
    coach = setup_help(org)
    rid = ask(org)
    aid = help.answer(org.db, actor_id=coach, request_id=rid, body="Edit > Address on the contact card.")
    for intruder in (coach, org.frontline_b, org.manager, org.admin):
        with pytest.raises(PermissionDenied, match="the person who asked"):
            help.mark_solved(org.db, actor_id=intruder, request_id=rid, answer_id=aid)
    assert not help.get_request(org.db, actor_id=coach, request_id=rid).may_mark_solved
    with org.db.read() as s:
        assert s.get(HelpRequest, rid).state == "answered"


def test_an_answer_of_another_request_cannot_solve_this_one(org):
    coach = setup_help(org)
    mine, theirs = ask(org), ask(org, who=org.other_frontline, question="Printer in store two jams every morning")
    foreign = help.answer(org.db, actor_id=coach, request_id=theirs, body="Use tray two.")
    with pytest.raises(NotFound, match="has no answer"):
        help.mark_solved(org.db, actor_id=org.frontline, request_id=mine, answer_id=foreign)


def test_an_answer_is_always_written_as_the_person_acting(org):
    coach = setup_help(org)
    rid = ask(org)
    with pytest.raises(TypeError):
        help.answer(org.db, actor_id=coach, request_id=rid, body="x y z", author_id=org.manager)  # type: ignore[call-arg]
    aid = help.answer(org.db, actor_id=coach, request_id=rid, body="Open the card.")
    with org.db.read() as s:
        assert s.get(HelpAnswer, aid).author_id == coach


def test_deactivated_people_and_forged_ids_reach_nothing(org):
    setup_help(org)
    rid = ask(org)
    people.set_active(org.db, actor_id=None, email="frank@example.com", active=False)
    for call in (lambda: help.get_request(org.db, actor_id=org.frontline_b, request_id=rid),
                 lambda: help.answer(org.db, actor_id=org.frontline_b, request_id=rid, body="hello there"),
                 lambda: ask(org, who=org.frontline_b)):
        with pytest.raises(PermissionDenied, match="deactivated"):
            call()
    for bad in (0, -1, 2**40, "1", None):
        with pytest.raises(NotFound):
            help.get_request(org.db, actor_id=org.frontline, request_id=bad)


def test_catalog_and_assignments_are_for_admins_and_named_errors(org):
    with pytest.raises(PermissionDenied, match="admins"):
        help.add_system(org.db, actor_id=org.manager, code="X", name="Something")
    setup_help(org)
    with pytest.raises(InvalidInput, match="not a system or document in the catalog"):
        ask(org, system="Mainframe")
    with pytest.raises(InvalidInput, match="touch point"):
        ask(org, touchpoint="carrier pigeon")
    with pytest.raises(InvalidInput, match="at least 10 characters"):
        ask(org, question="help")
    with pytest.raises(InvalidInput, match="already e-coach"):
        help.assign_ecoach(org.db, actor_id=org.admin, email="cora@example.com", system="crm")


def test_a_solved_request_takes_no_more_answers_and_is_solved_once(org):
    coach = setup_help(org)
    rid = ask(org)
    aid = help.answer(org.db, actor_id=coach, request_id=rid, body="Open the card.")
    help.mark_solved(org.db, actor_id=org.frontline, request_id=rid, answer_id=aid)
    with pytest.raises(TransitionNotAllowed, match="solved already"):
        help.answer(org.db, actor_id=coach, request_id=rid, body="Another way.")
    with pytest.raises(TransitionNotAllowed, match="solved already"):
        help.mark_solved(org.db, actor_id=org.frontline, request_id=rid, answer_id=aid)


# ---- recurring roadblocks, promotion, the promise kept ---------------------------------------------------------


def test_recurring_roadblocks_group_similar_requests_and_promote_into_an_idea_with_evidence(org):
    from hero_core.models import Idea, IdeaFollow
    coach = setup_help(org)
    same = ["CRM address field drops the postcode", "The CRM address field loses the postcode again",
            "Postcode dropped from CRM address field on save"]
    ids = [ask(org, who=w, question=q) for w, q in zip((org.frontline, org.frontline_b, org.other_frontline), same,
                                                        strict=True)]
    ask(org, question="Where is the returns policy for gift cards?", system="RETURNS")
    found = help.recurring_roadblocks(org.db, actor_id=coach, days=30)
    assert len(found) == 1
    rb = found[0]
    assert rb.request_ids == tuple(ids) and rb.size == 3 and rb.people == 3
    assert rb.teams == ("Contact centre", "Stores") and rb.system == "CRM"
    with pytest.raises(PermissionDenied):
        help.recurring_roadblocks(org.db, actor_id=org.frontline)
    with pytest.raises(PermissionDenied, match="e-coaches and managers"):
        help.promote_roadblock(org.db, actor_id=org.frontline, request_ids=ids, title="Keep the postcode",
                               proposal="Fix the CRM address form save.", category="crm_lms_entry")
    idea_id = help.promote_roadblock(org.db, actor_id=org.manager, request_ids=ids, title="Keep the postcode in CRM",
                                     proposal="Fix the CRM address form so it saves the postcode.",
                                     category="crm_lms_entry", involves_technology=True)
    again = help.promote_roadblock(org.db, actor_id=org.manager, request_ids=ids, title="Keep the postcode in CRM",
                                   proposal="Fix the CRM address form so it saves the postcode.",
                                   category="crm_lms_entry", involves_technology=True)
    assert again == idea_id
    with org.db.read() as s:
        idea = s.get(Idea, idea_id)
        assert idea.state == "submitted" and "3 help requests from 3 people in 2 teams" in idea.roadblock
        assert all(f"#{i}" in idea.roadblock for i in ids)
        followers = set(s.execute(select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea_id)).scalars())
    assert followers == {org.frontline, org.frontline_b, org.other_frontline}
    assert [r.id for r in help.requests_of_idea(org.db, actor_id=org.frontline, idea_id=idea_id)] == ids
    assert help.recurring_roadblocks(org.db, actor_id=coach, days=30)[0].idea_id == idea_id
    assert audit_actions(org.db, "idea", idea_id)[-1] == "roadblock_promoted"
    with pytest.raises(TransitionNotAllowed, match="promoted already"):
        help.promote_roadblock(org.db, actor_id=coach, request_ids=ids, title="Another idea",
                               proposal="Something else entirely.", category="crm_lms_entry")


def test_recurring_roadblocks_regroup_only_the_scope_whose_requests_changed(org, monkeypatch):
    coach = setup_help(org)
    clock = Clock(org.db)
    clock.now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    for w, q in zip((org.frontline, org.frontline_b, org.other_frontline),
                    ["CRM address field drops the postcode", "The CRM address field loses the postcode again",
                     "Postcode dropped from CRM address field on save"], strict=True):
        ask(org, who=w, question=q)
    for w, q in zip((org.frontline, org.frontline_b, org.other_frontline),
                    ["Returns policy for gift cards", "Gift cards returns policy?", "Where is the gift card returns "
                     "policy"], strict=True):
        last = ask(org, who=w, question=q, system="RETURNS")
    help._SCOPE_GROUPS.clear()  # the same questions grouped by an earlier test are kept: a function of them alone
    grouped = []
    real = help.ScopeGrouping.groups
    monkeypatch.setattr(help.ScopeGrouping, "groups", lambda self, sets: grouped.append(len(sets)) or real(self, sets))

    def fresh():  # what a process that kept nothing finds
        caches = help._SCOPE_GROUPS, help._RECURRING, help._SCOPE_STATES
        kept = [dict(c) for c in caches]
        for c in caches:
            c.clear()
        found = help.recurring_roadblocks(org.db, actor_id=coach, days=30)
        for c, k in zip(caches, kept, strict=True):
            c.clear()
            c.update(k)
        return found

    first = help.recurring_roadblocks(org.db, actor_id=coach, days=30)
    assert len(first) == 2 and len(grouped) == 2
    clock.advance(minutes=30)
    help.answer(org.db, actor_id=coach, request_id=last, body="Under Policies > Returns.")  # no regrouping
    grouped.clear()
    answered = help.recurring_roadblocks(org.db, actor_id=coach, days=30)
    assert grouped == [] and answered != first and answered == fresh()
    ask(org, who=org.manager, question="The CRM address field dropped the postcode")  # the CRM scope only
    grouped.clear()
    asked = help.recurring_roadblocks(org.db, actor_id=coach, days=30)
    assert grouped == [4] and asked == fresh()
    assert sorted(rb.size for rb in asked) == [3, 4]


def test_promise_kept_share_per_team_and_quarter(org):
    coach = setup_help(org)
    clock = Clock(org.db)
    clock.now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    kept = ask(org)  # due 14:00
    late = ask(org, who=org.other_frontline, question="CRM login page keeps timing out")
    ask(org, question="CRM search finds nobody by phone")  # never answered: missed once overdue
    clock.advance(hours=1)
    help.answer(org.db, actor_id=coach, request_id=kept, body="Edit > Address.")
    clock.advance(hours=6)
    help.answer(org.db, actor_id=coach, request_id=late, body="Clear the cache.")
    rows = help.ecoach_promise_kept(org.db, actor_id=org.executive)
    assert [(r.team_code, r.quarter, r.requests, r.kept) for r in rows] == [("CC", "2026Q4", 2, 1),
                                                                           ("ST", "2026Q4", 1, 0)]
    with pytest.raises(PermissionDenied):
        help.ecoach_promise_kept(org.db, actor_id=org.frontline)


def test_helping_is_credited_to_the_answerer_not_to_the_asker(org):
    coach = setup_help(org)
    rid = ask(org)
    help.answer(org.db, actor_id=org.frontline, request_id=rid, body="Also: it is a business account.")
    aid = help.answer(org.db, actor_id=coach, request_id=rid, body="Edit > Address on the contact card.")
    help.answer(org.db, actor_id=org.frontline_b, request_id=rid, body="Or ask the customer to use the portal.")
    help.mark_solved(org.db, actor_id=org.frontline, request_id=rid, answer_id=aid)
    credits = help.helping_credits(org.db, actor_id=org.other_frontline)
    assert [(c.name, c.solved, c.answers) for c in credits] == [("Cora Coach", 1, 1), ("Frank", 0, 1)]


def test_two_clicks_on_this_solved_it_at_once_make_one_known_answer(org):
    import threading

    from sqlalchemy import func

    from hero_core.errors import HeroError
    from hero_core.models import KnownAnswer
    coach = setup_help(org)
    rid = ask(org)
    first = help.answer(org.db, actor_id=coach, request_id=rid, body="Edit > Address.")
    second = help.answer(org.db, actor_id=org.frontline_b, request_id=rid, body="Use the portal.")
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def click(answer_id: int) -> None:
        start.wait()
        try:
            outcomes.append(help.mark_solved(org.db, actor_id=org.frontline, request_id=rid, answer_id=answer_id))
        except HeroError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=click, args=(a,)) for a in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert sum(isinstance(o, TransitionNotAllowed) for o in outcomes) == 1
    with org.db.read() as s:
        assert s.execute(select(func.count(KnownAnswer.id))).scalar() == 1


def test_help_notifications_link_to_their_request_in_the_inbox_and_the_mail(org):
    from hero_core.services import mailer, notifications
    from hero_core.services.mailer import _Item

    coach = setup_help(org)
    request_id = ask(org)
    help.answer(org.db, actor_id=coach, request_id=request_id, body="Edit, then Address.")
    told = [n for n in notifications.inbox(org.db, actor_id=coach) if n.kind == "help_request"]
    answered = [n for n in notifications.inbox(org.db, actor_id=org.frontline) if n.kind == "help_answer"]
    assert [(n.help_request_id, n.idea_id) for n in told + answered] == [(request_id, None)] * 2
    assert notifications.kind_label("help_answer") == "an answer to a call for help"
    item = _Item(1, org.frontline, "fran@example.com", "Fran", None, "help_answer", answered[0].message,
                 answered[0].created_at, request_id)
    settings = type("S", (), {"app_url": "https://hero.example.com"})()
    assert f"https://hero.example.com/help-request?id={request_id}" in mailer._open_line(settings, item)


def test_the_queue_count_is_every_waiting_request_in_scope_not_a_page_of_them(org):
    coach = setup_help(org)
    for k in range(4):
        ask(org, question=f"CRM question number {k} about the address field")
    ask(org, question="Where is the returns policy for gift cards?", system="RETURNS")  # not Cora's system
    assert len(help.queue(org.db, actor_id=coach, limit=2)) == 2
    assert help.queue_count(org.db, actor_id=coach) == 4 == len(help.queue(org.db, actor_id=coach))
    with pytest.raises(PermissionDenied):
        help.queue_count(org.db, actor_id=org.frontline)
