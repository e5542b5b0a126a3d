"""The read cache (hero_core/cache.py) never shows an answer older than the last change a person made."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hero_core import cache
from hero_core.errors import PermissionDenied
from hero_core.services import ideas, people
from hero_core.vocab import State
from tests.integration.factories import idea_in_state, new_idea


def test_a_submission_appears_in_the_managers_cached_queue_at_once(org):
    assert ideas.review_queue(org.db, actor_id=org.manager) == []
    hits = cache.stats()["hits"]
    assert ideas.review_queue(org.db, actor_id=org.manager) == []
    assert cache.stats()["hits"] == hits + 1  # the rerun was served from the cache
    idea_id = new_idea(org)
    ideas.submit(org.db, actor_id=org.frontline, idea_id=idea_id)
    queue = ideas.review_queue(org.db, actor_id=org.manager)
    assert [q.idea.id for q in queue] == [idea_id] and queue[0].idea.state == State.SUBMITTED
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    assert ideas.review_queue(org.db, actor_id=org.manager)[0].idea.state == State.IN_REVIEW


def test_the_total_on_browse_ideas_follows_every_new_idea(org):
    before = ideas.list_ideas(org.db, actor_id=org.frontline)[1]
    assert ideas.list_ideas(org.db, actor_id=org.frontline)[1] == before
    idea_in_state(org, State.SUBMITTED)
    assert ideas.list_ideas(org.db, actor_id=org.frontline)[1] == before + 1
    assert ideas.list_ideas(org.db, actor_id=org.other_frontline)[1] == before + 1


def test_it_board_counts_and_cards_follow_a_claim(org):
    idea_id = idea_in_state(org, State.AWAITING_IT, tech=True)
    counts = ideas.it_board_counts(org.db, actor_id=org.it)
    assert (counts["awaiting_it"].total, counts["in_build"].total) == (1, 0)
    assert [c.idea.id for c in ideas.it_board(org.db, actor_id=org.it, limit=5)["awaiting_it"]] == [idea_id]
    ideas.claim(org.db, actor_id=org.it, idea_id=idea_id)
    counts = ideas.it_board_counts(org.db, actor_id=org.it)
    assert (counts["awaiting_it"].total, counts["in_build"].total) == (0, 1)
    assert ideas.it_board(org.db, actor_id=org.it, limit=5)["in_build"][0].idea.id == idea_id


def test_overdue_follows_the_clock_even_when_nothing_was_written(org):
    idea_in_state(org, State.SUBMITTED)
    assert ideas.review_queue(org.db, actor_id=org.manager)[0].sla_status != "overdue"
    real = org.db.clock
    org.db.clock = lambda: real() + timedelta(days=30)
    try:
        assert ideas.review_queue(org.db, actor_id=org.manager)[0].sla_status == "overdue"
    finally:
        org.db.clock = real


def test_a_cached_answer_still_checks_who_asks(org):
    ideas.review_queue(org.db, actor_id=org.manager)
    people.list_users(org.db, actor_id=org.admin)
    for call in (lambda: ideas.review_queue(org.db, actor_id=org.frontline),
                 lambda: people.list_users(org.db, actor_id=org.manager),
                 lambda: ideas.it_board_counts(org.db, actor_id=org.frontline)):
        try:
            call()
        except PermissionDenied:
            continue
        raise AssertionError("a cached answer was handed to someone without the permission")


def test_a_role_change_shows_in_the_cached_user_list(org):
    before = {u.email: u.roles for u in people.list_users(org.db, actor_id=org.admin)}
    assert before["fran@example.com"] == ("frontline",)
    people.set_roles(org.db, actor_id=org.admin, email="fran@example.com", roles=["frontline", "it_champion"])
    after = {u.email: u.roles for u in people.list_users(org.db, actor_id=org.admin)}
    assert after["fran@example.com"] == ("frontline", "it_champion")


# ---- every kind of change reaches every cached read model ---------------------------------------------------
#
# Each cached read model is read (and cached), then one kind of change is made through the services (or, for the
# impact recompute, by changing the estimator's windows); the next read must not be the cached answer but equal
# to an answer built from scratch (cache emptied, no snapshot), on SQLite and PostgreSQL.

import dataclasses  # noqa: E402 - the part of this module about every read model starts here

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from hero_core import impact_store  # noqa: E402
from hero_core.services import impact_reads, metrics_io, recognition, scorecard_reads  # noqa: E402
from hero_core.services import impact_views as views  # noqa: E402
from hero_core.services.data_version import data_version  # noqa: E402
from tests.impact.factories import (  # noqa: E402
    AHT_TEAMS,
    LAUNCH,
    add_teams,
    launched_idea,
    store_daily,
    synthetic_daily,
)


@pytest.fixture
def company(org):
    """The org with a scaled idea measured on six teams' daily data, and a submitted idea."""
    add_teams(org.db, AHT_TEAMS)
    store_daily(org.db, synthetic_daily(effect=-25.0, org_shift=-40.0))
    measured = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=("T0", "T1"),
                             metrics=("aht",), state="scaled",
                             milestones={"scaled_at": datetime.combine(LAUNCH, time(), tzinfo=UTC)})
    idea_in_state(org, State.SUBMITTED)
    return org, measured


def _plain(value):
    """A read model's answer as plain values, to compare a cached answer with one built from scratch."""
    if isinstance(value, pd.DataFrame):
        return value.astype(object).where(value.notna(), None).to_dict("split")
    if isinstance(value, recognition.Hall):
        return ([dataclasses.asdict(i) for i in value.ideas], [dataclasses.asdict(h) for h in value.heroes])
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def read_models(org, idea_id):
    """Every cached read model, read as a person allowed to see it."""
    return {
        "hall of heroes": lambda: recognition.hall(org.db, actor_id=org.frontline),
        "scorecard": lambda: scorecard_reads.scorecard(org.db, actor_id=org.manager, last_quarters=8),
        "impact portfolio": lambda: views.portfolio(org.db, actor_id=org.executive),
        "portfolio table": lambda: views.portfolio_with(org.db, actor_id=org.executive,
                                                        derived=("count", len))[1],
        "funnel": lambda: views.funnel(org.db, actor_id=org.executive),
        "risk heat map": lambda: views.risk_heatmap(org.db, actor_id=org.executive),
        "idea series": lambda: views.idea_series(org.db, actor_id=org.executive, idea_id=idea_id, metric_code="aht"),
        "idea estimates": lambda: impact_reads.idea_estimates(org.db, actor_id=org.executive, idea_id=idea_id),
        "review queue": lambda: ideas.review_queue(org.db, actor_id=org.manager),
        "ideas total": lambda: ideas.list_ideas(org.db, actor_id=org.frontline)[1],
        "IT board counts": lambda: ideas.it_board_counts(org.db, actor_id=org.it),
        "user list": lambda: people.list_users(org.db, actor_id=org.admin),
    }


def _transition(org, idea_id, tmp_path, monkeypatch):
    ideas.start_review(org.db, actor_id=org.manager, idea_id=ideas.review_queue(org.db, actor_id=org.manager)[0]
                       .idea.id)


def _metrics_import(org, idea_id, tmp_path, monkeypatch):
    path = tmp_path / "later.csv"
    path.write_text("\n".join(["metric,team,date,value"] + [
        f"aht,{team},{LAUNCH + timedelta(days=d)},{150.0 + d:.1f}" for team in ("T0", "T1") for d in range(7, 60)])
        + "\n")
    metrics_io.import_metrics(org.db, source=path, actor_id=org.admin, replace=True)


def _impact_recompute(org, idea_id, tmp_path, monkeypatch):
    monkeypatch.setenv("HERO_IMPACT_EVAL_DAYS", "30")  # other windows: every stored verdict is computed again
    assert impact_store.refresh(org.db) >= 1


def _people_change(org, idea_id, tmp_path, monkeypatch):
    people.set_active(org.db, actor_id=org.admin, email="frank@example.com", active=False)
    people.rename_team(org.db, actor_id=org.admin, team_code="CC", name="Contact centre, renamed")


CHANGES = {"idea transition": _transition, "metrics import": _metrics_import,
           "impact recompute": _impact_recompute, "people change": _people_change}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_kind_of_change_reaches_every_cached_read_model(company, change, tmp_path, monkeypatch):
    org, idea_id = company
    models = read_models(org, idea_id)
    for read in models.values():
        read()  # cached now
    before = {name: _plain(read()) for name, read in models.items()}  # served from the cache
    version = data_version(org.db)
    CHANGES[change](org, idea_id, tmp_path, monkeypatch)
    if change != "impact recompute":  # that one changes no data, only the estimator's windows (part of the keys)
        assert data_version(org.db) != version
    after = {}
    for name, read in models.items():
        built = cache.stats()["misses"]
        after[name] = _plain(read())
        kept_across = name in ("review queue", "ideas total", "IT board counts", "user list", "funnel",
                               "risk heat map") and change == "impact recompute"
        if not kept_across:  # built again, not the answer cached before the change
            assert cache.stats()["misses"] > built, f"{name}: the cached answer outlived the {change}"
    cache.clear()
    monkeypatch.setenv("HERO_READ_MODEL_STORE", "off")  # from scratch: no snapshot either
    fresh = {name: _plain(read()) for name, read in models.items()}
    assert after == fresh
    changed = {name for name in models if before[name] != after[name]}
    expected = {
        "idea transition": {"review queue", "funnel", "scorecard"},
        "metrics import": {"impact portfolio", "idea series", "idea estimates"},
        "impact recompute": {"impact portfolio", "idea estimates"},
        "people change": {"user list", "hall of heroes"},
    }[change]
    assert expected <= changed, f"the {change} should change {sorted(expected - changed)}"


def test_a_snapshot_serves_a_new_process_only_for_the_same_data(company, tmp_path, monkeypatch):
    """A new server process reads the hall the last one built for the same data version; after a change it
    builds it again."""
    org, _ = company
    first = recognition.hall(org.db, actor_id=org.frontline)
    cache.clear()  # a new process
    restored = cache.stats()["restored"]
    assert _plain(recognition.hall(org.db, actor_id=org.frontline)) == _plain(first)
    assert cache.stats()["restored"] == restored + 1
    people.set_roles(org.db, actor_id=org.admin, email="frank@example.com", roles=["frontline", "it_champion"])
    idea_in_state(org, State.SUBMITTED)
    cache.clear()
    misses = cache.stats()["misses"]
    recognition.hall(org.db, actor_id=org.frontline)
    assert cache.stats()["misses"] == misses + 1


def test_the_scorecard_is_built_again_once_a_deadline_passes(company):
    """Nothing written, but a waiting idea's decision deadline passes: the cached scorecard is not served."""
    org, _ = company
    kept = scorecard_reads.scorecard(org.db, actor_id=org.manager)
    real = org.db.clock
    org.db.clock = lambda: real() + timedelta(days=30)
    try:
        later = scorecard_reads.scorecard(org.db, actor_id=org.manager)
        cache.clear()
        assert _plain(later) == _plain(scorecard_reads.scorecard(org.db, actor_id=org.manager))
        assert _plain(later) != _plain(kept)
    finally:
        org.db.clock = real


def test_the_cached_read_models_check_who_asks(company):
    org, idea_id = company
    for read in read_models(org, idea_id).values():
        read()
    for refused in (lambda: views.portfolio(org.db, actor_id=org.frontline),
                    lambda: views.funnel(org.db, actor_id=org.it),
                    lambda: scorecard_reads.scorecard(org.db, actor_id=org.frontline),
                    lambda: impact_reads.idea_estimates(org.db, actor_id=org.frontline_b, idea_id=idea_id)):
        with pytest.raises(PermissionDenied):
            refused()


def test_only_the_newest_version_of_an_answer_is_kept_in_memory(company):
    org, _ = company
    ideas.review_queue(org.db, actor_id=org.manager)
    entries = cache.stats()["entries"]
    idea_in_state(org, State.SUBMITTED)
    ideas.review_queue(org.db, actor_id=org.manager)
    assert cache.stats()["entries"] == entries  # the answer for the older version went when the new one came


def test_two_visitors_at_once_share_one_build(org):
    """A second request for an answer being built waits for it instead of building it again."""
    import threading

    builds = []
    started = threading.Event()

    def slow():
        builds.append(1)
        started.set()
        threading.Event().wait(0.3)
        return ("answer",)

    def ask(out):
        with org.db.read() as s:
            out.append(cache.cached(s, ("slow read",), slow))

    answers: list = []
    first = threading.Thread(target=ask, args=(answers,))
    first.start()
    started.wait(5)
    ask(answers)
    first.join()
    assert answers == [("answer",), ("answer",)] and builds == [1]
