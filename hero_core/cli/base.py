"""The `hero` command group and what every command module shares: the error contract and the database.

Every command exits 0 on success and 1 with one line per problem on bad input, never with a traceback.
This module imports no other `hero_core.cli` module; the command modules import it (see cli/__init__.py).
"""

from __future__ import annotations

import functools
import logging
import sys

import click

from hero_core.errors import HeroError, ImportRejected, InvalidInput

log = logging.getLogger("hero")


def fail(lines: list[str]) -> None:
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
            lines = [f"{exc.total} problem(s) in the file; nothing was stored.", *shown]
            if exc.total > len(shown):
                lines.append(f"... and {exc.total - len(shown)} more")
            fail(lines)
        except InvalidInput as exc:
            fail(exc.problems)
        except HeroError as exc:
            fail([str(exc)])
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # the contract is: never a traceback (logged at debug level)
            log.debug("unexpected error", exc_info=True)
            fail([f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")])

    return wrapper


def database():
    """The database named by the environment (imported late: `hero --help` needs no SQLAlchemy)."""
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
