"""suggest_similar refuses a text longer than it compares (SQLite and PostgreSQL), in words a person can act on."""

from __future__ import annotations

import pytest

from hero_core.errors import InvalidInput
from hero_core.services import duplicates, ideas


def test_a_text_longer_than_the_cap_is_refused_and_one_at_the_cap_is_searched(org):
    ideas.create_idea(org.db, actor_id=org.frontline, submit=True, data=ideas.IdeaInput(
        title="Explain pro-rata charges on the first bill", roadblock="Customers call about their first bill.",
        proposal="Send a short letter with the first bill.", touchpoint="call_centre", category="complex_form",
        involves_technology=False))
    text = ("first bill charges " * 2_000)[:duplicates.SEARCH_MAX_CHARS]
    assert [f.title for f in duplicates.suggest_similar(org.db, text)] == ["Explain pro-rata charges on the first bill"]
    with pytest.raises(InvalidInput) as refused:
        duplicates.suggest_similar(org.db, text + "x")
    message = str(refused.value)
    assert message == (f"The text to look for similar ideas is too long ({duplicates.SEARCH_MAX_CHARS + 1:,} "
                       f"characters): at most {duplicates.SEARCH_MAX_CHARS:,} are compared. Shorten it and look again.")
    assert "None" not in message and "SEARCH_MAX" not in message
