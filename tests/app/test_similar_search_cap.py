"""The Propose page's "has a colleague had this idea already?" box: capped in the widget, and a pasted text too
long to compare is cut at what the service accepts, and the page says so."""

from __future__ import annotations

from hero_app.conversation import SIMILAR_QUERY_MAX_CHARS
from hero_core.services import duplicates, ideas
from tests.app.conftest import as_role, assert_clean, make_idea, open_page


def test_the_search_box_takes_at_most_200_characters(org):
    at = open_page(as_role("frontline"), "submit")
    box = at.text_input(key="similar_query")
    assert box.max_chars == SIMILAR_QUERY_MAX_CHARS == 200
    box.input("first bill " * 30).run()  # 330 characters: the widget does not take them, as in a browser
    assert at.text_input(key="similar_query").value == ""


def test_a_huge_roadblock_is_compared_on_its_first_characters_and_the_page_says_so(org, monkeypatch):
    """Before: a pasted megabyte was tokenised and fuzzy-matched on every run of the box (95 ms a run for 1 MB,
    growing with the paste); now at most SEARCH_MAX_CHARS characters reach the service."""
    make_idea(org, submitter=org.other_frontline, title="Explain pro-rata charges on the first bill",
              roadblock="Customers call because the pro-rata part of their first bill confuses them.")
    compared = []
    real = duplicates.suggest_similar
    monkeypatch.setattr(duplicates, "suggest_similar", lambda db, text, **k: compared.append(len(text)) or real(
        db, text, **k))
    at = open_page(as_role("frontline"), "submit")
    at.session_state["propose_roadblock"] = "first bill pro-rata charges " * 40_000  # 1.1 million characters
    at.text_input(key="similar_query").input("first bill").run()
    assert_clean(at)
    # Since issue 21 the roadblock itself holds at most its limit (max_chars from the service), so what reaches
    # the comparison is already within SEARCH_MAX_CHARS; the page's own cap stays as a second guard.
    assert compared and max(compared) <= duplicates.SEARCH_MAX_CHARS
    assert len(at.text_area(key="propose_roadblock").value) == ideas.FIELD_LIMITS["roadblock"]
