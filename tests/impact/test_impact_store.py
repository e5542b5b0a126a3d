"""Stored weekly sums and stored impact verdicts stay equal to what the daily rows and the estimator say now, on
SQLite and PostgreSQL: after an import (also one that replaces rows), a change of pilot teams or of the metric's
direction, an idea leaving the launched states, and an import racing a refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select, update

from hero_core import audit, impact, impact_store
from hero_core.models import (
    Idea,
    IdeaPilotTeam,
    ImpactCheck,
    ImpactResult,
    Metric,
    Observation,
    ObservationWeek,
    Team,
)
from hero_core.services import impact_reads, metrics_io
from hero_core.services.observations import week_number_sql

from .factories import AHT_TEAMS, LAUNCH, add_teams, launched_idea, store_daily, synthetic_daily


@pytest.fixture
def measured(org):
    add_teams(org.db, AHT_TEAMS)
    store_daily(org.db, synthetic_daily(effect=-25.0, org_shift=-40.0))
    idea_id = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=("T0", "T1"),
                            metrics=("aht",))
    return org, idea_id


def audited(s, what: str) -> None:
    """The audit entry every service writes with a change (these tests change rows directly)."""
    audit.record(s, at=datetime.now(UTC), actor_id=None, actor_email="system", action=what, entity_type="test",
                 entity_id="1")


def live(org, idea_id=None) -> list[impact.ImpactEstimate]:
    ids = None if idea_id is None else [idea_id]
    # The store keeps the headline; the second tier and the MDE are estimated live on the idea page.
    return [e.headline_only() for e in impact_reads.estimate_portfolio(org.db, actor_id=org.executive, idea_ids=ids)]


def stored_count(db) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(ImpactResult)).scalar_one()


def weekly_sums_from_days(db) -> list[tuple]:
    """The weekly sums computed from the daily rows, independently of the stored table."""
    with db.read() as s:
        week = week_number_sql(s.get_bind().dialect.name).label("week")
        rows = s.execute(select(Observation.metric_id, week, Observation.team_id, func.sum(Observation.value),
                                func.count()).group_by(Observation.metric_id, week, Observation.team_id)).all()
    return sorted((m, int(w), t, pytest.approx(v), n) for m, w, t, v, n in rows)


def stored_weekly_sums(db) -> list[tuple]:
    with db.read() as s:
        rows = s.execute(select(ObservationWeek.metric_id, ObservationWeek.week, ObservationWeek.team_id,
                                ObservationWeek.total, ObservationWeek.n_days)).all()
    return sorted((m, w, t, v, n) for m, w, t, v, n in rows)


def test_stored_verdicts_equal_the_live_estimator_and_a_second_refresh_computes_nothing(measured):
    org, _idea_id = measured
    assert stored_count(org.db) == 0

    assert impact_store.refresh(org.db) == 1
    assert impact_store.current(org.db) == live(org)
    assert impact_store.current(org.db)[0].verdict == impact.IMPROVED
    assert impact_store.refresh(org.db) == 0


def test_an_import_over_a_window_forgets_the_verdict_and_the_refresh_measures_the_new_days(measured, tmp_path):
    org, _idea_id = measured
    impact_store.refresh(org.db)
    before = impact_store.current(org.db)[0]

    # The pilot teams' evaluation weeks rewritten to their old level: the improvement disappears.
    rows = ["metric,team,date,value"]
    rows.extend(f"aht,{team},{LAUNCH + timedelta(days=d)},{300 + 6 * k - 40:.1f}"
                for k, team in enumerate(("T0", "T1")) for d in range(119))
    path = tmp_path / "rewrite.csv"
    path.write_text("\n".join(rows) + "\n")
    metrics_io.import_metrics(org.db, source=path, actor_id=org.admin, replace=True)

    assert stored_count(org.db) == 0  # forgotten in the import's own transaction
    assert stored_weekly_sums(org.db) == weekly_sums_from_days(org.db)
    after = impact_store.current(org.db)
    assert after == live(org)
    assert after[0].effect != pytest.approx(before.effect)
    assert after[0].verdict != impact.IMPROVED


def test_an_import_outside_every_window_keeps_the_stored_verdicts(measured, tmp_path):
    org, _ = measured
    impact_store.refresh(org.db)
    far = LAUNCH + timedelta(days=400)
    path = tmp_path / "later.csv"
    path.write_text(f"metric,team,date,value\naht,T0,{far},300\naht,T1,{far + timedelta(days=1)},301\n")
    metrics_io.import_metrics(org.db, source=path, actor_id=org.admin)

    assert stored_count(org.db) == 1
    assert impact_store.refresh(org.db) == 0
    assert stored_weekly_sums(org.db) == weekly_sums_from_days(org.db)


def test_new_pilot_teams_or_a_new_direction_recompute_and_a_retired_idea_loses_its_row(measured):
    org, idea_id = measured
    impact_store.refresh(org.db)

    with org.db.write() as s:
        t2 = s.execute(select(Team.id).where(Team.code == "T2")).scalar_one()
        s.add(IdeaPilotTeam(idea_id=idea_id, team_id=t2))
        audited(s, "pilot_teams_changed")
    assert impact_store.refresh(org.db) == 1
    assert impact_store.current(org.db) == live(org)
    assert impact_store.current(org.db)[0].treated_teams == ("T0", "T1", "T2")

    with org.db.write() as s:
        s.execute(update(Metric).where(Metric.code == "aht").values(direction="higher"))
        audited(s, "metric_changed")
    assert impact_store.refresh(org.db) == 1
    assert impact_store.current(org.db)[0].verdict == impact.WORSENED  # the same drop, now the bad side

    with org.db.write() as s:
        s.execute(update(Idea).where(Idea.id == idea_id).values(state="retired"))
        audited(s, "retired")
    impact_store.refresh(org.db)
    assert stored_count(org.db) == 0


def test_a_refresh_that_an_import_overtakes_does_not_store_stale_answers(measured, tmp_path, monkeypatch):
    org, _idea_id = measured
    path = tmp_path / "during.csv"
    path.write_text("\n".join(["metric,team,date,value"] + [
        f"aht,T0,{LAUNCH + timedelta(days=d)},{200.0:.1f}" for d in range(119)]) + "\n")
    real = impact_reads.estimate_ideas
    calls = []

    def estimate_then_import(session, ideas, windows):
        answer = real(session, ideas, windows)
        if not calls:  # the first computation is overtaken by an import of the same days
            metrics_io.import_metrics(org.db, source=path, actor_id=org.admin, replace=True)
        calls.append(len(ideas))
        return answer

    monkeypatch.setattr(impact_reads, "estimate_ideas", estimate_then_import)
    impact_store.refresh(org.db)
    monkeypatch.setattr(impact_reads, "estimate_ideas", real)

    assert len(calls) == 2  # computed, discarded, computed again on the new days
    assert impact_store.current(org.db) == live(org)


def test_weekly_means_read_whole_weeks_from_the_stored_sums(measured):
    org, _ = measured
    daily = synthetic_daily(effect=-25.0, org_shift=-40.0)
    start, end = LAUNCH - timedelta(days=30), LAUNCH + timedelta(days=30)
    from hero_core.services.observations import week_number, week_start, weekly_means

    with org.db.read() as s:
        aht = s.execute(select(Metric.id).where(Metric.code == "aht")).scalar_one()
        teams = dict(s.execute(select(Team.code, Team.id)).all())
        got = weekly_means(s, metric_id=aht, start=start, end=end)
    weeks = range(week_number(start), week_number(end - timedelta(days=1)) + 1)
    daily = daily.assign(week=[week_number(d) for d in daily["day"]])
    expected = (daily[daily["week"].isin(weeks)].groupby(["team", "week"], as_index=False)
                .agg(value=("value", "mean"), n_days=("value", "size")))
    expected["team_id"] = expected["team"].map(teams)
    merged = pd.merge(got, expected, on=["team_id", "week"], suffixes=("", "_expected"), how="outer")
    assert len(merged) == len(got) == len(expected) == len(AHT_TEAMS) * len(weeks)
    assert merged["value"].to_numpy() == pytest.approx(merged["value_expected"].to_numpy())
    assert (merged["n_days"] == merged["n_days_expected"]).all()
    assert week_start(weeks[0]) <= start  # the first week is whole, though the range starts mid-week


def test_a_refresh_with_nothing_audited_since_the_last_one_checks_nothing(measured, monkeypatch):
    org, _ = measured
    assert impact_store.refresh(org.db) == 1
    monkeypatch.setattr(impact_reads, "launched_ideas", lambda *a: pytest.fail("looked at the ideas again"))
    assert impact_store.refresh(org.db) == 0
    assert impact_store.current(org.db) == impact_store.current(org.db)
    monkeypatch.undo()
    with org.db.write() as s:
        audited(s, "something_changed")
    calls = []
    real = impact_reads.launched_ideas
    monkeypatch.setattr(impact_reads, "launched_ideas", lambda *a: calls.append(1) or real(*a))
    assert impact_store.refresh(org.db) == 0 and calls == [1]


def test_a_refresh_shared_by_worker_processes_stores_what_one_process_stores(measured, monkeypatch):
    org, idea_id = measured
    others = [launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=(pilot,), metrics=("aht",))
              for pilot in ("T2", "T3", "T4")]
    monkeypatch.setattr(impact_store, "CHUNK", 1)  # four chunks of one idea: the workers share them
    progress = []
    assert impact_store.refresh(org.db, workers=2, progress=lambda done, total: progress.append((done, total))) == 4
    assert progress == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert impact_store.current(org.db) == live(org)
    assert sorted(e.idea_id for e in impact_store.current(org.db)) == sorted([idea_id, *others])
    assert impact_store.refresh(org.db, workers=2) == 0


def a_new_process() -> None:
    """What a freshly started app server or command knows: nothing in memory, only what the database says."""
    impact_store._checked.clear()


def checked_scopes(monkeypatch) -> list:
    """The idea ids each refresh fingerprints from now on (None: every launched idea)."""
    scopes = []
    real = impact_reads.launched_ideas

    def spy(session, idea_ids):
        scopes.append(None if idea_ids is None else sorted(idea_ids))
        return real(session, idea_ids)

    monkeypatch.setattr(impact_reads, "launched_ideas", spy)
    return scopes


def test_a_new_process_checks_only_what_was_audited_since_the_last_complete_check(measured, tmp_path, monkeypatch):
    from hero_core.services import people, social

    org, idea_id = measured
    later = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=("T2",), metrics=("aht",),
                          launch=LAUNCH + timedelta(days=400))  # its windows start 310 days after the first's
    assert impact_store.refresh(org.db) == 2
    a_new_process()
    scopes = checked_scopes(monkeypatch)

    assert impact_store.refresh(org.db) == 0 and scopes == []  # nothing audited since: no fingerprints at all

    # Unrelated changes (a comment, a team renamed) move the trail's head but change no estimate.
    social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body="Worked for us too.")
    people.rename_team(org.db, actor_id=org.admin, team_code="T4", name="Team four")
    a_new_process()
    assert impact_store.refresh(org.db) == 0 and scopes == []

    # An import over the first idea's window forgets its estimate: only that idea is fingerprinted and measured.
    path = tmp_path / "rewrite.csv"
    path.write_text("metric,team,date,value\n" + "".join(
        f"aht,T2,{LAUNCH + timedelta(days=d)},{250.0:.1f}\n" for d in range(60)))
    metrics_io.import_metrics(org.db, source=path, actor_id=org.admin, replace=True)
    assert stored_count(org.db) == 1
    a_new_process()
    assert impact_store.refresh(org.db) == 1 and scopes == [[idea_id]]

    # An idea's own audited change: that idea alone.
    with org.db.write() as s:
        t3 = s.execute(select(Team.id).where(Team.code == "T3")).scalar_one()
        s.add(IdeaPilotTeam(idea_id=later, team_id=t3))
        audit.record(s, at=datetime.now(UTC), actor_id=None, actor_email="system", action="pilot_teams_changed",
                     entity_type="idea", entity_id=later)
    a_new_process()
    assert impact_store.refresh(org.db) == 1 and scopes[-1] == [later]
    monkeypatch.undo()
    assert impact_store.current(org.db) == live(org)


def test_a_change_the_check_cannot_narrow_down_makes_a_new_process_check_everything(measured, monkeypatch):
    org, _idea_id = measured
    impact_store.refresh(org.db)
    scopes = checked_scopes(monkeypatch)
    with org.db.write() as s:
        s.execute(update(Metric).where(Metric.code == "aht").values(direction="higher"))
        audit.record(s, at=datetime.now(UTC), actor_id=None, actor_email="system", action="metric_changed",
                     entity_type="metric", entity_id="aht")
    a_new_process()
    assert impact_store.refresh(org.db) == 1 and scopes == [None]
    assert impact_store.current(org.db)[0].verdict == impact.WORSENED

    # A recorded check whose audit entry is not the trail's any more (another history): everything again.
    with org.db.write() as s:
        s.execute(update(ImpactCheck).values(audit_hash="0" * 64))
    a_new_process()
    assert impact_store.refresh(org.db) == 0 and scopes == [None, None]
    a_new_process()
    assert impact_store.refresh(org.db) == 0 and scopes == [None, None]  # recorded again: nothing to check


def test_workers_start_whatever_script_the_process_was_started_from(measured, monkeypatch, tmp_path):
    """A spawned worker would run the parent's main script again: a script without a guard (AppTest's generated
    scripts, a page) must neither run in the workers nor break them."""
    import sys
    import types

    org, _ = measured
    for pilot in ("T2", "T3"):
        launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=(pilot,), metrics=("aht",))
    script = tmp_path / "unguarded.py"
    script.write_text("raise SystemExit('the main script ran again in a worker')\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    fake_main.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    monkeypatch.setattr(impact_store, "CHUNK", 1)
    assert impact_store.refresh(org.db, workers=2) == 3
    assert fake_main.__file__ == str(script)  # as it was
    monkeypatch.undo()
    assert impact_store.current(org.db) == live(org)


def test_a_new_estimation_method_recomputes_every_stored_verdict_even_in_a_new_process(measured, monkeypatch):
    org, _ = measured
    assert impact_store.refresh(org.db) == 1
    with org.db.write() as s:  # what the older method stored: another verdict under the old fingerprint
        s.execute(update(ImpactResult).values(verdict=impact.NO_CLEAR_CHANGE))
    monkeypatch.setattr(impact, "METHOD_VERSION", "a newer method")
    monkeypatch.setattr(impact_store, "_checked", {})  # a new process: only the database's own check is left

    assert impact_store.refresh(org.db) == 1
    assert impact_store.current(org.db) == live(org)
    assert impact_store.current(org.db)[0].verdict == impact.IMPROVED
