"""The audit trail: append-only, hash-chained, written in the same transaction as the change it records.

Each entry's hash is HMAC-SHA256 over its own content and the previous entry's hash, under a key kept outside
the database (hero_core.audit_key), so editing, deleting or reordering any entry breaks the chain from that point
on, and someone who can rewrite the database but does not hold the key cannot recompute it; `verify` finds the
first break.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hero_core import audit_key
from hero_core.audit_key import AuditKey, AuditKeyError, Segment
from hero_core.models import AuditEntry

GENESIS = "0" * 64
_HEX64 = re.compile(r"[0-9a-f]{64}")
# Any constant will do: it names the one advisory lock that serialises appends on PostgreSQL.
_PG_AUDIT_LOCK = 4_842_017


# One encoder for every entry: json.dumps with options builds a new encoder per call (slow for the seed's ~1M).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
_quote = json.encoder.encode_basestring  # how json.dumps(..., ensure_ascii=False) writes a string


def canonical(value: Any) -> str:
    """The JSON an entry stores for a before/after value: sorted keys, no spaces, Unicode as is ("" for none)."""
    if value is None or value == "":
        return ""
    return _CANONICAL.encode(value)


def _at_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_YEAR_1000 = (datetime(1000, 1, 1, tzinfo=UTC) - _EPOCH) // _MICROSECOND


def _at_texts(ats: Sequence[datetime]) -> list[str]:
    """_at_text of many moments, formatted by numpy all at once (an strftime each was a third of hashing)."""
    try:
        micros = np.array([(at - _EPOCH) // _MICROSECOND for at in ats], dtype=np.int64)
    except TypeError:  # a moment without a zone: astimezone reads it as local time
        return [_at_text(at) for at in ats]
    if len(micros) and micros.min() < _YEAR_1000:  # numpy and strftime write such years differently
        return [_at_text(at) for at in ats]
    return [text + "Z" for text in np.datetime_as_string(micros.view("datetime64[us]"), unit="us").tolist()]


def _payload(*, at: datetime, **fields: Any) -> bytes:
    """The bytes an entry's hash covers: the JSON list of its fields, `at` as UTC text to the microsecond."""
    return _payload_of(at_text=_at_text(at), **fields)


def _payload_of(
    *,
    seq: int,
    at_text: str,
    actor_id: int | None,
    actor_email: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before_json: str,
    after_json: str,
    reason: str,
    prev_hash: str,
) -> bytes:
    if (type(seq) is int and (actor_id is None or type(actor_id) is int)
            and str is type(actor_email) is type(action) is type(entity_type) is type(entity_id)
            is type(before_json) is type(after_json) is type(reason) is type(prev_hash)):
        # The same bytes json.dumps writes for this list (tests/unit/test_audit_payload.py checks it), without
        # building the list and its chunks: `hero seed` hashes about a million entries.
        return (f'[{seq},"{at_text}",{"null" if actor_id is None else actor_id},{_quote(actor_email)},'
                f"{_quote(action)},{_quote(entity_type)},{_quote(entity_id)},{_quote(before_json)},"
                f"{_quote(after_json)},{_quote(reason)},{_quote(prev_hash)}]").encode()
    return json.dumps(
        [seq, at_text, actor_id, actor_email, action, entity_type, entity_id, before_json, after_json,
         reason, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


@functools.lru_cache(maxsize=8)
def _prepared(secret: bytes) -> hmac.HMAC:
    return hmac.new(secret, digestmod=hashlib.sha256)


def hasher(secret: bytes) -> Callable[[bytes], str]:
    """The chain's hash function under `secret`: HMAC-SHA256 of a payload, hex. Copies one prepared HMAC (the
    key's padding is hashed once), which keeps bulk seeding as fast as with plain SHA-256."""
    prepared = _prepared(secret)

    def digest(payload: bytes) -> str:
        h = prepared.copy()
        h.update(payload)
        return h.hexdigest()

    return digest


def compute_hash(*, key: bytes | None = None, **fields: Any) -> str:
    """An entry's keyed hash (HMAC-SHA256 under `key`, by default the configured audit key) from its fields:
    seq, at, actor_id, actor_email, action, entity_type, entity_id, before_json, after_json, reason, prev_hash."""
    secret = key if key is not None else audit_key.require().secret
    return hasher(secret)(_payload(**fields))


def chain(entries: Sequence[Sequence[Any]], *, key: bytes, seq: int, prev_hash: str) -> list[str]:
    """The hashes of `entries` appended in this order after the entry numbered `seq` whose hash is `prev_hash`:
    what `compute_hash` gives each, for a writer that appends many at once (`hero seed`). An entry is the tuple
    (at, actor_id, actor_email, action, entity_type, entity_id, before_json, after_json, reason)."""
    sign = hasher(key)
    hashes = []
    for (_, actor_id, email, action, entity_type, entity_id, before, after, reason), at_text in zip(
            entries, _at_texts([e[0] for e in entries]), strict=True):
        seq += 1
        prev_hash = sign(_payload_of(
            seq=seq, at_text=at_text, actor_id=actor_id, actor_email=email, action=action, entity_type=entity_type,
            entity_id=entity_id, before_json=before, after_json=after, reason=reason, prev_hash=prev_hash))
        hashes.append(prev_hash)
    return hashes


def unkeyed_hash(**fields: Any) -> str:
    """The hash trails carried before they were keyed: plain SHA-256 of the same payload."""
    return hashlib.sha256(_payload(**fields)).hexdigest()


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
        before_json=canonical(before),
        after_json=canonical(after),
        reason=reason or "",
        prev_hash=prev_hash,
    )
    # A trail that is still empty starts with a new key if none is configured; a trail that has entries needs the
    # key they were signed with.
    key = audit_key.require() if last else _key_for_new_trail()
    entry = AuditEntry(**fields, hash=compute_hash(**fields, key=key.secret))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    message: str
    broken_id: int | None = None


_FIELDS = ("seq", "at", "actor_id", "actor_email", "action", "entity_type", "entity_id", "before_json",
           "after_json", "reason", "prev_hash")


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _FIELDS}


def verify(session: Session, *, key: AuditKey | None = None, after: Checkpoint | None = None) -> VerifyResult:
    """Walk the chain in storage order; report the first entry whose content, hash or position is wrong.

    `after`: a head verified earlier; only the entries after it are walked (it must still be there, unchanged)."""
    prev_hash = after.hash if after else GENESIS
    expected_seq = after.seq + 1 if after else 1
    count = 0
    signers: list[tuple[Segment | None, Callable[[bytes], str]]] = []  # earlier parts first, the current key last
    query = select(AuditEntry).order_by(AuditEntry.id)
    if after:
        problem = check_checkpoint(session, after)
        if problem:
            return VerifyResult(False, 0, problem)
        query = query.where(AuditEntry.seq > after.seq)
    rows = session.execute(query).scalars()
    for entry in rows:
        count += 1
        if not signers:  # an empty trail needs no key
            key = key or audit_key.require()
            signers = [(s, hasher(s.secret) if s.secret else _sha256_hex) for s in key.earlier]
            signers.append((None, hasher(key.secret)))
        where = f"audit entry id {entry.id} (seq {entry.seq}, {entry.action} on {entry.entity_type} {entry.entity_id})"
        if entry.seq != expected_seq:
            # A higher seq than expected means an entry was deleted here, or entries were swapped.
            what = "missing or out of order before it" if entry.seq > expected_seq else "out of order"
            return VerifyResult(False, count, f"{where}: expected seq {expected_seq}; entries are {what}", entry.id)
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                False, count, f"{where}: does not follow the previous entry (deleted or reordered)", entry.id
            )
        while signers[0][0] is not None and entry.seq > signers[0][0].seq:
            signers.pop(0)  # past that earlier part
        segment, sign = signers[0]
        payload = _payload(**_fields(entry))
        if sign(payload) != entry.hash:
            if segment is None and _sha256_hex(payload) == entry.hash:
                why = ("carries a plain SHA-256 hash, not the keyed one: rewritten by someone without the audit "
                       "key" + ("" if key.earlier else ", or written before keys (then `hero init` pins that part)"))
            elif segment is None:
                why = "content does not match its hash (edited, or signed with a different audit key)"
            else:
                why = "content does not match its hash (edited)"
            return VerifyResult(False, count, f"{where}: {why}", entry.id)
        if segment is not None and entry.seq == segment.seq and entry.hash != segment.hash:
            return VerifyResult(False, count, f"{where}: is not the head pinned in {key.source} ({_part(segment)} "
                                f"seq {segment.seq}); that part of the trail was rewritten", entry.id)
        prev_hash = entry.hash
        expected_seq += 1
        session.expunge(entry)
    pinned = [s for s, _ in signers if s is not None]
    if pinned and expected_seq - 1 < pinned[-1].seq:
        return VerifyResult(False, count, f"the trail ends at seq {expected_seq - 1}, before the head pinned at seq "
                            f"{pinned[-1].seq} in {key.source} ({_part(pinned[-1])}): entries at its end were deleted")
    return VerifyResult(True, count, f"audit trail intact: {count} entries verified")


def _sha256_hex(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _part(segment: Segment) -> str:
    return "unkeyed-until" if segment.secret is None else "retired-key"


def rotate_key(db) -> tuple[AuditKey, Checkpoint]:
    """Retire the key file's key at the trail's head, sign from the next entry on with a new one, and record that.

    The whole trail is verified first (a broken trail is not re-keyed); the file is then replaced under the trail's
    append lock, after checking only what was appended meanwhile, so no entry is signed with a retired key and
    writers wait for milliseconds, not for a whole verify."""
    key = audit_key.require()
    if key.source == audit_key.ENV_KEY:
        raise AuditKeyError("the audit key comes from HERO_AUDIT_KEY, which `hero audit rotate-key` cannot change; "
                            f"rotate with the key file ({audit_key.key_file()}) instead")
    with db.read() as s:
        result = verify(s, key=key)
        verified = head(s)
    if not result.ok:
        raise AuditKeyError(f"not rotating the key of a broken trail: {result.message}")
    with db.write() as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK})  # on SQLite: BEGIN IMMEDIATE
        since = verify(s, key=key, after=verified)
        if not since.ok:
            raise AuditKeyError(f"not rotating the key of a broken trail: {since.message}")
        retired_at = head(s)
        new_key = audit_key.replace_file(key, head_seq=retired_at.seq, head_hash=retired_at.hash)
        record(s, at=datetime.now(UTC), actor_id=None, actor_email="system", action="audit_key_rotated",
               entity_type="audit_key", entity_id="key",
               after={"key_file": new_key.source, "retired_at_seq": retired_at.seq})
    return new_key, retired_at


def _key_for_new_trail() -> AuditKey:
    return audit_key.load() or audit_key.create_file()[0]


def _unkeyed_head(session: Session) -> tuple[int, str]:
    """The last entry of the unbroken run, from seq 1, of entries carrying plain SHA-256 hashes."""
    head_seq, prev = 0, GENESIS
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        if entry.seq != head_seq + 1 or entry.prev_hash != prev or unkeyed_hash(**_fields(entry)) != entry.hash:
            break
        head_seq, prev = entry.seq, entry.hash
        session.expunge(entry)
    return head_seq, prev


def adopt_key(db) -> str:
    """For `hero init`: make sure the trail has its key, and say so in one line.

    A database without entries gets a new key file when no key is configured. A trail written before keys gets a
    new key file that pins its head, so that part stays checkable. A trail that starts unkeyed although a key
    already exists is refused: it was rewritten without the key, unless the operator knows it predates keys."""
    key = audit_key.load()
    with db.read() as s:
        first = s.execute(select(AuditEntry).order_by(AuditEntry.seq).limit(1)).scalar()
        if first is None or (key is not None and key.earlier):
            if key is None:
                key, made = audit_key.create_file()
                return f"audit key {'created at' if made else 'found at'} {key.source}"
            return f"audit key from {key.source}"
        fields = _fields(first)
        if key is not None and compute_hash(**fields, key=key.secret) == first.hash:
            return f"audit key from {key.source}"
        if unkeyed_hash(**fields) != first.hash:
            if key is None:
                raise AuditKeyError(f"the audit trail is signed with a key that is not here: {audit_key.where()}")
            raise AuditKeyError(f"the audit trail's first entry does not match the audit key from {key.source}: "
                                "a different key, or the trail was edited (run `hero audit verify`)")
        seq, head_hash = _unkeyed_head(s)
    if key is not None:
        place = (f"set {audit_key.ENV_UNKEYED}='seq={seq} hash={head_hash}'" if key.source == audit_key.ENV_KEY
                 else f"add the line 'unkeyed-until seq={seq} hash={head_hash}' to {key.source}")
        raise AuditKeyError(f"audit entries 1 to {seq} carry plain SHA-256 hashes although an audit key exists; "
                            f"only if they were written before audit keys, {place}")
    key, _ = audit_key.create_file(unkeyed_until=(seq, head_hash))
    return (f"audit key created at {key.source}; the {seq} entries written before keys are pinned there "
            f"(unkeyed-until seq {seq})")


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
        if seq < 0 or not _HEX64.fullmatch(digest) or (seq == 0 and digest != GENESIS):
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
