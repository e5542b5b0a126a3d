"""The conversation around an idea on its page (support, follow, comments, duplicates and merges), and the
similar-idea suggestions on "Propose an idea". The rules live in hero_core/services/social.py and duplicates.py;
this module only draws them and calls the services. Widget keys start with "conv_" or "similar_".
"""

from __future__ import annotations

import streamlit as st

from hero_app import ui
from hero_core.db import Database
from hero_core.errors import HeroError
from hero_core.services import duplicates, people, social
from hero_core.services.ideas import IdeaView

P = "conv"


def panel(db: Database, user: ui.CurrentUser, view: IdeaView) -> None:
    """Everything social about one idea, for the idea page."""
    try:
        conv = social.conversation(db, actor_id=user.id, idea_id=view.id)
    except HeroError as exc:
        ui.show_error(exc)
        return
    if conv.merged_into:
        original_id, original_title = conv.merged_into
        st.info(f"This idea repeats idea #{original_id} and was merged into it: its supporters, followers and "
                "comments are there now, and its author is credited there.", icon=":material/call_merge:")
        ui.idea_link(original_id, original_title)
    if len(conv.credited) > 1 or conv.merged_from:
        names = ", ".join(f"{ui.md(c.name)} ({ui.md(c.email)})" for c in conv.credited)
        st.markdown(f"**Credited:** {names}")
        if conv.merged_from:
            st.caption("Duplicates merged into this idea: "
                       + ", ".join(f"#{i} {ui.md(t)}" for i, t in conv.merged_from))
    _support_and_follow(db, user, view, conv)
    st.subheader(f"Conversation ({sum(1 for c in conv.comments if not c.deleted)})")
    for comment in conv.comments:
        _comment(db, user, view, comment)
    if conv.merged_into is None:
        _new_comment(db, user, view)
    _merge_tools(db, user, view, conv)


def support_line(supports: int, followers: int) -> str:
    """How many support and follow the idea, as the idea page states it."""
    return (f":material/thumb_up: **{supports}** supporter{'' if supports == 1 else 's'} · "
            f":material/notifications_active: **{followers}** follower{'' if followers == 1 else 's'}")


def _support_and_follow(db: Database, user: ui.CurrentUser, view: IdeaView, conv: social.ConversationView) -> None:
    # A line of text, not two metric tiles: fewer elements for the browser to draw on every idea page.
    st.markdown(support_line(conv.supports, conv.followers),
                help="Supporters are colleagues who hit this roadblock too, or would use the fix; followers get a "
                     "notification when the idea changes.")
    with st.container(horizontal=True):
        if conv.may_support:
            label = "Withdraw my support" if conv.supported else "Support: I hit this too / I'd use this"
            if st.button(label, key=f"{P}_support", icon=":material/thumb_up:",
                         type="secondary" if conv.supported else "primary"):
                ui.attempt(lambda: social.set_support(db, actor_id=user.id, idea_id=view.id,
                                                      supported=not conv.supported),
                           success="Support withdrawn." if conv.supported else
                           f"You support idea #{view.id}. Thank you: it shows the team this roadblock is common.",
                           where="support an idea")
        if conv.merged_into is None or conv.following:
            label = "Stop following" if conv.following else "Follow"
            if st.button(label, key=f"{P}_follow", icon=":material/notifications_active:"):
                ui.attempt(lambda: social.set_follow(db, actor_id=user.id, idea_id=view.id,
                                                     following=not conv.following),
                           success=f"You no longer follow idea #{view.id}." if conv.following else
                           f"You follow idea #{view.id}: its changes will appear in your notifications.",
                           where="follow an idea")


def _comment(db: Database, user: ui.CurrentUser, view: IdeaView, comment: social.CommentView) -> None:
    with st.container(border=True):
        edited = f" · edited {ui.fmt_dt(comment.edited_at)}" if comment.edited_at else ""
        st.caption(f"{ui.md(comment.author_name)} ({ui.md(comment.author_email)}) · "
                   f"{ui.fmt_dt(comment.created_at)}{edited}")
        if comment.deleted:
            st.caption("This comment was deleted by its author.")
            return
        st.text(comment.body)
        if comment.editable_until is None:
            return
        with st.expander(f"Edit or delete (until {comment.editable_until:%H:%M} UTC)"):
            key = f"{P}_edit_{comment.id}"
            st.session_state.setdefault(key, comment.body)
            st.text_area("Your comment", key=key)
            with st.container(horizontal=True):
                if st.button("Save changes", key=f"{P}_save_{comment.id}", icon=":material/save:"):
                    ui.attempt(lambda: social.edit_comment(db, actor_id=user.id, comment_id=comment.id,
                                                           body=st.session_state.get(key, "")),
                               success="Comment updated.", where="edit a comment", clear=[key])
                if st.button("Delete comment", key=f"{P}_delete_{comment.id}", icon=":material/delete:"):
                    ui.attempt(lambda: social.delete_comment(db, actor_id=user.id, comment_id=comment.id),
                               success="Comment deleted.", where="delete a comment", clear=[key])


def _new_comment(db: Database, user: ui.CurrentUser, view: IdeaView) -> None:
    key = f"{P}_new"
    if st.session_state.pop(f"{key}_posted", False):
        # Set, not removed: a removed key would let the browser keep showing the old text in the box.
        st.session_state[key] = ""
    with st.form(f"{P}_comment_form"):
        st.text_area("Add a comment", key=key, max_chars=social.MAX_COMMENT,
                     help="Mention a colleague with @ and their name as you would write it (@Priya Raman, or "
                          "@Priya if she is the only Priya) or their email: they get a notification. A name that "
                          "fits several people is not guessed: the comment stays here and you are told who they "
                          "are. You can edit or delete your comment for 15 minutes.")
        posted = st.form_submit_button("Post comment", icon=":material/chat:")
    if posted:
        def post() -> int:
            comment_id = social.add_comment(db, actor_id=user.id, idea_id=view.id, body=st.session_state.get(key, ""))
            st.session_state[f"{key}_posted"] = True  # only once it is stored: a refused comment stays to fix
            return comment_id

        ui.attempt(post, success="Comment posted.", where="post a comment")


def merge_tool_key(idea_id: int) -> str:
    """The session key of the idea page's "Merge as a duplicate" expander (True while it is open)."""
    return f"{P}_merge_open_{idea_id}"


def _merge_tools(db: Database, user: ui.CurrentUser, view: IdeaView, conv: social.ConversationView) -> None:
    try:
        may_merge = conv.may_merge
        history = duplicates.merges(db, actor_id=user.id, idea_id=view.id) if (
            may_merge or user.may("undo_merge") or conv.merged_into or conv.merged_from) else []
    except HeroError as exc:
        ui.show_error(exc)
        return
    # The tool looks for similar ideas only while it is open: a closed expander would still search the whole
    # company's ideas (and build the similarity index) on every run of the idea page (measured:
    # docs/measurements.md).
    if may_merge:
        box = ui.lazy_expander("Merge as a duplicate", key=merge_tool_key(view.id), icon=":material/call_merge:")
        if box.open:
            with box:
                st.caption("If this idea repeats an earlier one, merge it into that original: supporters, followers "
                           "and comments move over, both authors are credited, and this idea leaves the queues. "
                           "An admin can undo a merge.")
                similar = duplicates.suggest_similar(db, f"{view.title}\n{view.roadblock}\n{view.proposal}",
                                                     limit=5, exclude_ids=[view.id])
                if similar:
                    st.markdown("**Similar ideas**")
                    names = people.team_names(db)
                    for s in similar:
                        ui.idea_link(s.id, f"{s.title} ({ui.state_label(s.state)}, "
                                           f"{names.get(s.team_code, s.team_code)}, {s.score}% alike)")
                _merge_form(db, user, view, similar)
    live = [m for m in history if m.undone_at is None]
    if history and (user.may("undo_merge") or live):
        with st.expander("Merge history", icon=":material/history:"):
            for m in history:
                status = f"undone {ui.fmt_dt(m.undone_at)}" if m.undone_at else "in force"
                st.markdown(f"#{m.duplicate_id} {ui.md(m.duplicate_title)} → #{m.original_id} "
                            f"{ui.md(m.original_title)} · by {ui.md(m.merged_by_name or m.merged_by_email)} "
                            f"{ui.fmt_dt(m.merged_at)} · {status}")
                if m.reason:
                    st.caption(ui.md(m.reason))
                if m.undone_at is None and user.may("undo_merge") and st.button(
                        f"Undo merge of #{m.duplicate_id}", key=f"{P}_undo_{m.id}", icon=":material/undo:"):
                    ui.attempt(lambda m=m: duplicates.undo_merge(db, actor_id=user.id, merge_id=m.id),
                               success=f"Merge undone: idea #{m.duplicate_id} is its own idea again.",
                               idea_id=m.duplicate_id, where="undo a merge")


MERGE_ORIGINAL, MERGE_REASON = f"{P}_merge_original", f"{P}_merge_reason"


def merge_confirm_key(original_id: int) -> str:
    """The session key of the "I have checked…" box for one original (a new original starts unticked)."""
    return f"{P}_merge_confirm_{original_id}"


def _merge_form(db: Database, user: ui.CurrentUser, view: IdeaView, similar) -> None:
    """Pick the original, say why, tick that it was checked, then press "Merge into #N". No st.form: Enter in the
    number box once submitted a form and merged at once, with no reason and no second look."""
    original = st.number_input("Original idea #", min_value=1, step=1, value=None, key=MERGE_ORIGINAL,
                               placeholder=str(similar[0].id) if similar else "idea number")
    st.text_area("Why it is a duplicate (required: both submitters and the merge history read it)",
                 key=MERGE_REASON, max_chars=2_000)
    if original is None:
        st.caption("Enter the number of the original idea this one repeats.")
        return
    original = int(original)
    confirmed = st.checkbox(f"I have checked that this idea repeats #{original}", key=merge_confirm_key(original))
    ui.action_button(
        f"Merge into #{original}",
        lambda: duplicates.merge_duplicate(db, actor_id=user.id, duplicate_id=view.id, original_id=original,
                                           reason=st.session_state.get(MERGE_REASON) or "",
                                           expected_version=ui.opened_version(view.id, view.version)),
        key=f"{P}_merge_go", type="primary", icon=":material/call_merge:", disabled=not confirmed,
        success=f"Idea #{view.id} was merged into idea #{original}.", idea_id=view.id, where="merge a duplicate",
        clear=[MERGE_ORIGINAL, MERGE_REASON, merge_confirm_key(original)])


# ---- "Propose an idea": has someone had this idea already? -------------------------------------------------


SIMILAR_QUERY_MAX_CHARS = 200


@st.fragment
def similar_ideas(db: Database, *, prefix: str) -> None:
    """Suggest existing ideas like the one being written. Reruns on its own (not the whole page) as the person
    types into its box; after a save attempt it also uses what the form holds."""
    duplicates.warm(db)
    st.text_input("Has a colleague had this idea already? Describe the roadblock in a few words",
                  key="similar_query", placeholder="e.g. customers call again about their first bill",
                  max_chars=SIMILAR_QUERY_MAX_CHARS,
                  help="Press Enter to look. Supporting an existing idea often gets a fix faster than a new one.")
    typed = str(st.session_state.get("similar_query") or "")[:SIMILAR_QUERY_MAX_CHARS]
    written = " ".join(str(st.session_state.get(f"{prefix}_{f}") or "") for f in ("title", "roadblock", "proposal"))
    text = f"{typed} {written}".strip()
    if not text:
        return
    if len(text) > duplicates.SEARCH_MAX_CHARS:
        text = text[:duplicates.SEARCH_MAX_CHARS]
        st.caption(f"Only the first {duplicates.SEARCH_MAX_CHARS:,} characters of what you wrote were compared.")
    found = duplicates.suggest_similar(db, text, limit=5)
    if not found:
        st.caption("No similar ideas yet: yours may well be the first.")
        return
    st.markdown("**Similar ideas** — support one of these instead if it is the same roadblock:")
    names = people.team_names(db)
    for s in found:
        ui.idea_link(s.id, f"{s.title} ({ui.state_label(s.state)}, {names.get(s.team_code, s.team_code)}, "
                           f"{s.score}% alike)")

