"""The demo's conversation is made through the social service: audited, notifying, never on drafts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from hero_core import audit
from hero_core.demo_social import build_conversation
from hero_core.models import Comment, Idea, IdeaSupport
from hero_core.vocab import State
from tests.integration.factories import idea_in_state, new_idea


def test_the_demo_conversation_supports_and_comments_on_submitted_ideas_only(org):
    submitted = [idea_in_state(org, State.SUBMITTED) for _ in range(8)]
    draft = new_idea(org)
    supports, comments = build_conversation(org.db, today=datetime.now(UTC).date(), seed=3)
    assert supports > 0 and comments > 0
    with org.db.read() as s:
        assert s.execute(select(func.count()).select_from(IdeaSupport)).scalar() == supports
        assert s.execute(select(func.count()).select_from(Comment)).scalar() == comments
        on = set(s.execute(select(IdeaSupport.idea_id)).scalars()) | set(s.execute(select(Comment.idea_id)).scalars())
        assert on <= set(submitted) and draft not in on
        own = s.execute(select(func.count()).select_from(IdeaSupport).join(Idea, Idea.id == IdeaSupport.idea_id)
                        .where(Idea.submitter_id == IdeaSupport.user_id)).scalar()
        assert own == 0, "nobody supports their own idea"
        assert audit.verify(s).ok
