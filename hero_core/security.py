"""Passwords: argon2id with OWASP's minimum parameters, and the rules a password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MIN_LENGTH = 12
# Verified against when the email is unknown, so unknown and known accounts take equally long.
_DUMMY_HASH = HASHER.hash("not-a-real-password-just-for-timing")


def password_problems(password: str, email: str = "") -> list[str]:
    if not isinstance(password, str):
        return ["password must be text"]
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"password must be at least {MIN_LENGTH} characters long")
    if email and password.strip().lower() == email.strip().lower():
        problems.append("password must not be the email address")
    if "\x00" in password:
        problems.append("password must not contain NUL characters")
    if len(password) > 1024:
        problems.append("password must be at most 1024 characters long")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in password):
        problems.append("password contains an invalid character (half of a UTF-16 pair); retype it")
    return problems


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _secret(password: object) -> bytes:
    # Whatever arrives is checked at full cost (no shortcut a stopwatch could see); text that cannot be UTF-8
    # (a lone surrogate) is hashed as its raw code units and so can never match a stored password.
    return password.encode("utf-8", "surrogatepass") if isinstance(password, str) else b""


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash or _DUMMY_HASH, _secret(password)) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
