"""The risk assessment names its assessor and approvers, never by email (hero_app/panels.py show_assessment)."""

from __future__ import annotations

from hero_core.vocab import State
from tests.app.conftest import all_text, as_role, assert_clean, open_page, open_tab, plain
from tests.integration.factories import idea_in_state


def test_the_risk_tab_says_who_assessed_and_approved_by_name(org):
    idea_id = idea_in_state(org, State.PILOTING, tech=True)
    at = open_tab(open_page(as_role("executive"), "idea", id=idea_id), "Risk assessment")
    assert_clean(at)
    text = plain(all_text(at))
    assert "Assessed by Mia on" in text and "Approved by Mia" in text and "mia@example.com" not in text
