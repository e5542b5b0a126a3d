"""The `hero` command line: a stable contract for operators and scripts.

Every command exits 0 on success and 1 with one line per problem on bad input, never with a traceback.

One module per command group. `base` holds the `main` group and the shared helpers (`handles_errors`,
`fail`, `database`) and imports no other module of this package; each command module imports `main` from
`base` and registers its commands on it when imported. This file only imports them, in order.

To add a group (for example `hero help ...`): write `hero_core/cli/help.py` with
`from hero_core.cli.base import handles_errors, main` and `@main.group()` / `@<group>.command(...)`,
then add `help` to the import below. Nothing else changes: the entry point stays `hero_core.cli:main`.
"""

# Importing a command module registers its commands on `main`.
from hero_core.cli import adoption, audit, help, ideas, impact, init, mail, ops, people, seed, watch  # noqa: F401
from hero_core.cli.base import handles_errors, main

__all__ = ["handles_errors", "main"]
