"""`hero watch [--json]`: checks the launched ideas, then prints the open erosion alarms."""

from __future__ import annotations

import json

from click.testing import CliRunner

from hero_core.cli import main
from hero_core.services import erosion as service
from tests.erosion import world


def run(db, monkeypatch, *args):
    monkeypatch.setenv("HERO_DATABASE_URL", db.url)
    return CliRunner().invoke(main, list(args))


def test_watch_json_lists_the_open_alarms_with_kind_metric_and_detail(org, monkeypatch):
    idea_id = world.build(org, later_effect=-5.0)
    result = run(org.db, monkeypatch, "watch", "--json")
    assert result.exit_code == 0, result.output
    (alarm,) = json.loads(result.stdout)
    assert {k: alarm[k] for k in ("idea_id", "kind", "metric")} == {
        "idea_id": idea_id, "kind": "effect_fading", "metric": "aht"}
    assert "lost" in alarm["detail"] and "Average handle time" in alarm["detail"]
    assert "Checked 1 launched idea(s)" in result.stderr


def test_watch_prints_each_alarm_in_words_and_does_not_open_it_twice(org, monkeypatch):
    world.build(org, later_effect=-5.0)
    first = run(org.db, monkeypatch, "watch")
    assert first.exit_code == 0, first.output
    assert "1 new alarm(s)" in first.stdout
    assert "Effect fading · Average handle time" in first.stdout and "“Shorter wrap-up form” (Contact centre)" in \
        first.stdout
    second = run(org.db, monkeypatch, "watch", "--no-refresh")
    assert "Not checked now; the open alarms were last checked" in second.stdout
    assert second.stdout.count("Effect fading") == 1


def test_watch_with_nothing_fading_says_so(org, monkeypatch):
    world.build(org, later_effect=-30.0)
    result = run(org.db, monkeypatch, "watch")
    assert result.exit_code == 0 and "No open erosion alarm." in result.stdout
    assert json.loads(run(org.db, monkeypatch, "watch", "--json").stdout) == []


def test_watch_after_an_alarm_was_closed_no_longer_lists_it(org, monkeypatch):
    world.build(org, later_effect=-5.0)
    (alarm_id,) = service.refresh_alarms(org.db).opened
    service.close_alarm(org.db, org.admin, alarm_id, "fix_reopened", "The form lost its defaults in release 4.2.")
    assert json.loads(run(org.db, monkeypatch, "watch", "--json").stdout) == []


def test_adoption_import_from_the_command_line_names_bad_rows(org, monkeypatch, tmp_path):
    idea_id = world.build(org, later_effect=-30.0)
    good = tmp_path / "adoption.csv"
    good.write_text(f"idea_id,team,date,adopted_share\n{idea_id},CC,03/04/2025,40%\n")
    result = run(org.db, monkeypatch, "adoption", "import", str(good), "--dayfirst")
    assert result.exit_code == 0, result.output
    assert "1 adoption figure(s) stored from adoption.csv: 1 idea(s), 1 team(s)" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(f"idea_id,team,date,adopted_share\n{idea_id},CC,2025-04-03,lots\n")
    result = run(org.db, monkeypatch, "adoption", "import", str(bad))
    assert result.exit_code == 1
    assert "row 2, column adopted_share “lots”" in result.stderr
