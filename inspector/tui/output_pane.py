"""The output pane: the script's stdout and stderr, literally (a bounded tail).

The state keeps a bounded tail of the output (analysis/output.py: `OutputTail`, whose
`total` counts every chunk ever seen) and this pane its last MAX_LINES lines; a batch
of more lines than that replaces the pane's text with the batch's last lines instead of
writing them all; output the state dropped before the pane showed it is marked by a
GAP line. The whole output is in the trace and in `TRACE.out`.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import Log

from inspector.tui._textual_compat import QuietVirtualSize
from inspector.tui.text import clean

MAX_LINES = 5000
BULK_LINES = 100  # a batch of at least this many lines is written in bulk
# Where output went by faster than the pane was drawn and the state's tail dropped it.
GAP = "… (output not kept here: all of it is in TRACE.out, next to the trace)\n"


def _total(outputs: Sequence) -> int:
    """Chunks ever appended to `outputs` (an OutputTail; a plain list keeps them all)."""
    return getattr(outputs, "total", len(outputs))


class OutputPane(Log, QuietVirtualSize):
    DEFAULT_CSS = """
    OutputPane {
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(max_lines=MAX_LINES, highlight=False, auto_scroll=True, **kwargs)
        self.seen = 0  # chunks shown, counted as `total` counts them

    def feed(self, outputs: Sequence) -> None:
        """Append the state's output chunks not shown yet (never parsed as markup)."""
        self._show(outputs, _total(outputs))

    def show_upto(self, outputs: Sequence, count: int) -> None:
        """Replay: show the first `count` chunks the state keeps (the output as of the
        playhead)."""
        upto = _total(outputs) - len(outputs) + count
        if upto < self.seen:
            self.clear()
            self.seen = max(0, upto - MAX_LINES)
        self._show(outputs, upto)

    def _show(self, outputs: Sequence, upto: int) -> None:
        dropped = _total(outputs) - len(outputs)  # chunks the state no longer keeps
        start = max(self.seen, dropped)
        gap = start > self.seen  # chunks dropped before they were shown
        self.seen = max(self.seen, upto)
        if upto <= start and not gap:
            return
        text = "".join(o.text for o in outputs[start - dropped:upto - dropped]).replace("\r\n", "\n")
        if gap:
            text = GAP + text
        if text.count("\n") > MAX_LINES:
            # Only the last MAX_LINES lines would stay: write only those.
            pos = len(text)
            for _ in range(MAX_LINES + 1):
                pos = text.rfind("\n", 0, pos)
            text = text[pos + 1:]
            self.clear()
        # The Log keeps plain strings; control characters are made visible first.
        self._write(clean(text).replace("␍", ""))

    def _write(self, text: str) -> None:
        """`Log.write`, with many lines at once through `write_lines`: `write` measures
        and refreshes line by line (5,000 lines: ~70 ms, a replay jump's whole budget),
        `write_lines` at once (~2 ms; their widths are measured in a thread)."""
        if text.count("\n") < BULK_LINES:
            self.write(text)
            return
        first = text.index("\n")
        last = text.rindex("\n")
        self.write(text[:first])  # the end of the line the pane was on
        # (write_lines drops empty strings: a blank line is kept as one space.)
        self.write_lines([line or " " for line in text[first + 1:last].split("\n")])
        self.write(text[last:])  # the newline after them, then the unfinished line
