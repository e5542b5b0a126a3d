"""`hero help import` (all rows or none, row-numbered errors) and `hero help recurring [--days N] [--json]`, and
help requests about a system counted per team and day as a metric the impact estimator reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import func, select

from hero_core import help_io
from hero_core.cli import main
from hero_core.models import HelpRequest, KnownAnswer, Metric, Observation, ObservationWeek
from hero_core.services import help

HEADER = "asked_at,asker_email,team,touchpoint,system,question,answer,answered_at,answerer_email,solved\n"


def history(org) -> str:
    help.add_system(org.db, actor_id=org.admin, code="CRM", name="Customer CRM")
    day = (org.db.now() - timedelta(days=3)).date().isoformat()
    rows = [
        f"{day} 09:00,fran@example.com,CC,call_centre,CRM,CRM address field drops the postcode,"
        f"Type it in line two,{day} 09:20,mia@example.com,yes",
        f"{day} 10:00,frank@example.com,CC,Call centre,Customer CRM,"
        "The CRM address field loses the postcode again,,,,no",
        f"{day} 11:00,sam@example.com,Stores,face_to_face,CRM,Postcode dropped from CRM address field on save,"
        f"Known bug; use line two,{day} 13:00,mia@example.com,no",
        f"{day} 12:00,sam@example.com,ST,face_to_face,,Where is the gift card policy?,,,,",
    ]
    return HEADER + "\n".join(rows) + "\n"


def run(db, monkeypatch, *args):
    monkeypatch.setenv("HERO_DATABASE_URL", db.url)
    return CliRunner().invoke(main, list(args))


def test_import_stores_requests_answers_and_known_answers_then_recurring_lists_them(org, tmp_path, monkeypatch):
    path = tmp_path / "helpdesk.csv"
    path.write_text(history(org), encoding="utf-8")
    result = run(org.db, monkeypatch, "help", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "4 help request(s) stored from helpdesk.csv: 2 answered, 1 solved" in result.output
    with org.db.read() as s:
        states = dict(s.execute(select(HelpRequest.question, HelpRequest.state)).all())
        assert s.execute(select(func.count(KnownAnswer.id))).scalar() == 1
    assert states["CRM address field drops the postcode"] == "solved"
    assert states["Postcode dropped from CRM address field on save"] == "answered"
    result = run(org.db, monkeypatch, "help", "recurring", "--days", "30", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert len(found) == 1
    assert found[0]["size"] == 3 and found[0]["system"] == "CRM" and found[0]["touchpoint"] == "call_centre"
    assert found[0]["teams"] == ["Contact centre", "Stores"] and len(found[0]["request_ids"]) == 3
    assert "postcode" in found[0]["summary"].lower()
    text = run(org.db, monkeypatch, "help", "recurring")
    assert text.exit_code == 0 and "3 requests · 3 people · 2 teams · Customer CRM" in text.output


def test_a_bad_file_is_refused_whole_with_row_numbered_errors(org, tmp_path, monkeypatch):
    good = history(org).splitlines()
    bad = [*good[:2],
        "yesterday,nobody@example.com,XX,pigeon,Mainframe,,,,,maybe",
        f"{good[1].split(',')[0]},fran@example.com,CC,call_centre,CRM,A question long enough,An answer,,,yes"]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    result = run(org.db, monkeypatch, "help", "import", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    err = result.stderr
    for expected in ("row 3, column asked_at “yesterday”", "row 3, column asker_email", "row 3, column team “XX”",
                     "row 3, column touchpoint “pigeon”", "row 3, column system “Mainframe”",
                     "row 3, column question: question is required", "row 3, column solved “maybe”",
                     "row 4, column answerer_email",
                     "row 4, column answered_at"):
        assert expected in err, err
    with org.db.read() as s:
        assert s.execute(select(func.count(HelpRequest.id))).scalar() == 0  # the good row 2 was not stored either


def test_help_requests_about_a_system_become_a_weekly_metric(org, tmp_path, monkeypatch):
    path = tmp_path / "helpdesk.csv"
    path.write_text(history(org), encoding="utf-8")
    help_io.import_help(org.db, actor_id=None, source=path)
    written = help_io.count_help_metrics(org.db, actor_id=None)
    assert written > 0
    with org.db.read() as s:
        metric = s.execute(select(Metric).where(Metric.code == "help_crm")).scalar_one()
        assert metric.direction == "lower" and metric.aggregation == "sum"
        per_team = dict(s.execute(select(Observation.team_id, func.sum(Observation.value))
                                  .where(Observation.metric_id == metric.id).group_by(Observation.team_id)).all())
        weekly = s.execute(select(func.sum(ObservationWeek.total))
                           .where(ObservationWeek.metric_id == metric.id)).scalar()
    assert sorted(per_team.values()) == [1.0, 2.0] and weekly == 3.0
    assert help_io.count_help_metrics(org.db, actor_id=None) == written  # again: replaces, never doubles
    with org.db.read() as s:
        assert s.execute(select(func.sum(Observation.value)).where(Observation.metric_id == metric.id)).scalar() == 3


def test_the_demo_has_help_traffic_recurring_roadblocks_and_one_promoted(tmp_path):
    from hero_core import demo
    from hero_core.db import Database, migrate
    from hero_core.models import Idea

    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate(db)
    demo.build_demo(db)
    found = help.recurring_roadblocks(db, actor_id=None, days=90)
    assert len(found) >= 3 and all(r.people >= 2 for r in found)
    promoted = [r for r in found if r.idea_id]
    assert len(promoted) == 1 and promoted[0].system == "CRM"
    with db.read() as s:
        idea = s.get(Idea, promoted[0].idea_id)
        assert idea.state == "submitted" and "help requests from" in idea.roadblock
        assert {m.metric_code for m in idea.metric_rows} == {"help_crm", "aht"}
        assert s.execute(select(func.count(Observation.id)).join(Metric).where(Metric.code == "help_crm")).scalar()
    assert help.queue(db, actor_id=None, mine_only=False)  # someone is waiting right now
    assert any(k.outdated for k in help.search_known(db, actor_id=None, text="refund closed card",
                                                     include_outdated=True))
    db.dispose()


def test_help_history_dates_follow_the_one_date_rule_of_every_importer(org, tmp_path, monkeypatch):
    # hero_core/dates.py: 13/11/2026 can only be read day first, so the file's 03/11/2026 is too; a lone ambiguous
    # date is refused with both readings, never guessed.
    help.add_system(org.db, actor_id=org.admin, code="CRM", name="Customer CRM")
    org.db.clock = lambda: datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    rows = ["13/11/2026 09:00,fran@example.com,CC,call_centre,CRM,Where is the postcode field?,,,,",
            "03/11/2026 10:00,sam@example.com,ST,face_to_face,CRM,Where is the gift card policy?,,,,"]
    path = tmp_path / "dayfirst.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    result = run(org.db, monkeypatch, "help", "import", str(path))
    assert result.exit_code == 0, result.output
    with org.db.read() as s:
        asked = sorted(d.date() for d in s.execute(select(HelpRequest.created_at)).scalars())
    assert [d.isoformat() for d in asked] == ["2026-11-03", "2026-11-13"]
    lone = tmp_path / "ambiguous.csv"
    lone.write_text(HEADER + "03/04/2026 09:00,fran@example.com,CC,call_centre,CRM,Which form is it?,,,,\n",
                    encoding="utf-8")
    result = run(org.db, monkeypatch, "help", "import", str(lone))
    assert result.exit_code == 1 and "row 2, column asked_at “03/04/2026 09:00”" in result.stderr
    assert "2026-04-03" in result.stderr and "2026-03-04" in result.stderr, result.stderr
