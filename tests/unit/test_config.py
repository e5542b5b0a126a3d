"""Settings from the environment have one home (hero_core/config.py) and one error, naming the variable and the
value: the SLA clocks, the session length, mail, the impact windows and the help desk's hours all read there."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hero_core import config, impact
from hero_core.cli import main
from hero_core.config import SettingError
from hero_core.errors import InvalidInput
from hero_core.services import help as help_service


def test_an_unset_or_empty_setting_is_its_default_and_a_number_is_read(monkeypatch):
    monkeypatch.delenv("HERO_SLA_DECISION_DAYS", raising=False)
    assert config.settings().decision_days == 10
    monkeypatch.setenv("HERO_SLA_DECISION_DAYS", "  ")
    assert config.settings().decision_days == 10
    monkeypatch.setenv("HERO_SLA_DECISION_DAYS", " 7 ")
    assert config.settings().decision_days == 7


@pytest.mark.parametrize(("name", "value", "read", "message"), [
    ("HERO_SLA_DECISION_DAYS", "ten", config.settings,
     "HERO_SLA_DECISION_DAYS must be a whole number of business days, not 'ten'"),
    ("HERO_SLA_IT_CLAIM_DAYS", "-2", config.settings,
     "HERO_SLA_IT_CLAIM_DAYS must be a whole number of business days of at least 0, not '-2'"),
    ("HERO_SESSION_MAX_DAYS", "0", config.session_max_days,
     "HERO_SESSION_MAX_DAYS must be a whole number of days of at least 1, not '0'"),
    ("HERO_IMPACT_EVAL_DAYS", "ninety", impact.windows_from_env,
     "HERO_IMPACT_EVAL_DAYS must be a whole number of days, not 'ninety'"),
    ("HERO_HELP_FIRST_RESPONSE_HOURS", "4.5", help_service.settings,
     "HERO_HELP_FIRST_RESPONSE_HOURS must be a whole number, not '4.5'"),
])
def test_a_bad_setting_raises_one_error_naming_the_variable_and_the_value(monkeypatch, name, value, read, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as refused:
        read()
    assert str(refused.value) == message
    assert isinstance(refused.value, InvalidInput)  # shown like any refusal, never a crash


def test_a_bad_smtp_port_is_named_when_mail_is_on(monkeypatch):
    monkeypatch.setenv("HERO_SMTP_HOST", "mail.example.com")
    monkeypatch.setenv("HERO_SMTP_PORT", "smtp")
    with pytest.raises(SettingError, match="HERO_SMTP_PORT must be a whole number, not 'smtp'"):
        config.smtp_settings()


def test_the_command_line_shows_a_bad_setting_as_its_error_without_a_traceback(monkeypatch):
    monkeypatch.setenv("HERO_IMPACT_BASELINE_DAYS", "3 months")
    result = CliRunner().invoke(main, ["impact", "1"])
    assert result.exit_code == 1
    assert "HERO_IMPACT_BASELINE_DAYS must be a whole number of days, not '3 months'" in result.output
    assert "Traceback" not in result.output
