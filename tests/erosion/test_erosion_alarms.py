"""Erosion alarms on a real database (SQLite and PostgreSQL): opened when a launched idea's gain fades, once,
audited and notified; closed with what was done, by whom the matrix allows."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from hero_core import help_io
from hero_core.errors import InvalidInput, NotFound, PermissionDenied
from hero_core.models import AuditEntry, ErosionAlarm, HelpRequest, Notification
from hero_core.services import erosion as service
from hero_core.services import help as help_service
from tests.erosion import world


def _audit(org, action):
    with org.db.read() as s:
        return s.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars().all()


def test_an_imported_idea_whose_effect_fades_raises_one_alarm_for_the_people_who_can_act(org):
    idea_id = world.build(org, later_effect=-5.0)
    summary = service.refresh_alarms(org.db)
    assert summary.ideas_watched == 1 and len(summary.opened) == 1
    (alarm,) = service.open_alarms(org.db, actor_id=org.manager)
    assert (alarm.idea_id, alarm.kind, alarm.metric) == (idea_id, "effect_fading", "aht")
    assert alarm.detail.startswith("Average handle time: in the 8 weeks from 2025-07-07 the pilot teams lost")
    assert alarm.evidence["share_lost"] > 0.5
    (entry,) = _audit(org, "erosion_alarm_opened")
    assert entry.entity_id == str(alarm.id)
    with org.db.read() as s:
        told = set(s.execute(select(Notification.user_id).where(Notification.kind == "erosion_alarm")).scalars())
    assert told == {org.frontline, org.manager, org.it}  # the HERO, the team's manager, the IT champion

    again = service.refresh_alarms(org.db)
    assert again.opened == () and again.open_alarms == 1


def test_a_steady_effect_raises_no_alarm(org):
    world.build(org, later_effect=-30.0)
    assert service.refresh_alarms(org.db).opened == ()
    assert service.open_alarms(org.db, actor_id=org.executive) == []


def test_an_idea_still_in_its_evaluation_window_is_not_judged(org):
    world.build(org, later_effect=-5.0)
    org.db.clock = lambda: world.NOW.replace(month=6, day=20)
    assert service.refresh_alarms(org.db).opened == ()


def test_closing_records_what_was_done_and_the_alarm_stays_closed(org):
    world.build(org, later_effect=-5.0)
    (alarm_id,) = service.refresh_alarms(org.db).opened
    service.close_alarm(org.db, org.it, alarm_id, "job_aid_refreshed", "New job aid sent to Contact centre.")
    assert service.open_alarms(org.db, actor_id=org.admin) == []
    (closed,) = service.closed_alarms(org.db, actor_id=org.admin)
    assert (closed.action_label, closed.closed_by_name, closed.action_note) == (
        "Job aid refreshed", "Ivan", "New job aid sent to Contact centre.")
    (entry,) = _audit(org, "erosion_alarm_closed")
    assert entry.entity_id == str(alarm_id)
    # The same evidence does not open it again: what was done deserves weeks of its own.
    assert service.refresh_alarms(org.db).opened == ()
    with pytest.raises(InvalidInput, match="already closed"):
        service.close_alarm(org.db, org.manager, alarm_id, "People retrained")


def test_only_it_champions_the_ideas_team_managers_and_admins_close(org):
    world.build(org, later_effect=-5.0)
    (alarm_id,) = service.refresh_alarms(org.db).opened
    for person in (org.frontline, org.other_manager, org.executive):
        with pytest.raises(PermissionDenied, match="an IT champion, a manager of the idea's team or an admin"):
            service.close_alarm(org.db, person, alarm_id, "People retrained")
    with pytest.raises(PermissionDenied):
        service.open_alarms(org.db, actor_id=org.frontline)
    service.close_alarm(org.db, org.manager, alarm_id, "People retrained")  # the label works too


def test_a_bad_closing_says_what_is_wrong_and_changes_nothing(org):
    world.build(org, later_effect=-5.0)
    (alarm_id,) = service.refresh_alarms(org.db).opened
    with pytest.raises(InvalidInput, match="must be one of: Job aid refreshed, People retrained, Fix reopened"):
        service.close_alarm(org.db, org.it, alarm_id, "shrugged")
    with pytest.raises(InvalidInput, match="the note is needed"):
        service.close_alarm(org.db, org.it, alarm_id, "other", "  ")
    with pytest.raises(NotFound, match="#999"):
        service.close_alarm(org.db, org.it, 999, "Fix reopened")
    with org.db.read() as s:
        assert s.execute(select(func.count()).select_from(ErosionAlarm)
                         .where(ErosionAlarm.closed_at.is_(None))).scalar() == 1
    assert _audit(org, "erosion_alarm_closed") == []


def test_the_alarm_chart_shows_baseline_evaluation_and_later_weeks(org):
    world.build(org, later_effect=-5.0)
    (alarm_id,) = service.refresh_alarms(org.db).opened
    series = service.alarm_series(org.db, actor_id=org.executive, alarm_id=alarm_id)
    assert set(series["period"]) == {"Baseline", "Evaluation", "Later"}
    assert set(series["group"]) == {"Pilot teams", "Other teams"}
    pilots = series[series["group"] == "Pilot teams"].groupby("period")["value"].mean()
    assert pilots["Evaluation"] < pilots["Later"] < pilots["Baseline"]


def _help_history(weeks_and_counts) -> bytes:
    lines = [",".join(help_io.COLUMNS)]
    n = 0
    for monday, count in weeks_and_counts:
        for k in range(count):
            n += 1
            lines.append(f"{monday.isoformat()} 1{k % 7}:00,frank@example.com,CC,call_centre,CRM,"
                         f"Where does the address go in the CRM (case {n})?,,,,no")
    return ("\n".join(lines) + "\n").encode()


def test_help_requests_about_the_ideas_system_rising_again_raise_a_roadblock_alarm(org):
    idea_id = world.build(org, later_effect=-30.0)
    help_service.add_system(org.db, actor_id=org.admin, code="CRM", name="Customer records")
    before = [(world.LAUNCH - timedelta(days=30), 3)]  # the roadblock the idea was promoted from
    evaluation = [(world.EVAL_END - timedelta(weeks=6), 1)]
    later = [(world.NOW.date() - timedelta(weeks=w, days=world.NOW.weekday()), 2) for w in range(1, 8)]
    help_io.import_help(org.db, actor_id=org.admin, source=io.BytesIO(_help_history(before + evaluation + later)))
    with org.db.write() as s:
        s.execute(update(HelpRequest).where(HelpRequest.created_at < world.NOW.replace(month=3, day=1))
                  .values(idea_id=idea_id))
    (alarm_id,) = service.refresh_alarms(org.db).opened
    (alarm,) = service.open_alarms(org.db, actor_id=org.it)
    assert (alarm.id, alarm.kind, alarm.metric) == (alarm_id, "roadblock_returning", None)
    assert "Help requests about Customer records from the idea's teams: 14 in the 8 weeks" in alarm.detail
    assert service.alarm_series(org.db, actor_id=org.it, alarm_id=alarm_id).empty


def test_two_checks_at_once_open_the_alarm_once(org):
    world.build(org, later_effect=-5.0)
    opened, errors = [], []

    def check():
        try:
            opened.extend(service.refresh_alarms(org.db).opened)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=check) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(opened) == 1
    with org.db.read() as s:
        assert s.execute(select(func.count()).select_from(ErosionAlarm)).scalar() == 1


def test_a_check_is_made_by_someone_who_may_see_the_board_and_audited_as_theirs(org):
    # "Check now" opens alarms and notifies people: the service asks the matrix itself (a frontline script cannot
    # run it), and the alarms it opens are audited as opened by that person's check, not by "system".
    world.build(org, later_effect=-5.0)
    with pytest.raises(PermissionDenied):
        service.refresh_alarms(org.db, actor_id=org.frontline)
    assert _audit(org, "erosion_alarm_opened") == []
    (alarm_id,) = service.refresh_alarms(org.db, actor_id=org.manager).opened
    (entry,) = _audit(org, "erosion_alarm_opened")
    assert (entry.actor_email, entry.entity_id) == ("mia@example.com", str(alarm_id))
