"""`hero backup`, `hero restore`, `hero audit checkpoint` and `hero audit rotate-key`: operating the database
(registered by hero_core.cli).

As in cli_impact.py, nothing from hero_core.cli is imported at module level (cli.py imports this at its end).
"""

from __future__ import annotations

from pathlib import Path

import click


def _db():
    from hero_core.db import Database

    return Database()


def register(main: click.Group) -> None:
    """Add `backup`, `restore` and `audit checkpoint` to the `hero` command line."""
    from hero_core.cli import handles_errors

    @main.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False))
    @handles_errors
    def backup_command(file: str) -> None:
        """Write a consistent backup of the database to FILE, safe while the app runs.

        SQLite: a copy made with SQLite's online backup API (FILE is a SQLite database).
        PostgreSQL: a logical export of one snapshot (gzip'd JSON lines). Either restores with `hero restore`.
        """
        from hero_core import backup

        summary = backup.backup(_db(), file)
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

        summary = backup.restore(_db(), file)
        total = sum(summary.rows.values())
        click.echo(f"restored {total:,} rows from {file}; audit trail verified, now at seq {summary.audit_entries}")

    audit_group = main.commands["audit"]

    @audit_group.command("checkpoint")
    @click.argument("file", type=click.Path(dir_okay=False))
    @handles_errors
    def audit_checkpoint(file: str) -> None:
        """Append the audit trail's head (seq and hash) to FILE; keep FILE where database users cannot edit it.

        `hero audit verify --checkpoint FILE` then also catches deletion of the newest entries, which a hash
        chain alone cannot show.
        """
        from hero_core import audit, safe_paths

        path = safe_paths.writable(file, what="checkpoint file")
        db = _db()
        with db.read() as s:
            result = audit.verify(s)
            if not result.ok:
                from hero_core.errors import HeroError

                raise HeroError(f"not checkpointing a broken trail: {result.message}")
            point = audit.head(s)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(point.line() + "\n")
        click.echo(f"checkpoint seq {point.seq} appended to {file}")


    @audit_group.command("rotate-key")
    @handles_errors
    def audit_rotate_key() -> None:
        """Sign new audit entries with a new key; the old one stays in the key file for the entries it signed.

        The trail is verified first. The key file keeps the retired key with the seq and hash of the last entry it
        signed (so that part cannot be rewritten with it either); copy the new file wherever the key is kept.
        """
        from hero_core import audit

        new_key, retired_at = audit.rotate_key(_db())
        click.echo(f"audit key rotated in {new_key.source}: entries up to seq {retired_at.seq} keep the retired key, "
                   "later ones use the new key; copy the new key file to wherever the key is kept")


def verify_checkpoints(session, file: str) -> list[str]:
    """Problems found when checking every checkpoint line of FILE against the trail (empty: all hold)."""
    from hero_core import audit
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
            points.append(audit.Checkpoint.parse(line))
        except ValueError as exc:
            raise InvalidInput(f"{file} line {number}: {exc}") from None
    if not points:
        # An empty file would otherwise "pass" while checking nothing: the truncation it exists to catch.
        raise InvalidInput(f"checkpoint file {file!r} holds no checkpoint; "
                           "`hero audit checkpoint FILE` writes one")
    return [problem for point in points if (problem := audit.check_checkpoint(session, point))]
