"""The one error type for a mistake of the user's: `cli.main` prints it as one line and
exits 2. Here, not in `commands`, so that what sits on top of the commands
(integrations/web.py) can raise it without importing them back."""

from __future__ import annotations


class CommandError(Exception):
    """A mistake of the user's: `main` prints it as one line and exits 2."""
