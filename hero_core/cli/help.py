"""`hero help import` and `hero help recurring`: help history from a help desk, and the recurring roadblocks."""

from __future__ import annotations

import json

import click

from hero_core.cli.base import database, handles_errors, main


@main.group("help")
def help_group() -> None:
    """Help with roadblocks: history imports, recurring roadblocks, the help metrics."""


@help_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@handles_errors
def help_import(file: str) -> None:
    """Import a help desk's history from FILE (CSV, UTF-8), all rows or none.

    Columns: asked_at, asker_email, team, touchpoint, system, question, answer, answered_at, answerer_email,
    solved (system and the answer columns may be empty). Then the help metrics are counted again.
    """
    from hero_core import help_io

    summary = help_io.import_help(database(), actor_id=None, source=file)
    click.echo(f"{summary.requests} help request(s) stored from {summary.file_name}: {summary.answered} answered, "
               f"{summary.solved} solved (known answers)")
    written = help_io.count_help_metrics(database(), actor_id=None)
    click.echo(f"{written} daily help-request count(s) written to the metric catalog")


@help_group.command("recurring")
@click.option("--days", type=int, default=90, show_default=True, help="The window: the last N days.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, largest roadblock first.")
@handles_errors
def help_recurring(days: int, as_json: bool) -> None:
    """Print the recurring roadblocks: similar help requests at one system or touch point, largest first."""
    from hero_core.services import help

    found = help.recurring_roadblocks(database(), actor_id=None, days=days)
    found.sort(key=lambda r: (-r.size, -r.people, r.request_ids[0]))
    if as_json:
        click.echo(json.dumps([{
            "request_ids": list(r.request_ids), "size": r.size, "people": r.people, "teams": list(r.teams),
            "touchpoint": r.touchpoint, "system": r.system or None, "system_name": r.system_name or None,
            "summary": r.summary, "hours_waiting": r.hours_waiting, "first_at": r.first_at.isoformat(),
            "last_at": r.last_at.isoformat(), "idea_id": r.idea_id} for r in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo(f"No recurring roadblock in the last {days} days.")
        return
    for r in found:
        where = " · ".join(x for x in (r.system_name, r.touchpoint_label) if x)
        idea = f" → idea #{r.idea_id}" if r.idea_id else ""
        click.echo(f"{r.size:>5} requests · {r.people} people · {len(r.teams)} teams · {where}: {r.summary}{idea}")


@help_group.command("count")
@handles_errors
def help_count() -> None:
    """Count help requests about each system per team and day into the metric catalog (daily, from cron)."""
    from hero_core import help_io

    written = help_io.count_help_metrics(database(), actor_id=None)
    click.echo(f"{written} daily help-request count(s) written to the metric catalog")
