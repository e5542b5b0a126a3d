"""`hero seed`: scale data for benchmarks and load tests."""

from __future__ import annotations

import click

from hero_core.cli.base import handles_errors, main


@main.command()
@click.option("--ideas", "n_ideas", type=click.IntRange(min=0), required=True, help="How many ideas.")
@click.option("--observations", "n_observations", type=click.IntRange(min=0), default=0, show_default=True,
              help="How many daily metric observations in all.")
@click.option("--teams", "n_teams", type=click.IntRange(min=2, max=5000), default=None,
              help="How many teams (default: about one per 500 ideas, 10 to 200).")
@click.option("--seed", "random_seed", type=int, default=2026, show_default=True, help="Random seed.")
@handles_errors
def seed(n_ideas: int, n_observations: int, n_teams: int | None, random_seed: int) -> None:
    """Fill an EMPTY database with a whole organisation's history, fast (bulk inserts, one transaction).

    Ideas in every state with their histories, risk assessments, IT plans, pilots, comments, supports,
    notifications, daily customer metrics and a hash-chained audit trail that `hero audit verify` accepts.
    Every account's password is the demo password.
    """
    from hero_core import seed as seed_module
    from hero_core.db import Database, migrate

    db = Database()
    migrate(db)
    summary = seed_module.seed(db, ideas=n_ideas, observations=n_observations, teams=n_teams,
                               seed=random_seed, progress=lambda m: click.echo(f"... {m}", err=True))
    click.echo(summary.text())
