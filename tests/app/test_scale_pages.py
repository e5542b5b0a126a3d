"""Pages on a company-sized database (hero seed): totals from counts, a bounded page of cards, no crash."""

from __future__ import annotations

import pytest
import streamlit as st

from hero_app import ui
from hero_core import seed
from hero_core.db import Database, migrate
from hero_core.services import ideas, people, sessions
from tests.app.conftest import assert_clean, new_app


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """2,000 seeded ideas: about 150 wait for IT, more than the board shows at once."""
    path = tmp_path_factory.mktemp("company") / "hero.db"
    db = Database(f"sqlite:///{path}")
    migrate(db)
    seed.seed(db, ideas=2_000, observations=0, teams=4)
    yield db
    db.dispose()


def open_as(db: Database, monkeypatch, role: str, page: str):
    monkeypatch.setenv("HERO_DATABASE_URL", db.url)
    user_id = people.user_id_for(db, seed.SEED_ACCOUNTS[role])
    at = new_app()
    at.session_state[ui.TOKEN_KEY] = sessions.create(db, user_id=user_id)
    at.run()
    at.switch_page(page)
    at.run()
    st.cache_resource.clear()
    return at, user_id


def test_the_it_board_shows_each_columns_total_but_only_its_oldest_cards(company, monkeypatch):
    at, it = open_as(company, monkeypatch, "it_champion", "hero_app/pages/it_board.py")
    assert_clean(at)
    counts = ideas.it_board_counts(company, actor_id=it)
    assert counts["awaiting_it"].total > 80
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Awaiting IT"] == str(counts["awaiting_it"].total)
    captions = [c.value for c in at.caption]
    assert f"The 80 oldest of {counts['awaiting_it'].total} are shown." in captions
    options = at.selectbox(key="board_choice").options
    assert 0 < len(options) <= 4 * 80


def test_the_review_queue_of_a_company_manager_renders_with_its_count(company, monkeypatch):
    at, manager = open_as(company, monkeypatch, "manager", "hero_app/pages/review.py")
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Waiting on you"] == str(len(ideas.review_queue(company, actor_id=manager)))
