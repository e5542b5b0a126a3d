"""`hero watch`: the open erosion alarms of launched ideas (hero_core/services/erosion.py)."""

from __future__ import annotations

import json

import click

from hero_core.cli.base import database, handles_errors, main


@main.command("watch")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list of objects: idea_id, kind, metric (or null), detail, and more.")
@click.option("--no-refresh", is_flag=True, help="Only print the alarms; do not check the launched ideas first.")
@handles_errors
def watch(as_json: bool, no_refresh: bool) -> None:
    """Check every launched idea for erosion, then print the open alarms (effect fading, roadblock returning)."""
    from hero_core.services import erosion

    db = database()
    note = ""
    if no_refresh:
        when = erosion.last_checked(db)
        note = (f"Not checked now; the open alarms were last checked {when:%Y-%m-%d %H:%M} UTC."
                if when else "Not checked now.")
    else:
        summary = erosion.refresh_alarms(db)
        note = (f"Checked {summary.ideas_watched} launched idea(s) at {summary.checked_at:%Y-%m-%d %H:%M} UTC: "
                f"{len(summary.opened)} new alarm(s).")
    alarms = erosion.open_alarms(db, actor_id=None)
    if as_json:
        if note:
            click.echo(note, err=True)
        click.echo(json.dumps([a.as_json() for a in alarms], indent=2, ensure_ascii=False))
        return
    click.echo(note)
    if not alarms:
        click.echo("No open erosion alarm.")
        return
    for a in alarms:
        metric = f" · {a.metric_name}" if a.metric_name else ""
        click.echo(f"#{a.id} · idea #{a.idea_id} “{a.idea_title}” ({a.team_name}) · {a.kind_label}{metric} · "
                   f"open since {a.opened_at:%Y-%m-%d}")
        click.echo(f"    {a.detail}")
