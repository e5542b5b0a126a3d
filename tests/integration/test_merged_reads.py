"""A merge needs a reason, which the audit trail keeps; a merged duplicate reads as merged everywhere (the idea,
My ideas' list, the export) and offers no actions, and the scorecard counts it once, as its original (issue 21)."""

from __future__ import annotations

import pytest

from hero_core.errors import MissingInformation
from hero_core.services import duplicates, ideas, ideas_io, notifications, scorecard
from hero_core.services.ideas import IdeaFilter
from tests.integration.factories import audit_actions, idea_input

REASON = "Same returns form, same fix: cut it to four fields."


def two_ideas(org) -> tuple[int, int]:
    original = ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(title="Shorter returns form"),
                                 submit=True)
    duplicate = ideas.create_idea(org.db, actor_id=org.frontline_b,
                                  data=idea_input(title="Returns form is too long"), submit=True)
    return original, duplicate


def test_a_merge_without_a_reason_is_refused_and_changes_nothing(org):
    original, duplicate = two_ideas(org)
    for blank in ("", "   "):
        with pytest.raises(MissingInformation) as refused:
            duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                                       reason=blank)
        assert str(refused.value) == (f"A reason is required to merge idea #{duplicate} into idea #{original}: "
                                      "say what makes it the same idea.")
    assert "merged_into" not in audit_actions(org.db, duplicate)
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=duplicate).merged_into_id is None


def test_the_reason_goes_in_the_audit_trail_and_to_the_duplicates_author(org):
    original, duplicate = two_ideas(org)
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                               reason=REASON)
    entries = {e.action: e for e in ideas.timeline(org.db, actor_id=org.admin, idea_id=duplicate)}
    assert entries["merged_into"].reason == REASON
    assert [e.reason for e in ideas.timeline(org.db, actor_id=org.admin, idea_id=original)
            if e.action == "absorbed_duplicate"] == [REASON]
    told = [n.message for n in notifications.inbox(org.db, actor_id=org.frontline_b)]
    assert any(m.endswith(f"Reason: {REASON}") for m in told), told


def test_a_merged_idea_reads_as_merged_and_offers_no_actions(org):
    original, duplicate = two_ideas(org)
    assert "start_review" in ideas.get_idea(org.db, actor_id=org.manager, idea_id=duplicate).available_actions
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                               reason=REASON)
    for who in (org.manager, org.frontline_b, org.admin):
        view = ideas.get_idea(org.db, actor_id=who, idea_id=duplicate)
        assert view.merged_into_id == original
        assert (view.available_actions, view.may_edit, view.may_assess, view.may_plan) == ((), False, False, False)
        assert view.waiting_on.startswith(f"nobody: it repeats idea #{original} and was merged into it")

    # The author's own list keeps it, marked; the shared lists leave it out unless asked.
    mine, total = ideas.list_ideas(org.db, actor_id=org.frontline_b,
                                   flt=IdeaFilter(submitter_id=org.frontline_b, include_merged=True))
    assert total == 1 and (mine[0].id, mine[0].merged_into_id) == (duplicate, original)
    shared, _ = ideas.list_ideas(org.db, actor_id=org.manager)
    assert [i.id for i in shared] == [original]

    rows = {r["id"]: r for r in ideas_io.export_rows(org.db, actor_id=org.admin)}
    assert rows[duplicate]["merged_into"] == original and rows[original]["merged_into"] == ""
    assert ideas_io.EXPORT_COLUMNS[-1] == "merged_into"


def test_the_scorecard_counts_a_merged_duplicate_once_as_its_original(org):
    original, duplicate = two_ideas(org)
    before = scorecard.scorecard(org.db, actor_id=org.executive)
    everyone = before[before["team"] == scorecard.ALL_TEAMS]
    assert int(everyone["ideas"].sum()) == 2
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                               reason=REASON)
    after = scorecard.scorecard(org.db, actor_id=org.executive)
    assert int(after[after["team"] == scorecard.ALL_TEAMS]["ideas"].sum()) == 1
