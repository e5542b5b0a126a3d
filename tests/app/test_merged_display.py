"""A merged duplicate reads as merged on My ideas and on its page, with no actions offered (issue 21)."""

from __future__ import annotations

from hero_core.services import duplicates
from tests.app.conftest import all_text, as_role, assert_clean, make_idea, open_page, table


def test_my_ideas_and_the_idea_page_show_a_merged_idea_as_merged(org):
    original = make_idea(org, submitter=org.frontline_b, title="Pre-filled direct debit form")
    duplicate = make_idea(org, title="Direct debit form prefilled")
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                               reason="Same form, same fix.")
    at = open_page(as_role("frontline"), "my-ideas")
    assert_clean(at)
    rows = table(at, "Title", "State")
    row = rows[rows["#"] == duplicate].iloc[0]
    assert row["State"] == f"Merged into #{original}"
    assert row["Waiting on"].startswith(f"nobody: it repeats idea #{original}")
    assert f"#{duplicate} · Direct debit form prefilled — Merged into #{original}" in [e.label for e in at.expander]

    at = open_page(as_role("manager"), "idea", id=duplicate)
    assert_clean(at)
    assert f"**Merged into idea #{original}** (when merged: Submitted)" in at.markdown[0].value
    assert "What you can do now" not in all_text(at)
    assert not [b for b in at.button if b.label in ("Start review", "Approve", "Decline", "Retire")]
