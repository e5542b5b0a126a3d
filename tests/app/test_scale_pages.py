"""Pages on a company-sized database (hero seed): totals from counts, a bounded page of cards, no crash."""

from __future__ import annotations

import pytest
import streamlit as st

from hero_app import impact_panel as impact_page
from hero_app import ui
from hero_core import seed
from hero_core.db import Database, migrate
from hero_core.services import ideas, people, recognition, sessions
from hero_core.services import impact_views as views
from tests.app import impact_data
from tests.app.conftest import assert_clean, new_app

downloads = impact_data.downloads  # the fixture: what each download button would hand the browser


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """2,000 seeded ideas: about 150 wait for IT, more than the board shows at once; about 650 launched, with
    daily metrics, so more than a thousand measured idea x metric rows."""
    path = tmp_path_factory.mktemp("company") / "hero.db"
    db = Database(f"sqlite:///{path}")
    migrate(db)
    seed.seed(db, ideas=2_000, observations=60_000, teams=4)
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


def test_the_impact_page_of_a_company_charts_a_readable_slice_and_downloads_every_row(company, monkeypatch,
                                                                                        downloads):
    at, executive = open_as(company, monkeypatch, "executive", "hero_app/pages/impact.py")
    assert_clean(at)
    portfolio = views.portfolio(company, actor_id=executive)
    measured = int(portfolio["effect"].notna().sum())
    assert len(portfolio) > impact_page.TABLE_LIMIT and measured > impact_page.FOREST_LIMIT
    captions = " ".join(c.value for c in at.caption)
    assert f"The chart shows the {impact_page.FOREST_LIMIT} most recently launched of {measured:,}" in captions
    assert f"The table shows the {impact_page.TABLE_LIMIT:,} most recently launched of {len(portfolio):,}" in captions
    table = at.dataframe(key="impact_table").value
    assert len(table) == impact_page.TABLE_LIMIT
    assert list(table["#"]) == list(portfolio["idea_id"].head(impact_page.TABLE_LIMIT))
    csv = downloads.get("impact-portfolio.csv").decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == len(portfolio) + 1  # the header and every row


def test_the_hall_of_a_company_shows_ten_scaled_ideas_a_page_and_counts_them_all(company, monkeypatch):
    at, _ = open_as(company, monkeypatch, "frontline", "hero_app/pages/heroes.py")
    assert_clean(at)
    hall = recognition.hall_of_heroes(company, actor_id=None)
    assert len(hall.ideas) > 10
    captions = [c.value for c in at.caption]
    assert any(c.startswith(f"{len(hall.ideas):,} scaled ideas, the most recently scaled first") for c in captions)
    cards = [c for c in captions if c.startswith("Team ") and " · scaled " in c]
    assert len(cards) == 10
    assert f"Page 1 of {-(-len(hall.ideas) // 10)} · {len(hall.ideas)} in all" in captions
