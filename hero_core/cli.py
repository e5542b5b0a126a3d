"""The `hero` command line: a stable contract for operators and scripts.

Every command exits 0 on success and 1 with one line per problem on bad input, never with a traceback.
"""

from __future__ import annotations

import functools
import logging
import sys

import click

from hero_core.errors import HeroError, ImportRejected, InvalidInput

log = logging.getLogger("hero")


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(1)


def handles_errors(func):
    """Turn domain errors (and any unexpected one) into one-line messages and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ImportRejected as exc:
            shown = exc.problems[:50]
            lines = [f"{exc.total} problem(s) in the file; nothing was stored."] + shown
            if exc.total > len(shown):
                lines.append(f"... and {exc.total - len(shown)} more")
            _fail(lines)
        except InvalidInput as exc:
            _fail(exc.problems)
        except HeroError as exc:
            _fail([str(exc)])
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the contract is: never a traceback
            log.debug("unexpected error", exc_info=True)
            _fail([f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")])

    return wrapper


def _db():
    from hero_core.db import Database

    return Database()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hero-compact")
def main() -> None:
    """Run the HERO compact: frontline ideas, manager risk review, IT scaling, measured impact.

    The database is SQLite at data/hero.db unless HERO_DATABASE_URL names another
    (for example postgresql+psycopg://user@host/dbname).
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--demo", is_flag=True, help="Load the demo organisation if the database is empty.")
@handles_errors
def init(demo: bool) -> None:
    """Create the database or migrate it to the newest schema, and the audit key if there is none.

    The key signs the audit trail; it is read from HERO_AUDIT_KEY, else from the key file (HERO_AUDIT_KEY_FILE,
    default data/audit.key), which this creates with mode 0600 when neither exists."""
    from hero_core import audit as audit_module
    from hero_core.db import migrate
    from hero_core.services import catalog

    db = _db()
    migrate(db)
    keyed = audit_module.adopt_key(db)  # before the first entry below, which it signs
    added = catalog.ensure_defaults(db)
    click.echo(f"database ready ({db.dialect}); {added} default metric(s) added; {keyed}")
    if demo:
        from hero_core import demo as demo_module

        if demo_module.is_empty(db):
            click.echo("loading the demo organisation (teams, people, ideas, 18 months of metrics)...")
            summary = demo_module.build_demo(db)
            click.echo(summary)
        else:
            click.echo("demo not loaded: the database already has people in it")


# ---- teams and users ---------------------------------------------------------------------------------------


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

    people.create_team(_db(), actor_id=None, code=code, name=name)
    click.echo(f"team {code} added")


@teams.command("list")
@handles_errors
def teams_list() -> None:
    """List teams with their managers."""
    from hero_core.services import people

    for t in people.list_teams(_db()):
        click.echo(f"{t.code}\t{t.name}\t{t.members} member(s)\tmanagers: {', '.join(t.manager_emails) or '-'}")


@teams.command("managers")
@click.argument("code")
@click.option("--manager", "managers", multiple=True, required=True, help="Email of a manager (repeatable).")
@handles_errors
def teams_managers(code: str, managers: tuple[str, ...]) -> None:
    """Set who manages team CODE."""
    from hero_core.services import people

    people.set_team_managers(_db(), actor_id=None, team_code=code, manager_emails=list(managers))
    click.echo(f"team {code} managers: {', '.join(managers)}")


@main.group()
def users() -> None:
    """People and their roles."""


@users.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", "roles", multiple=True, required=True,
              help="frontline, manager, it_champion, executive or admin (repeatable).")
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
    people.add_user(_db(), actor_id=None, email=email, name=name, roles=list(roles), team_code=team,
                    password=password)
    click.echo(f"user {email.strip().lower()} added")


@users.command("roles")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, help="The complete new set of roles (repeatable).")
@handles_errors
def users_roles(email: str, roles: tuple[str, ...]) -> None:
    """Replace a person's roles."""
    from hero_core.services import people

    people.set_roles(_db(), actor_id=None, email=email, roles=list(roles))
    click.echo(f"roles of {email}: {', '.join(roles)}")


@users.command("deactivate")
@click.argument("email")
@handles_errors
def users_deactivate(email: str) -> None:
    """Deactivate a person (their history stays; they can no longer log in)."""
    from hero_core.services import people

    people.set_active(_db(), actor_id=None, email=email, active=False)
    click.echo(f"user {email} deactivated")


@users.command("list")
@handles_errors
def users_list() -> None:
    """List people with roles and teams."""
    from hero_core.services import people

    for u in people.list_users(_db(), actor_id=None):
        state = "" if u.active else "\t(deactivated)"
        click.echo(f"{u.email}\t{u.name}\t{','.join(u.roles)}\t{u.team_code or '-'}{state}")


@users.command("password")
@click.argument("email")
@handles_errors
def users_password(email: str) -> None:
    """Set a person's password, read from standard input (one line)."""
    from hero_core.services import people

    password = sys.stdin.readline().rstrip("\r\n")
    people.set_password(_db(), actor_id=None, email=email, password=password)
    click.echo(f"password of {email} changed; their sessions were ended")


# ---- ideas -------------------------------------------------------------------------------------------------


@main.group()
def ideas() -> None:
    """Move ideas in and out as CSV (for an existing suggestion-box spreadsheet)."""


@ideas.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dayfirst", is_flag=True, help="Read ambiguous dates like 03/04/2025 as day/month.")
@handles_errors
def ideas_import(file: str, dayfirst: bool) -> None:
    """Import ideas from a CSV file; all rows or none."""
    from hero_core.services import ideas_io

    # Without --dayfirst an ambiguous date like 03/04/2025 is refused rather than guessed.
    count = ideas_io.import_ideas_csv(_db(), path=file, actor_id=None, dayfirst=True if dayfirst else None)
    click.echo(f"{count} idea(s) imported")


@ideas.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@handles_errors
def ideas_export(file: str) -> None:
    """Export every submitted idea to a CSV file (drafts stay private)."""
    from hero_core import safe_paths
    from hero_core.services import ideas_io

    safe_paths.writable(file, what="export file")
    safe_paths.writable(file + ".part", what="export file's temporary file")  # written first, then renamed
    count = ideas_io.export_ideas_csv(_db(), path=file)
    click.echo(f"{count} idea(s) exported to {file}")


@ideas.command("overdue")
@handles_errors
def ideas_overdue() -> None:
    """List broken service-level promises that are still open."""
    from hero_core.services import ideas as idea_services

    items = idea_services.overdue(_db())
    for o in items:
        click.echo(f"#{o.idea_id}\t{o.team_code}\t{o.promise}\tdue {o.due:%Y-%m-%d %H:%M} UTC\t{o.title}")
    click.echo(f"{len(items)} overdue")


# ---- audit -------------------------------------------------------------------------------------------------


@main.group()
def audit() -> None:
    """The hash-chained audit trail."""


@audit.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False), default=None,
              help="Also check the heads noted by `hero audit checkpoint FILE` (catches deleted newest entries).")
@handles_errors
def audit_verify(checkpoint_file: str | None) -> None:
    """Check the audit chain: exit 0 when intact, 1 naming the first broken entry."""
    from hero_core import audit as audit_module

    db = _db()
    with db.read() as s:
        result = audit_module.verify(s)
        if result.ok and checkpoint_file:
            from hero_core.cli_ops import verify_checkpoints

            problems = verify_checkpoints(s, checkpoint_file)
            if problems:
                _fail([f"audit trail broken at {p}" for p in problems])
    if result.ok:
        click.echo(result.message)
        return
    _fail([f"audit trail broken at {result.message}"])


from hero_core.cli_impact import register as _register_impact
_register_impact(main)
from hero_core.cli_ops import register as _register_ops  # noqa: E402
_register_ops(main)
from hero_core.cli_seed import register as _register_seed; _register_seed(main)  # noqa: E402,E702
from hero_core.cli_mail import register as _register_mail; _register_mail(main)  # noqa: E402,E702

if __name__ == "__main__":
    main()
