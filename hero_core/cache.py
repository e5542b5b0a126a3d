"""Read caches keyed on the data version, so a page rerun does not redo a query whose answer cannot have changed.

The data version is the head of the audit trail (its newest seq and hash, sign-ins aside): every state change
writes an audit entry in the same transaction (a rule of the compact), so any write that could change a cached
answer moves the head, and the next read recomputes. The head is one index lookup, read in the same transaction
as the answer (never newer than the answer it keys). The hash is part of the key so that a database emptied and refilled to
the same length (tests do this) never hits an old answer. Answers that depend on the time of day take the
minute as part of their key. Several app servers stay consistent: each reads the version from the shared
database.

Only immutable answers (frozen dataclasses, tuples, ints) are cached; callers get copies of lists and dicts.
The permission check always runs before a cached answer is handed out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from hero_core.models import AuditEntry

T = TypeVar("T")
MAX_ENTRIES = 512

_lock = threading.Lock()
_entries: OrderedDict[Hashable, object] = OrderedDict()
_stats = {"hits": 0, "misses": 0}


#: Audited entities that record who is signed in, never what a read model shows. Every sign-in writes one: if
#: they moved the data version, each sign-in would throw away every cached read model (at 100k ideas the Hall
#: of HEROs takes seconds to rebuild, the scorecard more), so the version skips them.
SIGN_IN_ENTITIES = ("login_session",)


def data_version(session: Session) -> tuple[int, str]:
    """The audit trail's head as read models see it: (seq, hash) of its newest entry that is not a sign-in or
    sign-out, (0, '') when there is none. Walks the seq index down from the top, past the sign-ins only."""
    head = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                           .where(AuditEntry.entity_type.not_in(SIGN_IN_ENTITIES))
                           .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return (head.seq, head.hash) if head else (0, "")


def cached(session: Session, key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`'s answer for `key` at the current data version, from the cache when it is there."""
    bind = session.get_bind()
    full = (str(bind.url), data_version(session), key)
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            _stats["hits"] += 1
            return _entries[full]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _stats["misses"] += 1
        _entries[full] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()


def stats() -> dict[str, int]:
    with _lock:
        return dict(_stats, entries=len(_entries))
