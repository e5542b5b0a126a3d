"""Job aids: written by the HERO or an IT champion, versioned, checked by another e-coach, then seen by the idea's
teams and found by search."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hero_core.errors import InvalidInput, NotFound, PermissionDenied
from hero_core.models import AuditEntry, JobAid, Notification
from hero_core.services import job_aids, people
from tests.conftest import PASSWORD
from tests.erosion import world
from tests.impact.factories import launched_idea

STEPS = "1. Open the wrap-up form.\n2. Fill the three fields.\n3. Save."


def _coach(org) -> int:
    return people.add_user(org.db, actor_id=None, email="cora@example.com", name="Cora Coach", roles=["ecoach"],
                           team_code="ST", password=PASSWORD)


def test_the_hero_writes_versions_an_e_coach_checks_and_the_pilot_team_sees_the_checked_one(org):
    idea_id = world.build(org, later_effect=-30.0)
    coach = _coach(org)
    assert job_aids.write_job_aid(org.db, actor_id=org.frontline, idea_id=idea_id, title="Wrap-up in three fields",
                                  steps=STEPS, applies_where="Contact centre, every call") == 1
    assert job_aids.for_my_team(org.db, actor_id=org.frontline_b) == []  # not checked yet
    (waiting,) = job_aids.waiting_for_check(org.db, actor_id=coach)
    job_aids.check_job_aid(org.db, actor_id=coach, job_aid_id=waiting.id)
    assert job_aids.write_job_aid(org.db, actor_id=org.it, idea_id=idea_id, title="Wrap-up in three fields (v2)",
                                  steps=STEPS + "\n4. Close the call.") == 2
    (seen,) = job_aids.for_my_team(org.db, actor_id=org.frontline_b)  # Contact centre is the pilot team
    assert (seen.version, seen.title, seen.checked_by_name) == (1, "Wrap-up in three fields", "Cora Coach")
    assert job_aids.for_my_team(org.db, actor_id=org.other_frontline) == []  # Stores is not reached
    assert [v.version for v in job_aids.versions(org.db, actor_id=org.manager, idea_id=idea_id)] == [2, 1]
    (found,) = job_aids.search(org.db, actor_id=org.other_frontline, text="three FIELDS")
    assert found.version == 1
    with org.db.read() as s:
        actions = s.execute(select(AuditEntry.action).where(AuditEntry.entity_type == "job_aid")).scalars().all()
        told = s.execute(select(Notification.user_id).where(Notification.kind == "job_aid")).scalars().all()
    assert sorted(actions) == ["job_aid_checked", "job_aid_written", "job_aid_written"]
    assert coach in told and org.frontline in told


def test_who_may_write_and_check_and_what_is_refused(org):
    idea_id = world.build(org, later_effect=-30.0)
    coach = _coach(org)
    with pytest.raises(PermissionDenied, match="the idea's submitter or an IT champion"):
        job_aids.write_job_aid(org.db, actor_id=org.manager, idea_id=idea_id, title="T", steps=STEPS)
    with pytest.raises(InvalidInput, match="Steps must be at least 10 characters"):
        job_aids.write_job_aid(org.db, actor_id=org.frontline, idea_id=idea_id, title="T", steps="short")
    with pytest.raises(NotFound, match="#999"):
        job_aids.write_job_aid(org.db, actor_id=org.frontline, idea_id=999, title="T", steps=STEPS)
    job_aids.write_job_aid(org.db, actor_id=org.frontline, idea_id=idea_id, title="T", steps=STEPS)
    with org.db.read() as s:
        aid_id = s.execute(select(JobAid.id)).scalar_one()
    with pytest.raises(PermissionDenied, match="e-coaches"):
        job_aids.check_job_aid(org.db, actor_id=org.manager, job_aid_id=aid_id)
    job_aids.check_job_aid(org.db, actor_id=coach, job_aid_id=aid_id)
    with pytest.raises(InvalidInput, match="already checked"):
        job_aids.check_job_aid(org.db, actor_id=coach, job_aid_id=aid_id)


def test_a_job_aid_needs_a_launched_idea(org):
    idea_id = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=(), metrics=(),
                            launch=None, state="approved")
    with pytest.raises(InvalidInput, match="is approved: job aids are written for piloting, scaling or scaled"):
        job_aids.write_job_aid(org.db, actor_id=org.frontline, idea_id=idea_id, title="T", steps=STEPS)
