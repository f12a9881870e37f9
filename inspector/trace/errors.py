"""The reader's one error type."""


class TraceError(Exception):
    """The file is not a trace this version can read (one line for the user)."""
