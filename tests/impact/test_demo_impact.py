"""The demo organisation's launched ideas show believable measured impact: the effects written into its
metrics are found by the estimator — some improved, some worsened, some with no clear change."""

from __future__ import annotations

from datetime import date

from hero_core import demo, impact
from hero_core.services import catalog, people
from hero_core.services import impact_views as views
from tests.conftest import fresh_sqlite


def test_the_demo_shows_improved_worsened_and_no_clear_change_ideas(sqlite_template, tmp_path):
    db = fresh_sqlite(sqlite_template, tmp_path)
    catalog.ensure_defaults(db)
    demo.build_demo(db, today=date(2026, 11, 20))
    executive = people.user_id_for(db, "catherine.boateng@hero.example")

    table = views.portfolio(db, actor_id=executive)

    verdicts = table.groupby("verdict")["idea_id"].nunique().to_dict()
    assert verdicts.get(impact.IMPROVED, 0) >= 3
    assert verdicts.get(impact.WORSENED, 0) >= 1
    assert verdicts.get(impact.NO_CLEAR_CHANGE, 0) >= 1
    assert set(table["method"]) == {impact.DID}  # every front-line team has data: real comparisons
    db.dispose()
