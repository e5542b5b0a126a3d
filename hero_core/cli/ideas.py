"""`hero ideas`: ideas in and out as CSV, and the broken service-level promises."""

from __future__ import annotations

import click

from hero_core.cli.base import database, handles_errors, main


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
    count = ideas_io.import_ideas_csv(database(), path=file, actor_id=None, dayfirst=True if dayfirst else None)
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
    count = ideas_io.export_ideas_csv(database(), path=file)
    click.echo(f"{count} idea(s) exported to {file}")


@ideas.command("overdue")
@handles_errors
def ideas_overdue() -> None:
    """List broken service-level promises that are still open."""
    from hero_core.services import ideas as idea_services

    items = idea_services.overdue(database())
    for o in items:
        click.echo(f"#{o.idea_id}\t{o.team_code}\t{o.promise}\tdue {o.due:%Y-%m-%d %H:%M} UTC\t{o.title}")
    click.echo(f"{len(items)} overdue")
