"""`hero backup` and `hero restore`: a consistent copy of the database, and loading one into an empty database."""

from __future__ import annotations

import click

from hero_core.cli.base import database, handles_errors, main


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@handles_errors
def backup_command(file: str) -> None:
    """Write a consistent backup of the database to FILE, safe while the app runs.

    SQLite: a copy made with SQLite's online backup API (FILE is a SQLite database).
    PostgreSQL: a logical export of one snapshot (gzip'd JSON lines). Either restores with `hero restore`.
    """
    from hero_core import backup

    summary = backup.backup(database(), file)
    total = sum(summary.rows.values())
    click.echo(f"backup written to {summary.path} ({summary.kind}): {total:,} rows, "
               f"audit trail head seq {summary.audit_entries} {summary.audit_head[:16]}")


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@handles_errors
def restore_command(file: str) -> None:
    """Restore FILE (made by `hero backup`) into the database, which must be empty.

    The schema is created if missing; every row is copied in one transaction; the audit trail is verified
    before anything is committed, then a `backup_restored` entry continues it.
    """
    from hero_core import backup

    summary = backup.restore(database(), file)
    total = sum(summary.rows.values())
    click.echo(f"restored {total:,} rows from {file}; audit trail verified, now at seq {summary.audit_entries}")
