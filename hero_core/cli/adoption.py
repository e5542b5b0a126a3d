"""`hero adoption import`: adoption per team of piloted and scaled ideas (hero_core/services/adoption.py)."""

from __future__ import annotations

import click

from hero_core.cli.base import database, handles_errors, main


@main.group("adoption")
def adoption_group() -> None:
    """Adoption per team of piloted and scaled ideas."""


@adoption_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dayfirst/--monthfirst", default=None, help="How to read dates such as 03/04/2026.")
@handles_errors
def adoption_import(file: str, dayfirst: bool | None) -> None:
    """Import adoption figures from FILE (CSV, UTF-8: idea_id,team,date,adopted_share), all rows or none."""
    from hero_core.services import adoption

    summary = adoption.import_adoption(database(), actor_id=None, source=file, dayfirst=dayfirst)
    click.echo(f"{summary.rows} adoption figure(s) stored from {summary.file_name}: {summary.ideas} idea(s), "
               f"{summary.teams} team(s)")
