"""The demo organisation has an idea whose improvement wears off, and the erosion board shows its alarm."""

from __future__ import annotations

from datetime import date

from hero_core import demo
from hero_core.services import catalog, job_aids, people
from hero_core.services import erosion as service
from tests.conftest import fresh_sqlite


def test_the_demo_raises_an_effect_fading_alarm_for_its_fading_idea(sqlite_template, tmp_path):
    db = fresh_sqlite(sqlite_template, tmp_path)
    catalog.ensure_defaults(db)
    summary = demo.build_demo(db, today=date(2026, 11, 20))
    manager = people.user_id_for(db, "sarah.whitfield@hero.example")

    alarms = service.open_alarms(db, actor_id=manager)
    fading = [a for a in alarms if a.kind == "effect_fading"]
    assert fading, [a.detail for a in alarms]
    assert f"{len(alarms)} erosion alarm(s)" in summary
    assert all(a.evidence["share_lost"] >= 0.25 for a in fading)
    # People drifted back to the old way on the same idea: its adoption fell too.
    (falling,) = [a for a in alarms if a.kind == "adoption_falling"]
    assert falling.idea_id == fading[0].idea_id
    assert job_aids.search(db, actor_id=manager, text="How to")  # checked job aids for scaled ideas
    print("\n" + "\n".join(f"#{a.idea_id} {a.kind}: {a.detail}" for a in alarms))
    db.dispose()
