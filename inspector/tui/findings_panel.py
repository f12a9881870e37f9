"""The findings panel: what the analysis found; highlighting one selects its event."""

from __future__ import annotations

import os

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from inspector.analysis.model import Finding, cell_place
from inspector.tui._textual_compat import QuietVirtualSize
from inspector.tui.text import one_line

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
SEVERITY_ICON = {"error": "●", "warning": "▲", "info": "○"}


def finding_prompt(f: Finding) -> Text:
    """One finding, on one line."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{SEVERITY_ICON.get(f.severity, '•')} ", SEVERITY_STYLE.get(f.severity, ""))
    text.append(one_line(f.kind), SEVERITY_STYLE.get(f.severity, ""))
    where = cell_place(f.cell, f.line) if f.cell is not None else (
        f"{os.path.basename(f.file)}:{f.line}" if f.line else "?")
    text.append(f"  {one_line(where)}", "bold")
    text.append(f"  #{f.session}" if f.session else "", "dim")
    return text


class FindingsPanel(OptionList, QuietVirtualSize):
    DEFAULT_CSS = """
    FindingsPanel {
        height: 1fr;
        border: none;
        padding: 0;
        background: $surface;
    }
    FindingsPanel:focus { border: none; }
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    class Chosen(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._keys: list[tuple] | None = None
        self._list: list[Finding] | None = None  # the list shown (replay: one, all along)
        self._quiet = False
        self.upto = 0
        # What the panel says with no findings: the app words it after the state
        # ("no findings yet" while the script runs, "no findings" once it ended).
        self.empty_words = "no findings yet"

    def set_findings(self, findings: list[Finding], upto: int | None = None) -> None:
        """All findings; with `upto` (replay), only the first `upto`: those whose event
        is at or before the playhead (findings come in event order). An option's id is
        its index in `findings` either way. A playhead move that passes a few findings
        adds or removes those options only (a trace can have thousands)."""
        upto = len(findings) if upto is None else upto
        old, same_list = self.upto, findings is self._list
        if same_list and upto == old:
            return
        self._list, self.upto = findings, upto
        if same_list and old > 0 and upto > 0 and abs(upto - old) <= 64:
            self._quiet = True
            try:
                if upto > old:
                    self.add_options(Option(finding_prompt(f), id=str(i))
                                     for i, f in enumerate(findings[old:upto], old))
                else:
                    for i in range(old - 1, upto - 1, -1):
                        self.remove_option_at_index(i)
                    if self.highlighted is not None and self.highlighted >= upto:
                        self.highlighted = upto - 1
            finally:
                self._quiet = False
            self._keys = None
            return
        shown = findings[:upto]
        keys = [(f.kind, f.event, f.file, f.line) for f in shown] + [len(findings), self.empty_words]
        if keys == self._keys:
            return  # (live: the findings found again, the same)
        self._keys = keys
        current = self.highlighted
        self._quiet = True
        try:
            self.clear_options()
            if shown:
                self.add_options(Option(finding_prompt(f), id=str(i)) for i, f in enumerate(shown))
            elif findings:
                later = len(findings)
                self.add_option(Option(Text(
                    f"none up to the playhead ({later} later: n goes to the next)", style="dim"),
                    disabled=True))
            else:
                self.add_option(Option(Text(self.empty_words, style="dim"), disabled=True))
            if current is not None and current < len(shown):
                self.highlighted = current
        finally:
            self._quiet = False

    def on_mount(self) -> None:
        self.set_findings([])

    def say_when_empty(self, words: str) -> None:
        """Change what the panel says with no findings (redrawn if it says it now)."""
        if words == self.empty_words:
            return
        self.empty_words = words
        if self._list is not None and not self._list:
            self._list = None  # (set_findings skips an unchanged list)
            self.set_findings([])

    def show_index(self, index: int | None) -> None:
        """Move the highlight without telling the app (it already knows)."""
        if index is None or index >= self.upto:
            return  # (not shown: after the playhead)
        self._quiet = True
        try:
            self.highlighted = index
        finally:
            self._quiet = False

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if not self._quiet and event.option.id is not None and self.has_focus:
            self.post_message(self.Chosen(int(event.option.id)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(int(event.option.id)))
