"""Password hashing and rules (integration tests swap in a cheap hasher; this pins the real one)."""

from __future__ import annotations

from argon2 import Type

from hero_core import security


def test_passwords_are_hashed_with_argon2id_at_the_owasp_minimum():
    h = security.HASHER
    assert (h.type, h.time_cost, h.memory_cost, h.parallelism) == (Type.ID, 2, 19456, 1)
    stored = security.hash_password("a long enough password")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert security.verify_password(stored, "a long enough password")
    assert not security.verify_password(stored, "a long enough passwore")
    assert not security.needs_rehash(stored)


def test_an_unknown_account_never_verifies():
    assert security.verify_password(None, "not-a-real-password-just-for-timing") is False


def test_password_rules_name_each_problem():
    assert security.password_problems("short") == ["password must be at least 12 characters long"]
    assert security.password_problems("Sam@Example.com", "sam@example.com") == [
        "password must not be the email address"
    ]
    assert security.password_problems("twelve chars\x00") == ["password must not contain NUL characters"]
    assert security.password_problems("x" * 1025) == ["password must be at most 1024 characters long"]
    assert security.password_problems("a long enough password", "sam@example.com") == []
