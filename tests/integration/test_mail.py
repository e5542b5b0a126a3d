"""Email notifications, checked on a real SMTP server on loopback (aiosmtpd): what arrives, when, and that a
mail server that is down never breaks the change that caused the notification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from hero_core import audit
from hero_core.cli import main as cli
from hero_core.errors import InvalidInput
from hero_core.models import AuditEntry, Notification
from hero_core.services import ideas, mailer, notifications
from tests.integration import smtp_sink
from tests.integration.factories import idea_input, state_of


@pytest.fixture
def sink(monkeypatch):
    """A real SMTP server on 127.0.0.1, and the HERO_SMTP_* settings pointing at it."""
    server = smtp_sink.SmtpSink()
    controller, port = smtp_sink.start(server)
    monkeypatch.setenv("HERO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HERO_SMTP_PORT", str(port))
    monkeypatch.setenv("HERO_SMTP_FROM", "hero@example.com")
    monkeypatch.setenv("HERO_APP_URL", "https://hero.example.com/")
    monkeypatch.setenv("HERO_SMTP_TIMEOUT", "5")
    yield server
    controller.stop()


def emailed(db, user_id) -> list[datetime | None]:
    with db.read() as s:
        return list(
            s.execute(
                select(Notification.emailed_at)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            ).scalars()
        )


def submit_idea(org, title="Shorter returns form") -> int:
    return ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(title=title), submit=True)


def test_a_notification_is_mailed_at_once_after_the_change_commits(org, sink):
    idea_id = submit_idea(org)
    mails = sink.wait_for(1)
    assert len(mails) == 1
    mail = mails[0]
    assert mail.rcpt_tos == ["mia@example.com"]
    assert mail.mail_from == "hero@example.com"
    assert (
        mail.subject
        == f"[HERO compact] New idea #{idea_id} “Shorter returns form” from Fran waits for your review."
    )
    assert f"https://hero.example.com/idea?id={idea_id}" in mail.body
    assert "https://hero.example.com/inbox" in mail.body
    assert all(at is not None for at in emailed(org.db, org.manager))


def test_without_smtp_settings_nothing_is_mailed_and_notifications_stay_unmailed(org, sink, monkeypatch):
    monkeypatch.delenv("HERO_SMTP_HOST")
    submit_idea(org)
    assert sink.wait_for(1, timeout=0.5) == []
    assert emailed(org.db, org.manager) == [None]
    assert mailer.send_digests(org.db) == mailer.SendResult()


def test_a_rolled_back_change_mails_nothing(org, sink):
    def change_that_fails():
        with org.db.write() as s:
            notifications.notify(s, org.db, user_ids=[org.manager], idea_id=None, kind="note", message="never")
            raise RuntimeError("the change fails after the notification was added")

    with pytest.raises(RuntimeError, match="the change fails"):
        change_that_fails()
    assert sink.wait_for(1, timeout=0.5) == []
    with org.db.read() as s:
        assert s.execute(select(func.count(Notification.id))).scalar() == 0


def test_people_who_chose_off_or_daily_get_no_immediate_mail(org, sink):
    mailer.set_email_mode(org.db, actor_id=org.manager, mode="off")
    submit_idea(org)
    assert sink.wait_for(1, timeout=0.5) == []
    mailer.set_email_mode(org.db, actor_id=org.manager, mode="daily")
    submit_idea(org, "Second idea")
    assert sink.wait_for(1, timeout=0.5) == []
    assert emailed(org.db, org.manager) == [None, None]


def test_a_mail_server_that_is_down_never_breaks_the_change_and_the_mail_is_retried(org, sink, monkeypatch):
    monkeypatch.setenv("HERO_SMTP_PORT", str(smtp_sink.closed_port()))
    idea_id = submit_idea(org)
    assert state_of(org.db, idea_id) == "submitted"  # the change stands
    assert emailed(org.db, org.manager) == [None]  # and the mail waits
    monkeypatch.setenv("HERO_SMTP_PORT", str(sink.port))  # the working server again
    result = mailer.send_immediate(org.db)
    assert result == mailer.SendResult(sent=1)
    assert [m.rcpt_tos for m in sink.wait_for(1)] == [["mia@example.com"]]
    assert emailed(org.db, org.manager)[0] is not None


def test_a_refused_message_is_released_for_a_retry_and_sent_once_later(org, sink):
    sink.refuse = True
    submit_idea(org)
    assert emailed(org.db, org.manager) == [None]
    sink.refuse = False
    assert mailer.send_immediate(org.db) == mailer.SendResult(sent=1)
    assert mailer.send_immediate(org.db) == mailer.SendResult()  # nothing twice
    assert len(sink.wait_for(1)) == 1


def test_the_daily_digest_collects_unread_notifications_in_one_mail_per_person(org, sink):
    mailer.set_email_mode(org.db, actor_id=org.manager, mode="daily")
    first = submit_idea(org, "First idea")
    second = submit_idea(org, "Second idea")
    read = submit_idea(org, "Already read")
    already = [n.id for n in notifications.inbox(org.db, actor_id=org.manager) if f"#{read} " in n.message]
    notifications.mark_read(org.db, actor_id=org.manager, notification_ids=already)
    assert sink.wait_for(1, timeout=0.5) == []
    result = mailer.send_digests(org.db)
    assert result.digests == 1 and result.failed == 0
    mails = sink.wait_for(1)
    assert len(mails) == 1
    digest = mails[0]
    assert digest.rcpt_tos == ["mia@example.com"]
    assert digest.subject == "[HERO compact] Your daily digest: 2 notifications"
    assert f"idea?id={first}" in digest.body and f"idea?id={second}" in digest.body
    assert f"idea?id={read}" not in digest.body
    # A second run the same day sends nothing new.
    submit_idea(org, "Later that day")
    assert mailer.send_digests(org.db).digests == 0


def test_the_digest_is_sent_again_the_next_day(org, sink):
    mailer.set_email_mode(org.db, actor_id=org.manager, mode="daily")
    submit_idea(org, "Monday's idea")
    assert mailer.send_digests(org.db).digests == 1
    submit_idea(org, "Tuesday's idea")
    real = org.db.clock
    org.db.clock = lambda: real() + timedelta(days=1)
    try:
        assert mailer.send_digests(org.db).digests == 1
    finally:
        org.db.clock = real
    mails = sink.wait_for(2)
    assert "Tuesday's idea" in mails[1].body and "Monday's idea" not in mails[1].body


def test_the_cli_sends_digests_and_retries_and_reports_counts(org, sink, monkeypatch):
    monkeypatch.setenv("HERO_DATABASE_URL", org.db.url)
    mailer.set_email_mode(org.db, actor_id=org.manager, mode="daily")
    submit_idea(org)
    result = CliRunner().invoke(cli, ["mail", "send-digests"])
    assert result.exit_code == 0, result.output
    assert "1 digest(s) sent" in result.output
    assert len(sink.wait_for(1)) == 1


def test_the_cli_says_when_mail_is_not_configured(org, monkeypatch):
    monkeypatch.setenv("HERO_DATABASE_URL", org.db.url)
    monkeypatch.delenv("HERO_SMTP_HOST", raising=False)
    result = CliRunner().invoke(cli, ["mail", "send-digests"])
    assert result.exit_code == 1
    assert "HERO_SMTP_HOST" in result.output


def test_setting_the_email_preference_is_audited_and_refuses_unknown_modes(org):
    assert mailer.email_mode(org.db, actor_id=org.frontline) == "immediate"
    mailer.set_email_mode(org.db, actor_id=org.frontline, mode="Daily")
    assert mailer.email_mode(org.db, actor_id=org.frontline) == "daily"
    with org.db.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "set_email_mode")).scalar_one()
        assert entry.actor_email == "fran@example.com"
        assert '"daily"' in entry.after_json and '"immediate"' in entry.before_json
        assert audit.verify(s).ok
    with pytest.raises(InvalidInput) as refused:
        mailer.set_email_mode(org.db, actor_id=org.frontline, mode="hourly")
    assert "'hourly'" in str(refused.value) and "immediate, daily, off" in str(refused.value)
    assert refused.value.fields == {"email_mode": str(refused.value)}
    assert mailer.email_mode(org.db, actor_id=org.frontline) == "daily"


def test_subjects_cannot_carry_extra_headers(org, sink):
    with org.db.write() as s:
        notifications.notify(
            s,
            org.db,
            user_ids=[org.frontline],
            idea_id=None,
            kind="note",
            message="Hello\r\nBcc: victim@example.com\r\n\r\nbody",
        )
    mail = sink.wait_for(1)[0]
    assert mail.rcpt_tos == ["fran@example.com"]
    assert mail.message["Bcc"] is None
    assert "\n" not in mail.subject


def test_old_unmailed_notifications_are_not_mailed_out_of_the_blue(org, sink):
    with org.db.write() as s:
        s.add(
            Notification(
                user_id=org.manager,
                idea_id=None,
                kind="note",
                message="from last month",
                created_at=datetime.now(UTC) - timedelta(days=30),
            )
        )
    assert mailer.send_immediate(org.db) == mailer.SendResult()
    assert sink.wait_for(1, timeout=0.3) == []
