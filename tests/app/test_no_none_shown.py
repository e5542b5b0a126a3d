"""No page shows a raw "None" (or "nan", "NaT") to a person: walked for every role over every page they may open,
with ideas in several states on the page (issue 21, "words people understand")."""

from __future__ import annotations

import re

import pytest

from hero_app.navigation import pages_for
from hero_core.services import ideas, people
from tests.app.conftest import (
    EMAIL,
    ROLES,
    all_text,
    approved,
    as_role,
    in_review,
    make_idea,
    open_page,
    plain,
)

RAW = re.compile(r"\b(None|nan|NaT|<NA>)\b")


def shown_cells(at) -> list[str]:
    return [str(v) for frame in at.dataframe for col in frame.value.columns for v in frame.value[col].tolist()
            if v is None or RAW.fullmatch(str(v))]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_none_to_anyone(org, role):
    make_idea(org, submit=False, title="A draft of mine")
    back = make_idea(org, title="Sent back for changes")
    in_review(org, back)
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=back, reason="Which form?")
    unassessed = make_idea(org, title="Waiting for its review")
    approved(org, title="Waiting for IT")
    at = as_role(role)
    actor = people.get_actor(org.db, people.user_id_for(org.db, EMAIL[role]))
    found = {}
    for spec in pages_for(actor):
        at = open_page(at, "idea", id=unassessed) if spec.url_path == "idea" else open_page(at, spec.url_path)
        words = RAW.findall(plain(all_text(at)))
        if words or shown_cells(at):
            found[spec.url_path] = (words, shown_cells(at))
    assert not found, found
