"""`hero teams` and `hero users`: the organisation's teams, people and roles."""

from __future__ import annotations

import sys

import click

from hero_core.cli.base import database, handles_errors, main
from hero_core.errors import InvalidInput


@main.group()
def teams() -> None:
    """Teams of the organisation."""


@teams.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The team's display name.")
@handles_errors
def teams_add(code: str, name: str) -> None:
    """Add a team with a short CODE (letters, digits, - and _)."""
    from hero_core.services import people

    people.create_team(database(), actor_id=None, code=code, name=name)
    click.echo(f"team {code} added")


@teams.command("list")
@handles_errors
def teams_list() -> None:
    """List teams with their managers."""
    from hero_core.services import people

    for t in people.list_teams(database()):
        click.echo(f"{t.code}\t{t.name}\t{t.members} member(s)\tmanagers: {', '.join(t.manager_emails) or '-'}")


@teams.command("managers")
@click.argument("code")
@click.option("--manager", "managers", multiple=True, required=True, help="Email of a manager (repeatable).")
@handles_errors
def teams_managers(code: str, managers: tuple[str, ...]) -> None:
    """Set who manages team CODE."""
    from hero_core.services import people

    people.set_team_managers(database(), actor_id=None, team_code=code, manager_emails=list(managers))
    click.echo(f"team {code} managers: {', '.join(managers)}")


@main.group()
def users() -> None:
    """People and their roles."""


@users.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", "roles", multiple=True, required=True,
              help="frontline, manager, it_champion, ecoach, executive or admin (repeatable).")
@click.option("--team", "team", required=True, help="Code of the person's team.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
@handles_errors
def users_add(email: str, name: str, roles: tuple[str, ...], team: str, password_stdin: bool) -> None:
    """Add a person. A manager role makes them a manager of their team."""
    from hero_core.services import people

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidInput("no password was given on standard input")
    people.add_user(database(), actor_id=None, email=email, name=name, roles=list(roles), team_code=team,
                    password=password)
    click.echo(f"user {email.strip().lower()} added")


@users.command("roles")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, help="The complete new set of roles (repeatable).")
@handles_errors
def users_roles(email: str, roles: tuple[str, ...]) -> None:
    """Replace a person's roles."""
    from hero_core.services import people

    people.set_roles(database(), actor_id=None, email=email, roles=list(roles))
    click.echo(f"roles of {email}: {', '.join(roles)}")


@users.command("deactivate")
@click.argument("email")
@handles_errors
def users_deactivate(email: str) -> None:
    """Deactivate a person (their history stays; they can no longer log in)."""
    from hero_core.services import people

    people.set_active(database(), actor_id=None, email=email, active=False)
    click.echo(f"user {email} deactivated")


@users.command("list")
@handles_errors
def users_list() -> None:
    """List people with roles and teams."""
    from hero_core.services import people

    for u in people.list_users(database(), actor_id=None):
        state = "" if u.active else "\t(deactivated)"
        click.echo(f"{u.email}\t{u.name}\t{','.join(u.roles)}\t{u.team_code or '-'}{state}")


@users.command("password")
@click.argument("email")
@handles_errors
def users_password(email: str) -> None:
    """Set a person's password, read from standard input (one line)."""
    from hero_core.services import people

    password = sys.stdin.readline().rstrip("\r\n")
    people.set_password(database(), actor_id=None, email=email, password=password)
    click.echo(f"password of {email} changed; their sessions were ended")
