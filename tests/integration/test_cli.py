"""The `hero` command line contract: exit 0 on success, 1 with one line per problem and never a traceback."""

from __future__ import annotations

from datetime import timedelta

import click
import pytest
from click.testing import CliRunner

from hero_core.cli import main
from hero_core.services import ideas, people
from tests.integration.factories import idea_input


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


ALL_COMMANDS = command_paths(main)


def test_the_documented_commands_exist():
    for path in [("teams", "add"), ("users", "add"), ("audit", "verify"), ("ideas", "overdue"), ("init",)]:
        assert path in ALL_COMMANDS


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=[" ".join(p) or "hero" for p in ALL_COMMANDS])
def test_help_exits_zero_for_every_command(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.fixture
def hero(db, monkeypatch):
    """Run `hero ...` in-process against the test database; returns the click Result."""
    monkeypatch.setenv("HERO_DATABASE_URL", db.url)

    def run(*args, input=None):
        return CliRunner().invoke(main, list(args), input=input)

    return run


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_teams_add_creates_a_team(hero, db):
    result = hero("teams", "add", "CC", "--name", "Contact centre")
    assert (result.exit_code, result.stdout.strip()) == (0, "team CC added")
    assert [(t.code, t.name) for t in people.list_teams(db)] == [("CC", "Contact centre")]


def test_users_add_reads_the_password_from_stdin_and_makes_managers_manage_their_team(hero, db):
    hero("teams", "add", "CC", "--name", "Contact centre")
    result = hero(
        "users",
        "add",
        "Mia@Example.com",
        "--name",
        "Mia",
        "--role",
        "manager",
        "--role",
        "frontline",
        "--team",
        "CC",
        "--password-stdin",
        input="correct horse battery staple\n",
    )
    assert (result.exit_code, result.stdout.strip()) == (0, "user mia@example.com added")
    uid = people.authenticate(db, email="mia@example.com", password="correct horse battery staple")
    user = people.get_user(db, uid)
    assert (user.roles, user.team_code, user.managed_team_codes) == (("frontline", "manager"), "CC", ("CC",))
    assert "correct horse" not in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("--role", "boss", "--team", "CC"),
            None,
            "error: role 'boss' is not one of: frontline, manager, it_champion, executive, admin, ecoach",
        ),
        (("--role", "frontline", "--team", "NOPE"), None, "error: team 'NOPE' does not exist"),
        (
            ("--role", "frontline", "--team", "CC", "--password-stdin"),
            "short\n",
            "error: password must be at least 12 characters long",
        ),
        (
            ("--role", "frontline", "--team", "CC", "--password-stdin"),
            "\n",
            "error: no password was given on standard input",
        ),
    ],
)
def test_users_add_refuses_bad_input_with_one_line_and_stores_nothing(hero, db, args, stdin, message):
    hero("teams", "add", "CC", "--name", "Contact centre")
    result = hero("users", "add", "sam@example.com", "--name", "Sam", *args, input=stdin)
    assert one_error_line(result) == message
    assert people.list_users(db, actor_id=None) == []


def test_users_add_refuses_a_duplicate_email_in_any_case(hero, db):
    hero("teams", "add", "CC", "--name", "Contact centre")
    assert (
        hero(
            "users", "add", "sam@example.com", "--name", "Sam", "--role", "frontline", "--team", "CC"
        ).exit_code
        == 0
    )
    result = hero(
        "users", "add", "SAM@example.com", "--name", "Sam Again", "--role", "frontline", "--team", "CC"
    )
    assert one_error_line(result) == "error: a user with email sam@example.com already exists"
    assert [u.name for u in people.list_users(db, actor_id=None)] == ["Sam"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("CC", "error: team code 'CC' already exists"),
        (
            "bad code",
            "error: team code 'bad code' must be 1-32 letters, digits, '-' or '_', starting with a letter "
            "or digit",
        ),
    ],
)
def test_teams_add_refuses_bad_input_with_one_line(hero, code, message):
    hero("teams", "add", "CC", "--name", "Contact centre")
    assert one_error_line(hero("teams", "add", code, "--name", "Again")) == message


def test_role_changes_and_deactivation_from_the_command_line_take_effect(hero, db):
    hero("teams", "add", "CC", "--name", "Contact centre")
    hero("users", "add", "sam@example.com", "--name", "Sam", "--role", "frontline", "--team", "CC")
    assert hero("users", "roles", "sam@example.com", "--role", "it_champion").exit_code == 0
    assert people.get_user(db, people.user_id_for(db, "sam@example.com")).roles == ("it_champion",)
    assert hero("users", "deactivate", "sam@example.com").exit_code == 0
    listing = hero("users", "list")
    assert listing.exit_code == 0 and "(deactivated)" in listing.stdout
    assert (
        one_error_line(hero("users", "deactivate", "nobody@example.com"))
        == "error: no user with email 'nobody@example.com'"
    )


def test_ideas_overdue_lists_broken_promises(hero, org):
    assert hero("ideas", "overdue").stdout.strip() == "0 overdue"
    long_ago = org.db.now() - timedelta(days=60)
    org.db.clock = lambda: long_ago
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(), submit=True)
    lines = hero("ideas", "overdue").stdout.strip().splitlines()
    assert [line.split("\t")[:3] for line in lines[:-1]] == [
        [f"#{idea_id}", "CC", "start review"],
        [f"#{idea_id}", "CC", "decide"],
    ]
    assert lines[-1] == "2 overdue"


def test_init_creates_and_then_keeps_a_database(tmp_path, monkeypatch):
    monkeypatch.setenv("HERO_DATABASE_URL", f"sqlite:///{tmp_path / 'new' / 'hero.db'}")
    first = CliRunner().invoke(main, ["init"])
    assert (first.exit_code, first.stdout.strip()) == (
        0,
        "database ready (sqlite); 8 default metric(s) added; audit key from HERO_AUDIT_KEY",
    )
    again = CliRunner().invoke(main, ["init"])
    assert (again.exit_code, again.stdout.strip()) == (
        0,
        "database ready (sqlite); 0 default metric(s) added; audit key from HERO_AUDIT_KEY",
    )
    assert (
        CliRunner().invoke(main, ["audit", "verify"]).stdout.strip()
        == "audit trail intact: 8 entries verified"
    )


def test_an_unreachable_database_is_one_line_not_a_traceback(monkeypatch):
    monkeypatch.setenv("HERO_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    line = one_error_line(CliRunner().invoke(main, ["teams", "list"]))
    assert line.startswith("error: unexpected OperationalError")
