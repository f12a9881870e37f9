"""The app's messages. Threads never touch widgets: they post these.

(Messages a widget sends about itself, such as `EventsTable.Moved`, live in the
widget's class, as Textual's own widgets do.)"""

from __future__ import annotations

from textual.message import Message


class TraceReady(Message):
    """The poller put reads of the trace in the app's inbox (inspector/tui/inbox.py)."""


class TraceProblem(Message):
    """The file cannot be read as a trace (one line for the user)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ScriptExited(Message):
    """The child process ended (its `end` event is in the trace by now)."""

    def __init__(self, code: int | None) -> None:
        super().__init__()
        self.code = code
