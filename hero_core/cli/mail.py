"""`hero mail`: the email side of notifications at the command line.

Run `hero mail send-digests` once a day from cron (it also retries immediate mails that failed) and, if you
like, `hero mail retry` every few minutes.
"""

from __future__ import annotations

import click

from hero_core.cli.base import database, handles_errors, main


@main.group()
def mail() -> None:
    """Email for inbox notifications (needs HERO_SMTP_HOST)."""


def _require_smtp() -> None:
    from hero_core.errors import HeroError
    from hero_core.services import mailer

    if not mailer.mail_enabled():
        raise HeroError(
            "email is not set up: set HERO_SMTP_HOST (and HERO_SMTP_PORT, HERO_SMTP_FROM, "
            "HERO_SMTP_USER, HERO_SMTP_PASSWORD, HERO_SMTP_STARTTLS, HERO_APP_URL as needed)"
        )


@mail.command("send-digests")
@handles_errors
def send_digests() -> None:
    """Mail each 'daily' person one digest of their unread notifications; retry failed immediate mails."""
    from hero_core.services import mailer

    _require_smtp()
    result = mailer.send_digests(database())
    click.echo(
        f"{result.digests} digest(s) sent; {result.sent} immediate mail(s) retried and sent; "
        f"{result.failed} failed (they are retried next time)"
    )
    if result.failed:
        raise SystemExit(1)


@mail.command("retry")
@handles_errors
def retry() -> None:
    """Send the immediate mails that failed earlier (those of the last 24 hours)."""
    from hero_core.services import mailer

    _require_smtp()
    db = database()
    result = mailer.send_immediate(db)
    click.echo(
        f"{result.sent} mail(s) sent; {result.failed} failed; {mailer.unmailed_count(db)} still waiting"
    )
    if result.failed:
        raise SystemExit(1)
