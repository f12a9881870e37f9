"""One module per subcommand, each with `add_arguments(parser)` and `run(args) -> int`
(memray's commands/ layout). `cli.py` builds the parser from `COMMANDS`."""

from __future__ import annotations

from inspector.errors import CommandError

__all__ = ["CommandError"]
