"""Asked before quitting while the script still runs."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmQuit(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmQuit { align: center middle; }
    ConfirmQuit > Vertical {
        width: 60;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    """

    BINDINGS = [
        Binding("y,q,enter", "answer(True)", "Stop the script and quit"),
        Binding("n,escape", "answer(False)", "Keep watching"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            text = Text()
            text.append("The script is still running.\n\n", "bold")
            text.append("y", "bold reverse")
            text.append("  stop it and quit (the trace keeps what was recorded)\n")
            text.append("n", "bold reverse")
            text.append("  keep watching")
            yield Static(text)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
