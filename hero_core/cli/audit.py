"""`hero audit`: verify the hash-chained trail, note its head in a checkpoint file, rotate its key."""

from __future__ import annotations

from pathlib import Path

import click

from hero_core.cli.base import database, fail, handles_errors, main


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

    db = database()
    with db.read() as s:
        result = audit_module.verify(s)
        if result.ok and checkpoint_file:
            problems = verify_checkpoints(s, checkpoint_file)
            if problems:
                fail([f"audit trail broken at {p}" for p in problems])
    if result.ok:
        click.echo(result.message)
        return
    fail([f"audit trail broken at {result.message}"])


@audit.command("checkpoint")
@click.argument("file", type=click.Path(dir_okay=False))
@handles_errors
def audit_checkpoint(file: str) -> None:
    """Append the audit trail's head (seq and hash) to FILE; keep FILE where database users cannot edit it.

    `hero audit verify --checkpoint FILE` then also catches deletion of the newest entries, which a hash
    chain alone cannot show.
    """
    from hero_core import audit as audit_module
    from hero_core import safe_paths

    path = safe_paths.writable(file, what="checkpoint file")
    db = database()
    with db.read() as s:
        result = audit_module.verify(s)
        if not result.ok:
            from hero_core.errors import HeroError

            raise HeroError(f"not checkpointing a broken trail: {result.message}")
        point = audit_module.head(s)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(point.line() + "\n")
    click.echo(f"checkpoint seq {point.seq} appended to {file}")


@audit.command("rotate-key")
@handles_errors
def audit_rotate_key() -> None:
    """Sign new audit entries with a new key; the old one stays in the key file for the entries it signed.

    The trail is verified first. The key file keeps the retired key with the seq and hash of the last entry it
    signed (so that part cannot be rewritten with it either); copy the new file wherever the key is kept.
    """
    from hero_core import audit as audit_module

    new_key, retired_at = audit_module.rotate_key(database())
    click.echo(f"audit key rotated in {new_key.source}: entries up to seq {retired_at.seq} keep the retired key, "
               "later ones use the new key; copy the new key file to wherever the key is kept")


def verify_checkpoints(session, file: str) -> list[str]:
    """Problems found when checking every checkpoint line of FILE against the trail (empty: all hold)."""
    from hero_core import audit as audit_module
    from hero_core.errors import InvalidInput

    path = Path(file)
    if not path.is_file():
        raise InvalidInput(f"checkpoint file {file!r} does not exist")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InvalidInput(f"checkpoint file {file!r} is not text; it holds no checkpoint lines") from None
    # Every line is parsed before any is checked: a file that is partly garbage is refused, not half-checked.
    points = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            points.append(audit_module.Checkpoint.parse(line))
        except ValueError as exc:
            raise InvalidInput(f"{file} line {number}: {exc}") from None
    if not points:
        # An empty file would otherwise "pass" while checking nothing: the truncation it exists to catch.
        raise InvalidInput(f"checkpoint file {file!r} holds no checkpoint; "
                           "`hero audit checkpoint FILE` writes one")
    return [problem for point in points if (problem := audit_module.check_checkpoint(session, point))]
