"""`hero metrics import` and `hero impact`: measurement at the command line."""

from __future__ import annotations

import json

import click

from hero_core.cli.base import database, handles_errors, main


def _num(x: float | None, digits: int = 4) -> str:
    return "-" if x is None else f"{x:.{digits}g}"


def _p(x: float | None) -> str:
    if x is None:
        return "-"
    return "<0.001" if x < 0.001 else f"{x:.3f}"


@main.group()
def metrics() -> None:
    """Customer metrics: observations imported from spreadsheets."""


@metrics.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dayfirst", is_flag=True, help="Read ambiguous dates like 03/04/2025 as day/month.")
@click.option("--monthfirst", is_flag=True, help="Read ambiguous dates like 03/04/2025 as month/day.")
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite stored observations with the same metric, team and date (else they are refused).",
)
@handles_errors
def metrics_import(file: str, dayfirst: bool, monthfirst: bool, replace: bool) -> None:
    """Import observations from FILE (.csv or .xlsx, header metric,team,date,value[,sample_size]).

    All rows or none: every problem is listed with its row number, column, value and reason.
    """
    from hero_core.errors import InvalidInput
    from hero_core.services import metrics_io

    if dayfirst and monthfirst:
        raise InvalidInput("choose --dayfirst or --monthfirst, not both")
    order = True if dayfirst else (False if monthfirst else None)
    summary = metrics_io.import_metrics(
        database(), source=file, actor_id=None, dayfirst=order, replace=replace
    )
    replaced = f" ({summary.replaced} replaced)" if summary.replaced else ""
    click.echo(f"{summary.rows} row(s) stored from {summary.file_name}{replaced}")
    from hero_core import impact_store

    # The verdicts whose windows the new days cover, measured on every core.
    measured = impact_store.refresh(database(), workers=impact_store.default_workers())
    click.echo(f"{measured} impact estimate(s) of launched ideas measured again")


@main.command("impact")
@click.argument("idea_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per target metric.")
@handles_errors
def impact_command(idea_id: int, as_json: bool) -> None:
    """Measure a launched idea's effect on each of its target metrics (difference-in-differences).

    Windows: HERO_IMPACT_BASELINE_DAYS (90), HERO_IMPACT_EVAL_DAYS (90), HERO_IMPACT_RAMP_DAYS (0).
    """
    from hero_core import impact
    from hero_core.services import impact_reads

    windows = impact.windows_from_env()
    estimates = impact_reads.estimate_impact(database(), idea_id=idea_id, actor_id=None, windows=windows)
    if as_json:
        click.echo(json.dumps([e.as_json() for e in estimates], indent=2))
        return
    if not estimates:
        click.echo(f"Idea #{idea_id} has no target metrics to measure.")
        return
    click.echo(
        f"Idea #{idea_id}: baseline {windows.baseline_days} days before launch, evaluation "
        f"{windows.eval_days} days after a {windows.ramp_days}-day ramp-up; effects in the metric's unit."
    )
    header = (
        "metric",
        "method",
        "effect",
        "95% CI",
        "p",
        "pre-trend p",
        "teams (pilot/comparison)",
        "observations",
        "verdict",
        "smallest detectable",
    )
    rows = [
        (
            e.metric,
            e.method,
            _num(e.effect),
            "-" if e.ci_low is None else f"[{_num(e.ci_low)}, {_num(e.ci_high)}]",
            _p(e.p_value),
            _p(e.pre_trend_p),
            f"{len(e.treated_teams)}/{len(e.comparison_teams)}",
            str(e.n_obs),
            e.verdict,
            _num(e.mde),
        )
        for e in estimates
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    for e in estimates:
        if e.plain_reading and e.plain_effect is not None:
            click.echo(
                f"plain comparison ({e.metric}): {e.plain_reading}: {_num(e.plain_effect)} "
                f"[{_num(e.plain_ci_low)}, {_num(e.plain_ci_high)}], p {_p(e.plain_p_value)}"
            )
        for note in e.warnings:
            click.echo(f"note ({e.metric}): {note}")
