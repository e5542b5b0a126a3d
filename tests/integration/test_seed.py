"""`hero seed`: scale data that the rest of the system accepts as its own (services, audit verify, impact)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import func, inspect, select

from hero_core import audit, config, lifecycle, seed, sla
from hero_core.cli import main
from hero_core.errors import InvalidInput, TransitionNotAllowed
from hero_core.models import (
    AuditEntry,
    Comment,
    Idea,
    IdeaPilotTeam,
    IdeaSupport,
    Observation,
    RiskAssessment,
    User,
)
from hero_core.services import ideas, people
from hero_core.services.impact_reads import estimate_impact


def test_seed_fills_an_empty_database_with_ideas_in_every_state_and_a_verifiable_audit_trail(db):
    summary = seed.seed(db, ideas=400, observations=6_000, teams=4)
    assert summary.ideas == 400 and summary.observations == 6_000
    with db.read() as s:
        states = Counter(s.execute(select(Idea.state)).scalars())
        assert set(states) == set(seed.STATE_WEIGHTS), states
        assert s.execute(select(func.count()).select_from(Observation)).scalar() == 6_000
        assert s.execute(select(func.count()).select_from(Comment)).scalar() > 0
        assert s.execute(select(func.count()).select_from(IdeaSupport)).scalar() > 0
        result = audit.verify(s)
        assert result.ok, result.message
        assert result.checked == s.execute(select(func.count()).select_from(AuditEntry)).scalar()
        # Milestones agree with the state, as the services would have left them.
        for idea in s.execute(select(Idea)).unique().scalars():
            if idea.state != "draft":
                assert idea.submitted_at is not None and idea.review_start_due > idea.submitted_at
            if idea.state in ("approved", "awaiting_it", "in_build", "piloting", "scaling", "scaled"):
                assert idea.approved_at is not None
                assert s.execute(select(RiskAssessment.id).where(RiskAssessment.idea_id == idea.id)).first()
            if idea.state in ("piloting", "scaling", "scaled"):
                assert idea.launch_date is not None and idea.launch_date < datetime.now(UTC).date()
                assert s.execute(select(IdeaPilotTeam.team_id).where(IdeaPilotTeam.idea_id == idea.id)).first()
            assert idea.updated_at < datetime.now(UTC)


def indexes(db) -> dict[str, list]:
    inspector = inspect(db.engine)
    return {table: sorted(map(str, inspector.get_indexes(table))) for table in inspector.get_table_names()}


def test_seed_builds_every_index_it_dropped_for_the_load_and_leaves_sqlite_in_wal_mode(db):
    before = indexes(db)
    assert sum(map(len, before.values())) > 10
    seed.seed(db, ideas=80, observations=800, teams=3)
    assert indexes(db) == before
    if db.dialect == "sqlite":
        with db.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_seed_that_fails_while_writing_leaves_the_database_empty_with_its_indexes(db, monkeypatch):
    before = indexes(db)

    def broken(conn, trail):
        raise RuntimeError("disk full while writing the audit trail")

    monkeypatch.setattr(seed, "_write_trail", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        seed.seed(db, ideas=40, observations=400, teams=2)
    monkeypatch.undo()
    assert indexes(db) == before
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Idea)).scalar() == 0
        assert s.execute(select(func.count()).select_from(User)).scalar() == 0
    seed.seed(db, ideas=40, observations=400, teams=2)  # and a seed after it starts from empty, as ever
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Idea)).scalar() == 40


def test_each_seeded_idea_history_ends_in_its_current_state(db):
    seed.seed(db, ideas=120, observations=0, teams=3)
    manager = people.user_id_for(db, seed.SEED_ACCOUNTS["manager"])
    with db.read() as s:
        sample = list(s.execute(select(Idea.id, Idea.state).where(Idea.state != "draft").limit(30)))
    for idea_id, state in sample:
        history = ideas.timeline(db, actor_id=manager, idea_id=idea_id)
        states = [e.after for e in history if '"state"' in e.after]
        assert f'"state":"{state}"' in states[-1], (idea_id, state, states)
        assert [e.at for e in history] == sorted(e.at for e in history)


def test_the_services_work_on_seeded_data_for_the_benchmark_accounts(db):
    seed.seed(db, ideas=300, observations=40_000, teams=4)
    ids = {role: people.user_id_for(db, email) for role, email in seed.SEED_ACCOUNTS.items()}
    assert people.authenticate(db, email=seed.SEED_ACCOUNTS["frontline"], password=seed.SEED_PASSWORD) == \
        ids["frontline"]
    queue = ideas.review_queue(db, actor_id=ids["manager"])
    assert queue and all(q.idea.team_code in ("T0001", "T0002") or q.needs_second_approver for q in queue)
    board = ideas.it_board(db, actor_id=ids["it_champion"])
    assert board["awaiting_it"] or board["in_build"]
    mine, total = ideas.list_ideas(db, actor_id=ids["frontline"], flt=ideas.IdeaFilter(submitter_id=ids["frontline"]))
    assert total > 0 and all(i.submitter_email == seed.SEED_ACCOUNTS["frontline"] for i in mine)
    with db.read() as s:
        launched = s.execute(select(Idea.id).where(Idea.state == "scaled").order_by(Idea.launch_date)).scalar()
    estimates = estimate_impact(db, idea_id=launched, actor_id=ids["executive"])
    assert estimates and all(e.metric for e in estimates)


def test_seed_refuses_a_database_that_already_has_people(db):
    seed.seed(db, ideas=10, observations=0, teams=2)
    with pytest.raises(InvalidInput, match="empty database"):
        seed.seed(db, ideas=10, observations=0, teams=2)
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Idea)).scalar() == 10


def test_seed_rejects_impossible_sizes_naming_the_option(db):
    with pytest.raises(InvalidInput) as caught:
        seed.seed(db, ideas=-1, observations=5, teams=1)
    text = " ".join(caught.value.problems)
    assert "--ideas" in text and "--teams" in text
    with db.read() as s:
        assert s.execute(select(User.id)).first() is None


def test_the_seeds_audit_snapshots_are_the_audit_modules_canonical_json():
    assert seed._snapshot("in_review", 3) == audit.canonical({"version": 3, "state": "in_review"})


def test_seeded_milestones_and_clocks_are_what_the_lifecycle_rules_write(db):
    """Every idea's row is the fold of lifecycle.effects over its history: each clock is counted with
    sla.add_business_days from the step that started it, review rounds count the submissions, a closed idea's
    promises that were open and not yet broken stopped with it, and each assessment belongs to its round."""
    seed.seed(db, ideas=400, observations=0, teams=4)
    clocks = lifecycle.Clocks.of(config.settings())
    with db.read() as s:
        rows = s.execute(select(Idea)).unique().scalars().all()
        submissions = Counter(s.execute(select(AuditEntry.entity_id).where(
            AuditEntry.entity_type == "idea", AuditEntry.action.in_(("submit", "resubmit")))).scalars())
        handed_over = dict(s.execute(select(AuditEntry.entity_id, AuditEntry.at).where(
            AuditEntry.action == "route_to_it")).all())
        rounds = dict(s.execute(select(RiskAssessment.idea_id, RiskAssessment.review_round)).all())
        looped = 0
        for idea in rows:
            assert idea.review_round == submissions[str(idea.id)], idea.id
            looped += idea.review_round == 2
            if idea.id in rounds:
                assert rounds[idea.id] == idea.review_round, idea.id  # approvals count this round's assessment
            for due_name, days, start in (("review_start_due", clocks.review_start_days, idea.submitted_at),
                                          ("decision_due", clocks.decision_days, idea.submitted_at),
                                          ("it_claim_due", clocks.it_claim_days, handed_over.get(str(idea.id)))):
                due = getattr(idea, due_name)
                if idea.retired_at is not None and due is None and start is not None:
                    # Stopped when the idea closed: it was still open then, and not yet due.
                    assert sla.add_business_days(start, days) > idea.retired_at, (idea.id, due_name)
                    assert lifecycle.promise_done(idea, due_name) is None, (idea.id, due_name)
                    continue
                assert due == (None if start is None else sla.add_business_days(start, days)), (idea.id, due_name)
            if idea.state in lifecycle.LAUNCHED_STATES:
                assert idea.piloted_at is not None and idea.launch_date is not None
            if idea.state in ("approved", "awaiting_it", "in_build", "piloting", "scaling", "scaled"):
                assert lifecycle.decision_done(idea) == idea.approved_at
            if idea.state in ("submitted", "in_review"):
                assert lifecycle.decision_done(idea) is None  # waiting for the decision of this round
        assert looped > 0  # some ideas went round a request for changes


def test_a_planned_history_the_workflow_refuses_is_not_seeded():
    with pytest.raises(TransitionNotAllowed):
        seed._moves_to("claim", "in_review")  # the same transition table as the services


def test_hero_seed_command_fills_the_database_and_audit_verify_accepts_it(tmp_path, monkeypatch):
    monkeypatch.setenv("HERO_DATABASE_URL", f"sqlite:///{tmp_path / 'hero.db'}")
    runner = CliRunner()
    result = runner.invoke(main, ["seed", "--ideas", "50", "--observations", "1000", "--teams", "2"])
    assert result.exit_code == 0, result.output
    assert "seeded 50 ideas, 1,000 observations" in result.output
    verified = runner.invoke(main, ["audit", "verify"])
    assert verified.exit_code == 0 and "intact" in verified.output
    again = runner.invoke(main, ["seed", "--ideas", "5"])
    assert again.exit_code == 1 and "empty database" in again.output and "Traceback" not in again.output
