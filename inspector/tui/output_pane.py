"""The output pane: the script's stdout and stderr, literally (a bounded tail)."""

from __future__ import annotations

from textual.widgets import Log

from inspector.tui.text import clean

MAX_LINES = 5000


class OutputPane(Log):
    DEFAULT_CSS = """
    OutputPane {
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(max_lines=MAX_LINES, highlight=False, auto_scroll=True, **kwargs)
        self.seen = 0
        self._partial = False

    def feed(self, outputs: list) -> None:
        """Append the state's output chunks not shown yet (never parsed as markup)."""
        new = outputs[self.seen:]
        self.seen = len(outputs)
        if not new:
            return
        # The Log keeps plain strings; control characters are made visible first.
        self.write("".join(clean(o.text.replace("\r\n", "\n")).replace("␍", "") for o in new))

    def show_upto(self, outputs: list, count: int) -> None:
        """Replay: show the first `count` chunks (the output as of the playhead)."""
        if count < self.seen:
            self.clear()
            self.seen = max(0, count - MAX_LINES)
        self.feed(outputs[:count])
