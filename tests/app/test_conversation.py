"""The idea page's conversation (support, follow, comments with mentions, merges), similar ideas on the propose
page, and support counts and sorting on Browse ideas — through the real app (AppTest)."""

from __future__ import annotations

import re

from hero_app.conversation import merge_confirm_key, merge_tool_key
from hero_core.services import duplicates, ideas, notifications, social
from tests.app.conftest import (
    all_text,
    as_role,
    assert_clean,
    button,
    errors,
    login,
    make_idea,
    open_page,
    plain,
    successes,
    table,
)

SAME = "It is the same roadblock, with the same fix."  # why a test merges


def link_labels(at) -> list[str]:
    return [plain(p.proto.label) for p in at.get("page_link")]


def supporters(at) -> int:
    """The supporter count the idea page states (conversation.support_line)."""
    line = next(m.value for m in at.markdown if ":material/thumb_up:" in m.value)
    return int(re.search(r"\*\*(\d+)\*\* supporters?\b", line).group(1))


def test_a_colleague_supports_and_follows_an_idea_from_its_page(org):
    idea_id = make_idea(org)
    at = open_page(as_role("manager"), "idea", id=idea_id)
    assert_clean(at)
    assert supporters(at) == 0
    button(at, "Support: I hit this too / I'd use this").click().run()
    assert_clean(at)
    assert f"You support idea #{idea_id}" in successes(at)[0]
    assert supporters(at) == 1
    line = next(m.value for m in at.markdown if ":material/thumb_up:" in m.value)
    assert "**1** supporter ·" in line and "**0** followers" in line, line
    button(at, "Follow").click().run()
    assert "its changes will appear in your notifications" in successes(at)[0]
    assert social.conversation(org.db, actor_id=org.manager, idea_id=idea_id).following
    button(at, "Withdraw my support").click().run()
    assert supporters(at) == 0


def test_the_submitter_gets_no_support_button_on_their_own_idea(org):
    idea_id = make_idea(org)
    at = open_page(as_role("frontline"), "idea", id=idea_id)
    assert_clean(at)
    assert not [b for b in at.button if b.label.startswith("Support")]
    assert [b for b in at.button if b.label == "Follow"]


def test_a_comment_with_a_mention_is_posted_and_the_colleague_is_notified(org):
    idea_id = make_idea(org)
    at = open_page(as_role("manager"), "idea", id=idea_id)
    at.text_area(key="conv_new").input("@ivan@example.com can the CRM prefill this form?")
    next(b for b in at.form_submit_button if b.label == "Post comment").click().run()
    assert_clean(at)
    assert successes(at) == ["Comment posted."]
    assert "@ivan@example.com can the CRM prefill this form?" in [t.value for t in at.text]
    assert at.text_area(key="conv_new").value == "", "the box is emptied for the next comment"
    assert [n.kind for n in notifications.inbox(org.db, actor_id=org.it)] == ["mention"]


def test_an_unknown_mention_is_named_and_the_text_is_kept(org):
    idea_id = make_idea(org)
    at = open_page(as_role("manager"), "idea", id=idea_id)
    at.text_area(key="conv_new").input("@nobody@example.com what do you think?")
    next(b for b in at.form_submit_button if b.label == "Post comment").click().run()
    assert_clean(at)
    assert any("@nobody@example.com: nobody in the compact has this email" in e for e in errors(at))
    assert at.text_area(key="conv_new").value == "@nobody@example.com what do you think?"
    assert social.comments(org.db, actor_id=org.manager, idea_id=idea_id) == []


def test_the_author_edits_and_deletes_their_comment_within_the_window(org):
    idea_id = make_idea(org)
    cid = social.add_comment(org.db, actor_id=org.manager, idea_id=idea_id, body="Lets tlak on Monday")
    at = open_page(as_role("manager"), "idea", id=idea_id)
    at.text_area(key=f"conv_edit_{cid}").input("Let's talk on Monday")
    button(at, "Save changes").click().run()
    assert_clean(at)
    assert successes(at) == ["Comment updated."]
    assert "Let's talk on Monday" in [t.value for t in at.text]
    assert "edited" in all_text(at)
    button(at, "Delete comment").click().run()
    assert "This comment was deleted by its author." in all_text(at)
    # Someone else sees no edit tools on a comment.
    other = social.add_comment(org.db, actor_id=org.executive, idea_id=idea_id, body="Agreed")
    at = open_page(at, "idea", id=idea_id)
    assert f"conv_edit_{other}" not in [t.key for t in at.text_area]


def open_merge_tool(at, idea_id: int):
    """Open the idea page's "Merge as a duplicate" expander, as clicking it does (it reruns the page)."""
    at.session_state[merge_tool_key(idea_id)] = True
    return at.run()


def test_the_closed_merge_tool_searches_nothing_and_opening_it_suggests_similar_ideas(org, monkeypatch):
    original = make_idea(org, title="Pre-filled direct debit form")
    duplicate = make_idea(org, title="Direct debit form prefilled",
                          roadblock="Customers call three times to complete the direct debit form.")
    searched = []
    real = duplicates.suggest_similar
    monkeypatch.setattr(duplicates, "suggest_similar", lambda *a, **k: searched.append(a[1]) or real(*a, **k))
    at = open_page(as_role("manager"), "idea", id=duplicate)
    assert_clean(at)
    assert "Merge as a duplicate" in [e.label for e in at.expander] and searched == []
    open_merge_tool(at, duplicate)
    assert_clean(at)
    assert len(searched) == 1 and f"#{original} · Pre-filled direct debit form" in " ".join(link_labels(at))


def test_a_manager_merges_a_duplicate_and_an_admin_undoes_it_from_the_idea_pages(org):
    original = make_idea(org, title="Pre-filled direct debit form")
    duplicate = make_idea(org, submitter=org.other_frontline, title="Direct debit form prefilled",
                          roadblock="Customers call three times to complete the direct debit form.")
    # The duplicate is from team ST: its manager is max@example.com; a manager of another team gets no merge tools.
    at = open_page(as_role("manager"), "idea", id=duplicate)
    assert_clean(at)
    assert "Merge as a duplicate" not in [e.label for e in at.expander]
    at = open_page(login("max@example.com"), "idea", id=duplicate)
    assert_clean(at)
    assert "conv_merge_original" not in [n.key for n in at.number_input]  # the tool is closed: nothing searched
    open_merge_tool(at, duplicate)
    assert f"#{original} · Pre-filled direct debit form" in " ".join(link_labels(at))  # suggested as similar
    # Entering the number (Enter in the box) merges nothing: the button names the original and waits.
    at.number_input(key="conv_merge_original").set_value(original).run()
    assert_clean(at)
    assert duplicates.merges(org.db, actor_id=org.admin, idea_id=duplicate) == []
    assert button(at, f"Merge into #{original}").disabled, "not before the person confirms"
    at.checkbox(key=merge_confirm_key(original)).check().run()
    button(at, f"Merge into #{original}").click().run()
    assert errors(at) == [f"A reason is required to merge idea #{duplicate} into idea #{original}: say what "
                          "makes it the same idea."]
    assert duplicates.merges(org.db, actor_id=org.admin, idea_id=duplicate) == []
    at.text_area(key="conv_merge_reason").input("Same form, same fix: prefill the direct debit form.")
    button(at, f"Merge into #{original}").click().run()
    assert_clean(at)
    assert successes(at) == [f"Idea #{duplicate} was merged into idea #{original}."]
    assert f"This idea repeats idea #{original}" in all_text(at)
    (merge,) = duplicates.merges(org.db, actor_id=org.admin, idea_id=duplicate)
    assert merge.reason == "Same form, same fix: prefill the direct debit form."
    # The merged idea reads as merged and offers no actions.
    assert f"Merged into idea #{original}" in all_text(at)
    assert "What you can do now" not in all_text(at) and "Start review" not in [b.label for b in at.button]
    at = open_page(at, "idea", id=original)
    assert "Credited:" in all_text(at) and "sam" in plain(all_text(at))
    at = open_page(as_role("admin"), "idea", id=duplicate)
    button(at, f"Undo merge of #{duplicate}").click().run()
    assert_clean(at)
    assert successes(at) == [f"Merge undone: idea #{duplicate} is its own idea again."]
    assert social.conversation(org.db, actor_id=org.admin, idea_id=duplicate).merged_into is None


def test_a_merge_attempt_into_a_missing_idea_shows_the_reason(org):
    duplicate = make_idea(org)
    at = open_merge_tool(open_page(as_role("manager"), "idea", id=duplicate), duplicate)
    at.number_input(key="conv_merge_original").set_value(999).run()
    at.text_area(key="conv_merge_reason").input("Same roadblock")
    at.checkbox(key=merge_confirm_key(999)).check().run()
    button(at, "Merge into #999").click().run()
    assert errors(at) == ["There is no idea #999."]


def test_the_propose_page_suggests_similar_ideas_as_the_person_describes_the_roadblock(org):
    existing = make_idea(org, submitter=org.other_frontline, title="Explain pro-rata charges on the first bill",
                         roadblock="Customers call because the pro-rata part of their first bill confuses them.")
    at = open_page(as_role("frontline"), "submit")
    assert_clean(at)
    at.text_input(key="similar_query").input("first bill pro-rata charges confuse customers").run()
    assert_clean(at)
    assert any(label.startswith(f"#{existing} · Explain pro-rata charges on the first bill") for label in
               link_labels(at))
    at.text_input(key="similar_query").input("parking at the retail park").run()
    assert "No similar ideas yet" in all_text(at)


def test_browse_shows_support_counts_and_sorts_by_them(org):
    quiet = make_idea(org, title="A quiet idea")
    loud = make_idea(org, title="A popular idea")
    ideas.start_review(org.db, actor_id=org.manager, idea_id=quiet)  # changed last: first by date
    for user in (org.manager, org.it, org.executive):
        social.set_support(org.db, actor_id=user, idea_id=loud, supported=True)
    at = open_page(as_role("frontline"), "ideas")
    assert_clean(at)
    assert list(table(at, "Title", "Supports")["#"]) == [quiet, loud]
    at.get("button_group")[0].set_value("supports").run()
    shown = table(at, "Title", "Supports")
    assert list(shown["#"]) == [loud, quiet] and list(shown["Supports"]) == [3, 0]


def test_a_merged_duplicate_is_hidden_from_browse(org):
    original = make_idea(org, title="Original idea here")
    duplicate = make_idea(org, title="Duplicate idea here")
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                               reason=SAME)
    at = open_page(as_role("frontline"), "ideas")
    assert list(table(at, "Title", "Supports")["#"]) == [original]


def test_a_mention_by_name_is_posted_and_an_ambiguous_one_names_the_candidates(org):
    from hero_core.services import people

    people.add_user(org.db, actor_id=None, email="sam.lee@example.com", name="Sam Lee", roles=["frontline"],
                    team_code="ST", password="correct horse battery staple 1")
    idea_id = make_idea(org)
    at = open_page(as_role("manager"), "idea", id=idea_id)
    at.text_area(key="conv_new").input("@sam have the stores seen this?")
    next(b for b in at.form_submit_button if b.label == "Post comment").click().run()
    assert_clean(at)
    assert any("@sam matches Sam (sam@example.com) and Sam Lee (sam.lee@example.com): write @ and their email, "
               "or more of the name" in e for e in errors(at)), errors(at)
    assert at.text_area(key="conv_new").value == "@sam have the stores seen this?", "the text is kept to fix"
    assert social.comments(org.db, actor_id=org.manager, idea_id=idea_id) == []
    at.text_area(key="conv_new").input("@Sam Lee have the stores seen this? @Ivan too")
    next(b for b in at.form_submit_button if b.label == "Post comment").click().run()
    assert_clean(at)
    assert successes(at) == ["Comment posted."]
    assert [n.kind for n in notifications.inbox(org.db, actor_id=org.it)] == ["mention"]
    assert [n.kind for n in notifications.inbox(org.db, actor_id=org.other_frontline)] == []
