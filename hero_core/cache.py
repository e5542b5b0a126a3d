"""The one data version and the one read cache: every cached read model of the compact goes through `cached`.

`data_version(session)` says when anything a read model shows may have changed. Its parts, each one index lookup
(read together in one statement, in the same transaction as the check that uses it):

* the audit trail's head (newest seq and hash), sign-ins and sign-outs aside: every state change made through
  the services writes an audit entry in the same transaction (a rule of the compact), the metrics import
  included (entity "observations"), so for the app the head alone would do. The hash is part of it so that a
  database emptied and refilled to the same length (tests do this) never hits an old answer;
* the highest observation id: observations written without an audit entry (the seed and the demo load them in
  bulk, tests store them directly) still move the version; an import that replaces rows deletes, then inserts;
* the ideas' highest id and latest update: idea rows written outside the services (the seed, the demo, tests'
  factories, scripts) still move it.

Sign-ins do not move it: each one would throw away every cached read model (at 100k ideas the Hall of HEROs takes
seconds to rebuild, the scorecard more), and none of them changes what a read model shows.

`cached(session, key, compute)` gives compute()'s answer for `key` at the current data version, from memory when
this process has it, else (with persist=True) from the snapshot the last process built at the same version
(hero_core.infra.snapshots), else computed. An answer is never older than the version it is keyed on: the
version is read before compute() runs. Answers that depend on the time of day put in their key what they depend
on (the minute), or say when they expire (`still_good`: the scorecard, once the next deadline passes). Several
app servers stay consistent: each reads the version from the shared database.

Rules for callers: check the permission before asking (a cached answer is handed to anyone who asks for its
key); cache only immutable answers (frozen dataclasses, tuples, ints; a DataFrame handed out as a shallow copy,
which pandas' copy-on-write keeps from changing the cached one); give callers copies of lists and dicts.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import TypeVar

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hero_core.infra import memory, snapshots
from hero_core.models import AuditEntry, Idea, Observation

T = TypeVar("T")
MAX_ENTRIES = 512
#: Roughly how much the kept answers may weigh (`_weight`; a portfolio's and a hall's sizes:
#: docs/measurements.md).
MAX_BYTES = 256 * 1024 * 1024

_lock = threading.Lock()
_entries: OrderedDict[Hashable, object] = OrderedDict()
_weights: dict[Hashable, int] = {}
_current: dict[Hashable, Hashable] = {}  # (database, key) -> the entry of its newest version: only that one is kept
_building: dict[Hashable, list] = {}  # answer -> [the lock of its build, how many wait for it]
_stats = {"hits": 0, "misses": 0, "restored": 0}


#: Audited entities that record who is signed in, never what a read model shows. Every sign-in writes one: if
#: they moved the data version, each sign-in would throw away every cached read model (at 100k ideas the Hall
#: of HEROs takes seconds to rebuild, the scorecard more), so the version skips them.
SIGN_IN_ENTITIES = ("login_session",)


_HEAD = (select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.entity_type.not_in(SIGN_IN_ENTITIES))
         .order_by(AuditEntry.seq.desc()).limit(1))
# One aggregate per subquery: SQLite answers a lone max() from an index, several together by a table scan.
_VERSION = select(
    _HEAD.with_only_columns(AuditEntry.seq).scalar_subquery(),
    _HEAD.with_only_columns(AuditEntry.hash).scalar_subquery(),
    select(func.max(Observation.id)).scalar_subquery(),
    select(func.max(Idea.id)).scalar_subquery(),
    select(func.max(Idea.updated_at)).scalar_subquery(),
)


def data_version(session: Session) -> tuple:
    """(audit seq, audit hash, highest observation id, highest idea id, latest idea update): see the module
    docstring. (0, "", ...) for an empty trail. Its first two parts are the audit trail's head as read models
    see it: the newest entry that is not a sign-in or sign-out."""
    seq, head_hash, obs, idea_id, updated = session.execute(_VERSION).one()
    return (seq or 0, head_hash or "", obs or 0, idea_id or 0, updated.isoformat() if updated else "")


def cached(session: Session, key: tuple, compute: Callable[[], T], *, persist: bool = False,
           version: tuple | None = None, still_good: Callable[[T], bool] | None = None) -> T:
    """`compute()`'s answer for `key` at the current data version: from this process's memory, else (persist=True,
    for read models that take seconds to build) from the snapshot another process built at the same version,
    else computed (and kept in both). `version`: one the caller read in this session, so that several answers
    (one derived from another) share it. `still_good(answer)`: False when a kept answer has expired for another
    reason than the data (the time passed a deadline it depends on); it is then computed again."""
    url = str(session.get_bind().url)
    version = data_version(session) if version is None else version
    full = (url, version, key)
    value = _kept(full, still_good)
    if value is not snapshots.MISSING:
        return value  # type: ignore[return-value]
    with _one_build(full):  # a second visitor waits for the first one's answer instead of building it again
        value = _kept(full, still_good)
        if value is not snapshots.MISSING:
            return value  # type: ignore[return-value]
        value = snapshots.get(url, (version, key)) if persist else snapshots.MISSING
        counter = "restored"
        if value is snapshots.MISSING or (still_good is not None and not still_good(value)):  # type: ignore[arg-type]
            value = compute()
            if persist:
                memory.release_unused_memory()  # such a build peaks at several times its answer's size
                snapshots.put(url, (version, key), value)
            counter = "misses"
        with _lock:
            _stats[counter] += 1
            older = _current.get((url, key))
            if older is not None and older != full and older[1] < version:  # type: ignore[index]
                _drop(older)  # an answer for an older version: nobody asks for it again
            _current[(url, key)] = full
            _entries[full] = value
            _entries.move_to_end(full)
            _weights[full] = _weight(value)
            while len(_entries) > MAX_ENTRIES or (len(_entries) > 1 and sum(_weights.values()) > MAX_BYTES):
                _drop(next(iter(_entries)))
    return value  # type: ignore[return-value]


def _kept(full: Hashable, still_good: Callable[[T], bool] | None) -> object:
    """The answer kept in memory for `full` (counted as a hit), or MISSING."""
    with _lock:
        value = _entries.get(full, snapshots.MISSING)
        if value is not snapshots.MISSING:
            _entries.move_to_end(full)
    if value is snapshots.MISSING or (still_good is not None and not still_good(value)):  # type: ignore[arg-type]
        return snapshots.MISSING
    with _lock:
        _stats["hits"] += 1
    return value


@contextlib.contextmanager
def _one_build(full: Hashable) -> Iterator[None]:
    with _lock:
        entry = _building.setdefault(full, [threading.Lock(), 0])
        entry[1] += 1
    try:
        with entry[0]:
            yield
    finally:
        with _lock:
            entry[1] -= 1
            if not entry[1]:
                _building.pop(full, None)


def _drop(full: Hashable) -> None:
    _entries.pop(full, None)
    _weights.pop(full, None)
    url, _, key = full  # type: ignore[misc]
    if _current.get((url, key)) == full:
        del _current[(url, key)]


def _weight(value: object) -> int:
    """About how many bytes an answer holds: its frames' and Arrow tables' buffers, 1 KB for anything else."""
    frames = [getattr(value, name, None) for name in ("frame", "counts", "durations", "data")] + [value]
    total = sum(int(f.memory_usage(index=True, deep=False).sum()) for f in frames if isinstance(f, pd.DataFrame))
    table = getattr(getattr(value, "ideas", None), "_table", None)  # the hall's scaled ideas
    total += int(getattr(table, "nbytes", 0) or 0) + 512 * len(getattr(value, "heroes", ()) or ())
    return max(total, 1024)


def clear() -> None:
    with _lock:
        _entries.clear()
        _weights.clear()
        _current.clear()


def stats() -> dict[str, int]:
    with _lock:
        return dict(_stats, entries=len(_entries))
