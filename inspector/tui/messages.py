"""The app's messages. Threads never touch widgets: they post these.

(Messages a widget sends about itself, such as `EventsTable.Moved`, live in the
widget's class, as Textual's own widgets do.)"""

from __future__ import annotations

from typing import Any

from textual.message import Message


class TraceBatch(Message):
    """Events read from the trace since the last batch (one poll of the file)."""

    def __init__(self, events: list[dict[str, Any]], header: dict[str, Any] | None,
                 final: bool = False, cut: bool = False, bad_lines: int = 0) -> None:
        super().__init__()
        self.events = events
        self.header = header
        self.final = final  # nothing more will come: the script and the recording ended
        self.cut = cut  # the trace's last line was cut mid-way
        self.bad_lines = bad_lines


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
