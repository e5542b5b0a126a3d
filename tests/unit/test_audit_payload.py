"""The audit hash has one home (hero_core/audit.py): its fast payload is byte for byte the JSON list it stands
for, for any text, and `hero seed` and `audit.record` hash through the same `compute_hash`."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone

from hero_core import audit

KEY = b"a test key of thirty-two bytes!!"
TEXTS = ("", "a@b.example", 'Ünïcødé "quoted" \\ back\nslash ✓', "tab\there", "\x00\x1f\x7f", "zoë@seed.example",
         "emoji 🎉 and \u2028 line separator", '{"state":"in_review","version":3}')


def reference(**f) -> bytes:
    """The payload's definition: json.dumps of the fields' list, `at` in UTC to the microsecond."""
    at = f["at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps([f["seq"], at, f["actor_id"], f["actor_email"], f["action"], f["entity_type"],
                       f["entity_id"], f["before_json"], f["after_json"], f["reason"], f["prev_hash"]],
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fields(rng: random.Random) -> dict:
    zone = rng.choice([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])
    at = datetime(2026, 3, 1, tzinfo=zone) + timedelta(seconds=rng.randrange(10**8), microseconds=rng.randrange(10**6))
    return dict(seq=rng.randrange(1, 10**7), at=at, actor_id=rng.choice([None, 0, 7, 123456]),
                actor_email=rng.choice(TEXTS), action=rng.choice(TEXTS), entity_type="idea",
                entity_id=str(rng.randrange(10**6)), before_json=rng.choice(TEXTS), after_json=rng.choice(TEXTS),
                reason=rng.choice(TEXTS), prev_hash=f"{rng.getrandbits(256):064x}")


def test_the_payload_is_the_json_list_for_any_text_zone_and_actor():
    rng = random.Random(7)
    for _ in range(3_000):
        f = fields(rng)
        assert audit._payload(**f) == reference(**f), f


def test_unusual_field_types_still_hash_as_json_writes_them():
    f = fields(random.Random(1)) | {"entity_id": 12, "actor_id": None}
    assert audit._payload(**f) == reference(**f)  # a number, not a string, as json.dumps would write it


def test_compute_hash_under_a_key_is_the_hmac_of_the_payload():
    f = fields(random.Random(2))
    assert audit.compute_hash(key=KEY, **f) == audit.hasher(KEY)(reference(**f))


def test_canonical_json_sorts_keys_keeps_unicode_and_writes_nothing_for_none():
    assert audit.canonical({"version": 3, "state": "in_review", "ü": [1, "x"]}) == \
        '{"state":"in_review","version":3,"ü":[1,"x"]}'
    assert audit.canonical(None) == audit.canonical("") == ""
    assert audit.canonical({"at": datetime(2026, 1, 2, tzinfo=UTC)}) == '{"at":"2026-01-02 00:00:00+00:00"}'


def test_a_chain_in_bulk_is_compute_hash_entry_after_entry():
    rng = random.Random(3)
    entries = [fields(rng) for _ in range(500)]
    entries.append(fields(rng) | {"at": datetime(999, 5, 6, 7, 8, 9, 10, tzinfo=UTC)})  # a year numpy writes apart
    rows = [(f["at"], f["actor_id"], f["actor_email"], f["action"], f["entity_type"], f["entity_id"],
             f["before_json"], f["after_json"], f["reason"]) for f in entries]
    expected, prev = [], "0" * 64
    for seq, f in enumerate(entries, start=42):
        prev = audit.compute_hash(key=KEY, **(f | {"seq": seq, "prev_hash": prev}))
        expected.append(prev)
    assert audit.chain(rows, key=KEY, seq=41, prev_hash="0" * 64) == expected
    assert audit.chain(rows[:-1], key=KEY, seq=41, prev_hash="0" * 64) == expected[:-1]  # the numpy path
