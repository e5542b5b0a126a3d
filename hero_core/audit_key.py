"""The audit chain's key: a secret kept outside the database, so whoever can rewrite the database cannot re-sign
the chain (hero_core.audit signs each entry with HMAC-SHA256 under this key).

Looked up in this order:
1. HERO_AUDIT_KEY: the key itself, hex (64 characters for 32 bytes) or base64; at least 16 bytes.
2. The key file: HERO_AUDIT_KEY_FILE, default data/audit.key in the project. `hero init` creates it (mode 0600)
   when no key exists; so does the first entry of a trail that is still empty (a new database).

Earlier parts of a trail were signed differently, and the key file says so, one line each, pinning the head of
that part (its seq and hash), so it cannot be rewritten either:
- `unkeyed-until seq=N hash=H`: entries up to N were written before keys (plain SHA-256). `hero init`, creating
  the key for such a trail, writes this line (with HERO_AUDIT_KEY the operator sets HERO_AUDIT_UNKEYED_UNTIL).
- `retired-key <hex> seq=N hash=H`: entries up to N were signed with a key retired by `hero audit rotate-key`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from hero_core import config
from hero_core.errors import HeroError

ENV_KEY = "HERO_AUDIT_KEY"
ENV_FILE = "HERO_AUDIT_KEY_FILE"
ENV_UNKEYED = "HERO_AUDIT_UNKEYED_UNTIL"
MIN_BYTES = 16
NEW_KEY_BYTES = 32
UNKEYED_PREFIX = "unkeyed-until "
RETIRED_PREFIX = "retired-key "
_HEX = re.compile(r"[0-9a-fA-F]+")


class AuditKeyError(HeroError):
    """The audit key is missing or unreadable; the message says where it is looked for."""


@dataclass(frozen=True)
class Segment:
    """An earlier part of the trail: entries up to `seq` were signed with `secret` (None: plain SHA-256), and
    entry `seq` carries `hash`."""

    seq: int
    hash: str
    secret: bytes | None = field(default=None, repr=False)

    def line(self) -> str:
        if self.secret is None:
            return f"{UNKEYED_PREFIX}seq={self.seq} hash={self.hash}"
        return f"{RETIRED_PREFIX}{self.secret.hex()} seq={self.seq} hash={self.hash}"


@dataclass(frozen=True)
class AuditKey:
    secret: bytes = field(default=b"", repr=False)  # never printed
    source: str = ""  # "HERO_AUDIT_KEY" or the key file's path, for messages
    earlier: tuple[Segment, ...] = ()  # oldest first

    @property
    def unkeyed_until(self) -> tuple[int, str] | None:
        unkeyed = [s for s in self.earlier if s.secret is None]
        return (unkeyed[0].seq, unkeyed[0].hash) if unkeyed else None


def key_file() -> Path:
    return config.audit_key_file()


def where() -> str:
    """Where the key is looked for, for error messages."""
    return f"set {ENV_KEY} (hex or base64) or keep the key file at {key_file()} ({ENV_FILE} moves it)"


def _decode(text: str, source: str) -> bytes:
    text = text.strip()
    if _HEX.fullmatch(text) and len(text) % 2 == 0:
        secret = bytes.fromhex(text)
    else:
        try:
            secret = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_" if "-" in text or "_" in text
                                      else None, validate=True)
        except (binascii.Error, ValueError):
            raise AuditKeyError(f"{source}: the audit key is neither hex nor base64") from None
    if len(secret) < MIN_BYTES:
        raise AuditKeyError(f"{source}: the audit key is {len(secret)} bytes; it must be at least {MIN_BYTES} "
                            f"(`hero init` makes {NEW_KEY_BYTES})")
    return secret


def _parse_unkeyed(text: str, source: str) -> tuple[int, str]:
    parts = dict(p.split("=", 1) for p in text.split() if "=" in p)
    try:
        seq, digest = int(parts["seq"]), parts["hash"]
    except (KeyError, ValueError):
        digest, seq = "", 0
    if seq < 1 or len(digest) != 64:
        raise AuditKeyError(f"{source}: unkeyed-until must read 'seq=N hash=<64 hex>', not {text.strip()!r}")
    return seq, digest


def _ordered(segments: list[Segment], source: str) -> tuple[Segment, ...]:
    segments.sort(key=lambda s: s.seq)
    if len({s.seq for s in segments}) != len(segments):
        raise AuditKeyError(f"{source}: two earlier parts of the trail end at the same seq")
    return tuple(segments)


@functools.lru_cache(maxsize=8)
def _from_env(raw: str, unkeyed: str) -> AuditKey:
    earlier = [Segment(*_parse_unkeyed(unkeyed, ENV_UNKEYED))] if unkeyed.strip() else []
    return AuditKey(_decode(raw, ENV_KEY), ENV_KEY, tuple(earlier))


@functools.lru_cache(maxsize=8)
def _from_file(path: str, _stamp: tuple[int, int, int]) -> AuditKey:
    # _stamp (inode, size, mtime) makes a replaced or edited file read afresh; otherwise it is read once.
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"audit key file {path} cannot be read ({exc.__class__.__name__}: {exc})") from None
    secret, earlier = None, []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(UNKEYED_PREFIX):
            earlier.append(Segment(*_parse_unkeyed(line[len(UNKEYED_PREFIX):], path)))
        elif line.startswith(RETIRED_PREFIX):
            retired, _, pin = line[len(RETIRED_PREFIX):].strip().partition(" ")
            earlier.append(Segment(*_parse_unkeyed(pin, path), _decode(retired, f"audit key file {path}")))
        elif secret is None:
            secret = _decode(line, f"audit key file {path}")
        else:
            raise AuditKeyError(f"audit key file {path} holds two keys; retired ones need 'retired-key <key> seq=N "
                                "hash=H' (`hero audit rotate-key` writes it)")
    if secret is None:
        raise AuditKeyError(f"audit key file {path} holds no key; {where()}")
    return AuditKey(secret, path, _ordered(earlier, path))


def load() -> AuditKey | None:
    """The configured key, or None when there is none (neither HERO_AUDIT_KEY nor the key file)."""
    raw = os.environ.get(ENV_KEY, "")
    if raw.strip():
        return _from_env(raw, os.environ.get(ENV_UNKEYED, ""))
    path = key_file()
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuditKeyError(f"audit key file {path} cannot be read ({exc.__class__.__name__}: {exc})") from None
    return _from_file(str(path), (st.st_ino, st.st_size, st.st_mtime_ns))


def require() -> AuditKey:
    """The configured key; a one-line AuditKeyError saying where it is looked for when there is none."""
    key = load()
    if key is None:
        raise AuditKeyError(f"no audit key: the audit trail is signed with a key kept outside the database; {where()}")
    return key


def _private_copy(path: Path, secret: bytes, earlier: tuple[Segment, ...]) -> Path:
    """The key file's content in a new private (0600) file beside `path`, flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# HERO audit key (HMAC-SHA256 of the audit chain). Keep it secret, off the database host's",
             "# backups, and with the key of every backup you may restore (docs/reliability.md).",
             secret.hex(), *(segment.line() for segment in earlier)]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def create_file(*, unkeyed_until: tuple[int, str] | None = None) -> tuple[AuditKey, bool]:
    """Create the key file with a new random key (mode 0600) unless it exists; (the key, whether it was made).

    Written whole to a private temporary file and then linked into place, so a concurrent reader sees either no
    file or the complete key, and of two processes racing to create it exactly one wins."""
    path = key_file()
    earlier = (Segment(*unkeyed_until),) if unkeyed_until else ()
    tmp = _private_copy(path, secrets.token_bytes(NEW_KEY_BYTES), earlier)
    try:
        os.link(tmp, path)
        made = True
    except FileExistsError:
        made = False
    finally:
        tmp.unlink(missing_ok=True)
    return require(), made


def replace_file(current: AuditKey, *, head_seq: int, head_hash: str) -> AuditKey:
    """Rotate: a new key in the key file, the current one kept as retired for the entries up to `head_seq`
    (whose hash is pinned). The file is replaced in one rename; the caller holds the trail's append lock."""
    path = Path(current.source)
    earlier = current.earlier
    if head_seq and not (earlier and earlier[-1].seq == head_seq):  # a key that signed nothing is not kept
        earlier = (*earlier, Segment(head_seq, head_hash, current.secret))
    tmp = _private_copy(path, secrets.token_bytes(NEW_KEY_BYTES), earlier)
    os.replace(tmp, path)
    return require()
