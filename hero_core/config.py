"""Settings, read from the environment once per call so tests can change them.

The one place the compact reads a setting from the environment: every HERO_* number goes through `int_setting`,
and a value that is not acceptable raises `SettingError`, which names the variable and the value (the command
line shows it as its error, the app as a problem to fix in the server's settings).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hero_core.errors import InvalidInput

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "hero.db"
DEFAULT_AUDIT_KEY_PATH = PROJECT_ROOT / "data" / "audit.key"


class SettingError(InvalidInput):
    """A setting in the environment has a value the compact cannot use; the message names the variable, the
    value and what it must be."""


def int_setting(name: str, default: int, *, minimum: int | None = None, unit: str = "") -> int:
    """The whole number in environment variable `name` (`default` when it is unset or empty), at least `minimum`.
    `unit` ("days", "hours") is named in the refusal."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    what = f"a whole number of {unit}" if unit else "a whole number"
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name} must be {what}, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name} must be {what} of at least {minimum}, not {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str
    review_start_days: int  # business days from submission to the start of review
    decision_days: int  # business days from submission to a decision
    it_claim_days: int  # business days from approval to an IT champion's claim


def database_url() -> str:
    url = os.environ.get("HERO_DATABASE_URL", "").strip()
    return url or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def audit_key_file() -> Path:
    """Where the audit chain's key file is read (and created by `hero init`) unless HERO_AUDIT_KEY holds the key."""
    raw = os.environ.get("HERO_AUDIT_KEY_FILE", "").strip()
    return Path(raw).expanduser() if raw else DEFAULT_AUDIT_KEY_PATH


def settings() -> Settings:
    return Settings(
        database_url=database_url(),
        review_start_days=int_setting("HERO_SLA_REVIEW_START_DAYS", 5, minimum=0, unit="business days"),
        decision_days=int_setting("HERO_SLA_DECISION_DAYS", 10, minimum=0, unit="business days"),
        it_claim_days=int_setting("HERO_SLA_IT_CLAIM_DAYS", 10, minimum=0, unit="business days"),
    )


@dataclass(frozen=True)
class SmtpSettings:
    """Where inbox notifications are also mailed. Mail is off unless HERO_SMTP_HOST is set."""

    host: str
    port: int
    sender: str
    username: str
    password: str
    starttls: bool
    timeout_s: int
    app_url: str  # links in mails point here (e.g. https://hero.example.com)


def smtp_settings() -> SmtpSettings | None:
    """The SMTP settings from HERO_SMTP_* (None when HERO_SMTP_HOST is empty: email is optional)."""
    host = os.environ.get("HERO_SMTP_HOST", "").strip()
    if not host:
        return None
    return SmtpSettings(
        host=host,
        port=int_setting("HERO_SMTP_PORT", 25, minimum=1),
        sender=os.environ.get("HERO_SMTP_FROM", "").strip() or "hero-compact@localhost",
        username=os.environ.get("HERO_SMTP_USER", "").strip(),
        password=os.environ.get("HERO_SMTP_PASSWORD", ""),
        starttls=os.environ.get("HERO_SMTP_STARTTLS", "").strip().lower() in ("1", "true", "yes"),
        timeout_s=int_setting("HERO_SMTP_TIMEOUT", 10, minimum=1, unit="seconds"),
        app_url=(os.environ.get("HERO_APP_URL", "").strip() or "http://localhost:8501").rstrip("/"),
    )


def session_max_days() -> int:
    """HERO_SESSION_MAX_DAYS: a log-in session ends this many days after the log-in, however active (default 7)."""
    return int_setting("HERO_SESSION_MAX_DAYS", 7, minimum=1, unit="days")


def client_ip_header() -> str:
    """HERO_CLIENT_IP_HEADER: the header a reverse proxy in front of the app sets to the browser's address (for
    example X-Real-IP), used to count failed log-ins per client. Empty (the default): the connection's own
    address. Set it only behind a proxy that overwrites the header: a browser can send any header it likes."""
    return os.environ.get("HERO_CLIENT_IP_HEADER", "").strip()
