"""Email for inbox notifications (optional): mailed at once or as a daily digest, as each person chooses.

Mail is off unless HERO_SMTP_HOST is set (hero_core/config.py `smtp_settings`). Then:

* a notification for someone whose email_mode is 'immediate' is mailed right after the change that made it
  commits (`mail_after_commit`, called by notifications.notify), never before: a mail can never announce a
  change that was rolled back, and a mail server that is down can never undo the change - every SMTP
  failure is caught and logged, and the notification stays unmailed. Sending happens in the request that
  made the change, so a slow server delays that person's click (each SMTP step waits at most
  HERO_SMTP_TIMEOUT seconds; a mail queue would remove even that);
* unmailed 'immediate' notifications of the last RETRY_HOURS are retried by the next mail to the same person
  and by `hero mail send-digests` / `hero mail retry` (run them from cron);
* 'daily' people get one digest of their unread, unmailed notifications of the last DIGEST_DAYS from
  `hero mail send-digests`, at most once every DIGEST_MIN_HOURS;
* 'off' people get no mail.

Each notification is claimed (emailed_at set where it is still empty) before it is sent and released again if
sending fails, so two senders running at once never mail it twice. A crash between claim and send loses that
one mail (the inbox still has it); we prefer that to mailing everyone twice.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from hero_core import audit, config
from hero_core.config import SmtpSettings
from hero_core.db import Database
from hero_core.errors import InvalidInput
from hero_core.models import Notification, User
from hero_core.services.common import actor_ref, load_actor

log = logging.getLogger("hero.mail")

IMMEDIATE, DAILY, OFF = "immediate", "daily", "off"
#: email_mode -> what it means, in the order a person chooses from.
MODES = {
    IMMEDIATE: "Mail me each notification as it happens",
    DAILY: "Mail me one daily digest",
    OFF: "No email; the inbox is enough",
}
RETRY_HOURS = 24
DIGEST_DAYS = 7
DIGEST_MIN_HOURS = 20
SUBJECT_PREFIX = "[HERO compact]"
_PENDING_KEY = "hero_mail_user_ids"


# ---- the preference ----------------------------------------------------------------------------------------


def email_mode(db: Database, *, actor_id: int) -> str:
    with db.read() as s:
        return s.execute(select(User.email_mode).where(User.id == actor_id)).scalar() or IMMEDIATE


def set_email_mode(db: Database, *, actor_id: int, mode: str) -> str:
    """Set the person's own email preference ('immediate', 'daily' or 'off'); audited."""
    mode = (mode or "").strip().lower()
    if mode not in MODES:
        problem = f"email preference must be one of {', '.join(MODES)}, not {mode!r}"
        raise InvalidInput(problem, fields={"email_mode": problem})
    with db.write() as s:
        actor = load_actor(s, actor_id)
        user = s.get(User, actor.id)
        before = user.email_mode
        if before == mode:
            return mode
        user.email_mode = mode
        actor_id_ref, email = actor_ref(actor)
        audit.record(
            s,
            at=db.now(),
            actor_id=actor_id_ref,
            actor_email=email,
            action="set_email_mode",
            entity_type="user",
            entity_id=actor.id,
            before={"email_mode": before},
            after={"email_mode": mode},
        )
    return mode


def mail_enabled() -> bool:
    return config.smtp_settings() is not None


# ---- mail after commit -------------------------------------------------------------------------------------


def mail_after_commit(session: Session, db: Database, user_ids: Iterable[int]) -> None:
    """Mail these people's new notifications once `session` commits (not on rollback, nor with mail off)."""
    if not mail_enabled():
        return
    if _PENDING_KEY not in session.info:
        session.info[_PENDING_KEY] = set()
        event.listen(session, "after_commit", lambda s: _send_after_commit(s, db), once=True)
        event.listen(session, "after_rollback", lambda s: s.info.pop(_PENDING_KEY, None), once=True)
    session.info[_PENDING_KEY].update(user_ids)


def _send_after_commit(session: Session, db: Database) -> None:
    user_ids = session.info.pop(_PENDING_KEY, set())
    if not user_ids:
        return
    try:
        send_immediate(db, user_ids=user_ids)
    except Exception:  # the change is committed; a mail problem must never surface as its failure
        log.exception(
            "mailing notifications to users %s failed; they stay in the inbox and are retried",
            sorted(user_ids),
        )


# ---- sending -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    sent: int = 0
    failed: int = 0
    digests: int = 0

    def __add__(self, other: SendResult) -> SendResult:
        return SendResult(self.sent + other.sent, self.failed + other.failed, self.digests + other.digests)


@dataclass(frozen=True)
class _Item:
    id: int
    user_id: int
    email: str
    name: str
    idea_id: int | None
    kind: str
    message: str
    created_at: datetime
    help_request_id: int | None = None


def _one_line(text: str, limit: int = 120) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _idea_link(settings: SmtpSettings, idea_id: int | None) -> str:
    return f"{settings.app_url}/idea?id={idea_id}" if idea_id is not None else f"{settings.app_url}/inbox"


def _open_line(settings: SmtpSettings, item: _Item) -> str:
    """Where the notification's subject opens in the app ("" when it has none of its own)."""
    if item.idea_id is not None:
        return f"Open idea #{item.idea_id}: {_idea_link(settings, item.idea_id)}"
    if item.help_request_id is not None:
        return (f"Open help request #{item.help_request_id}: "
                f"{settings.app_url}/help-request?id={item.help_request_id}")
    return ""


def _message(settings: SmtpSettings, to: tuple[str, str], subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = formataddr((_one_line(to[1], 80), to[0]))
    msg["Subject"] = _one_line(f"{SUBJECT_PREFIX} {subject}", 160)
    msg["Message-ID"] = make_msgid(domain="hero-compact")
    msg.set_content(body)
    return msg


def immediate_message(settings: SmtpSettings, item: _Item) -> EmailMessage:
    body = (
        f"Hello {item.name},\n\n{item.message}\n\n"
        + (f"{_open_line(settings, item)}\n" if _open_line(settings, item) else "")
        + f"\nYou get this mail because you chose to be mailed each notification. Change that on your "
        f"Notifications page: {settings.app_url}/inbox\n"
    )
    return _message(settings, (item.email, item.name), item.message, body)


def digest_message(settings: SmtpSettings, items: list[_Item]) -> EmailMessage:
    first = items[0]
    lines = [f"Hello {first.name},", "", f"{len(items)} notification(s) since your last digest:", ""]
    for item in items:
        lines.append(f"- {item.created_at:%Y-%m-%d %H:%M} UTC · {item.message}")
        if _open_line(settings, item):
            lines.append(f"  {_open_line(settings, item).split(': ', 1)[1]}")
    lines += [
        "",
        "You get this daily digest because you chose it. Change that on your Notifications page: "
        f"{settings.app_url}/inbox",
    ]
    subject = f"Your daily digest: {len(items)} notification{'s' if len(items) != 1 else ''}"
    return _message(settings, (first.email, first.name), subject, "\n".join(lines) + "\n")


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.port == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_s, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
    if settings.username:
        smtp.login(settings.username, settings.password)
    return smtp


def _items(s: Session, conds) -> list[_Item]:
    rows = s.execute(
        select(
            Notification.id,
            Notification.user_id,
            User.email,
            User.name,
            Notification.idea_id,
            Notification.kind,
            Notification.message,
            Notification.created_at,
            Notification.help_request_id,
        )
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.active.is_(True), *conds)
        .order_by(Notification.user_id, Notification.created_at, Notification.id)
    ).all()
    return [_Item(*r) for r in rows]


def _claim(db: Database, ids: list[int]) -> set[int]:
    """Mark these notifications as mailed where nobody else did; returns the ids this sender now owns."""
    if not ids:
        return set()
    with db.write() as s:
        now = db.now()
        free = set(
            s.execute(
                select(Notification.id).where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
            ).scalars()
        )
        if free:
            s.execute(
                update(Notification)
                .where(Notification.id.in_(sorted(free)), Notification.emailed_at.is_(None))
                .values(emailed_at=now)
            )
    return free


def _release(db: Database, ids: Iterable[int]) -> None:
    ids = sorted(ids)
    if ids:
        with db.write() as s:
            s.execute(update(Notification).where(Notification.id.in_(ids)).values(emailed_at=None))


def _deliver(
    db: Database, settings: SmtpSettings, batches: list[tuple[list[int], EmailMessage]]
) -> SendResult:
    """Send each (notification ids, message) over one connection; release the ids of every failed message."""
    sent = failed = 0
    failed_ids: list[int] = []
    smtp = None
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning(
            "cannot reach the mail server %s:%s (%s); %d mail(s) will be retried",
            settings.host,
            settings.port,
            exc,
            len(batches),
        )
        _release(db, [i for ids, _ in batches for i in ids])
        return SendResult(failed=len(batches))
    try:
        for ids, msg in batches:
            try:
                smtp.send_message(msg)
                sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("mail to %s failed (%s); it will be retried", msg["To"], exc)
                failed += 1
                failed_ids.extend(ids)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
        _release(db, failed_ids)
    return SendResult(sent=sent, failed=failed)


def send_immediate(db: Database, *, user_ids: Iterable[int] | None = None) -> SendResult:
    """Mail every unmailed notification of the last RETRY_HOURS to people whose email_mode is 'immediate'."""
    settings = config.smtp_settings()
    if settings is None:
        return SendResult()
    since = db.now() - timedelta(hours=RETRY_HOURS)
    conds = [User.email_mode == IMMEDIATE, Notification.created_at >= since]
    if user_ids is not None:
        conds.append(Notification.user_id.in_(sorted(set(user_ids))))
    with db.read() as s:
        items = _items(s, conds)
    mine = _claim(db, [i.id for i in items])
    batches = [([i.id], immediate_message(settings, i)) for i in items if i.id in mine]
    return _deliver(db, settings, batches) if batches else SendResult()


def send_digests(db: Database) -> SendResult:
    """One digest per 'daily' person with unread, unmailed notifications; then retry 'immediate' leftovers."""
    settings = config.smtp_settings()
    if settings is None:
        return SendResult()
    now = db.now()
    with db.read() as s:
        recent = set(
            s.execute(
                select(Notification.user_id)
                .where(Notification.emailed_at >= now - timedelta(hours=DIGEST_MIN_HOURS))
                .group_by(Notification.user_id)
            ).scalars()
        )
        items = _items(
            s,
            [
                User.email_mode == DAILY,
                Notification.read_at.is_(None),
                Notification.created_at >= now - timedelta(days=DIGEST_DAYS),
            ],
        )
    per_user: dict[int, list[_Item]] = defaultdict(list)
    for item in items:
        if item.user_id not in recent:
            per_user[item.user_id].append(item)
    mine = _claim(db, [i.id for group in per_user.values() for i in group])
    batches = []
    for group in per_user.values():
        owned = [i for i in group if i.id in mine]
        if owned:
            batches.append(([i.id for i in owned], digest_message(settings, owned)))
    result = _deliver(db, settings, batches) if batches else SendResult()
    result = SendResult(digests=result.sent, failed=result.failed)
    return result + send_immediate(db)


def unmailed_count(db: Database) -> int:
    """Notifications of 'immediate' people in the retry window that are not mailed yet (for the CLI)."""
    with db.read() as s:
        return (
            s.execute(
                select(func.count(Notification.id))
                .join(User, User.id == Notification.user_id)
                .where(
                    Notification.emailed_at.is_(None),
                    User.email_mode == IMMEDIATE,
                    Notification.created_at >= db.now() - timedelta(hours=RETRY_HOURS),
                )
            ).scalar()
            or 0
        )
