"""One module per subcommand, each with `add_arguments(parser)` and `run(args) -> int`
(memray's commands/ layout). `cli.py` builds the parser from `COMMANDS`."""

from __future__ import annotations


class CommandError(Exception):
    """A mistake of the user's: `main` prints it as one line and exits 2."""
