"""The touch-point plan page in AppTest: the table, the weakest places called out, and its gate."""

from __future__ import annotations

import pytest

from hero_core.services import erosion
from tests.app.conftest import NOT_IN_NAVIGATION, all_text, as_role, assert_clean, open_page
from tests.erosion import world


def test_an_executive_sees_every_touch_point_and_the_weak_one_called_out(org):
    world.build(org, later_effect=-5.0)
    erosion.refresh_alarms(org.db)
    at = open_page(as_role("executive"), "touchpoints")
    assert_clean(at)
    table = at.dataframe[0].value
    assert table["Touch point"].iloc[0] == "Call centre" and len(table) == 6
    # The fade began in the 8 weeks before the last 8: handle time is worse organisation-wide too.
    assert "Call centre: 1 open erosion alarm and 1 metric getting worse." in all_text(at)
    assert "Average handle time: worse" in table["Metrics and trend"].iloc[0]


def test_an_it_champion_is_not_offered_the_plan(org):
    with pytest.raises(ValueError, match=NOT_IN_NAVIGATION):
        open_page(as_role("it_champion"), "touchpoints")
