"""`hero init`: create or migrate the database, the audit key and, on request, the demo organisation."""

from __future__ import annotations

import click

from hero_core.cli.base import database, handles_errors, main


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

    db = database()
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
