"""The audit trail: append-only, hash-chained, written in the same transaction as the change it records.

Each entry's hash is SHA-256 over its own content and the previous entry's hash, so editing, deleting or
reordering any entry breaks the chain from that point on; `verify` finds the first break.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hero_core.models import AuditEntry

GENESIS = "0" * 64
# Any constant will do: it names the one advisory lock that serialises appends on PostgreSQL.
_PG_AUDIT_LOCK = 4_842_017


def _canonical(value: Any) -> str:
    if value is None or value == "":
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def _at_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_email: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before_json: str,
    after_json: str,
    reason: str,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [seq, _at_text(at), actor_id, actor_email, action, entity_type, entity_id, before_json, after_json,
         reason, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    at: datetime,
    actor_id: int | None,
    actor_email: str,
    action: str,
    entity_type: str,
    entity_id: Any,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry inside the caller's transaction (it commits or rolls back with the change)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK})
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS)
    at = at.astimezone(UTC)
    fields = dict(
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_email=actor_email,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before_json=_canonical(before),
        after_json=_canonical(after),
        reason=reason or "",
        prev_hash=prev_hash,
    )
    entry = AuditEntry(**fields, hash=compute_hash(**fields))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    message: str
    broken_id: int | None = None


def verify(session: Session) -> VerifyResult:
    """Walk the chain in storage order; report the first entry whose content, hash or position is wrong."""
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows:
        count += 1
        where = f"audit entry id {entry.id} (seq {entry.seq}, {entry.action} on {entry.entity_type} {entry.entity_id})"
        if entry.seq != expected_seq:
            # A higher seq than expected means an entry was deleted here, or entries were swapped.
            what = "missing or out of order before it" if entry.seq > expected_seq else "out of order"
            return VerifyResult(False, count, f"{where}: expected seq {expected_seq}; entries are {what}", entry.id)
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                False, count, f"{where}: does not follow the previous entry (deleted or reordered)", entry.id
            )
        recomputed = compute_hash(
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_email=entry.actor_email,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            before_json=entry.before_json,
            after_json=entry.after_json,
            reason=entry.reason,
            prev_hash=entry.prev_hash,
        )
        if recomputed != entry.hash:
            return VerifyResult(False, count, f"{where}: content does not match its hash (edited)", entry.id)
        prev_hash = entry.hash
        expected_seq += 1
        session.expunge(entry)
    return VerifyResult(True, count, f"audit trail intact: {count} entries verified")


# ---- head checkpoints: what a chain alone cannot show ------------------------------------------------------
# Deleting the newest entries leaves a shorter chain that still verifies. A checkpoint (the head's seq and hash,
# noted somewhere the database's users cannot rewrite: a file on another host, a ticket, a backup header)
# closes that gap up to the moment it was taken: the chain must still hold that entry, unchanged.


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str = ""

    def line(self) -> str:
        return f"{self.at} seq={self.seq} hash={self.hash}"

    @classmethod
    def parse(cls, line: str) -> Checkpoint:
        parts = dict(p.split("=", 1) for p in line.split() if "=" in p)
        at = line.split()[0] if line.split() and "=" not in line.split()[0] else ""
        try:
            seq, digest = int(parts["seq"]), parts["hash"]
        except (KeyError, ValueError):
            raise ValueError(f"not a checkpoint line: {line.strip()!r}") from None
        if len(digest) != 64:
            raise ValueError(f"not a checkpoint line: {line.strip()!r}")
        return cls(seq, digest, at)


def head(session: Session, *, at: datetime | None = None) -> Checkpoint:
    """The newest entry's seq and hash (seq 0 and the genesis hash for an empty trail)."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    stamp = _at_text(at or datetime.now(UTC))
    return Checkpoint(last.seq, last.hash, stamp) if last else Checkpoint(0, GENESIS, stamp)


def check_checkpoint(session: Session, checkpoint: Checkpoint) -> str | None:
    """None when the trail still holds the checkpointed entry unchanged; else what is wrong."""
    if checkpoint.seq == 0:
        return None
    stored = session.execute(select(AuditEntry.hash).where(AuditEntry.seq == checkpoint.seq)).scalar()
    taken = f"checkpoint {checkpoint.at or ''} (seq {checkpoint.seq})".replace("  ", " ")
    if stored is None:
        newest = session.execute(select(func.max(AuditEntry.seq))).scalar() or 0
        return (f"{taken}: the trail now ends at seq {newest}; entries at its end were deleted"
                if newest < checkpoint.seq else f"{taken}: entry seq {checkpoint.seq} is missing")
    if stored != checkpoint.hash:
        return f"{taken}: entry seq {checkpoint.seq} has a different hash now (the trail was rewritten)"
    return None
