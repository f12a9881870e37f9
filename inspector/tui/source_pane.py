"""The source pane: the selected event's file, scrolled to its line, that whole line
on a distinct background, gutter marks where the session was created and closed,
and (for a finding) its message above the code.

The file comes from the trace (`state.sources`, embedded by the agent). It is
highlighted once per file and drawn line by line (`render_line`), so moving the
selection never re-renders the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Static

from inspector.tui._textual_compat import QuietVirtualSize, base_styled, update_static
from inspector.tui.text import clean

THEME = "monokai"


@dataclass(frozen=True)
class Mark:
    symbol: str  # two cells in the gutter
    role: str  # component class suffix: created, closed, entered, run
    note: str  # drawn after the code, dimmed


def _no_background(style: Style | str) -> Style:
    if isinstance(style, str):
        style = Style.parse(style)
    return Style(color=style.color, bold=style.bold, italic=style.italic,
                 underline=style.underline, dim=style.dim)


def highlight_lines(code: str) -> list[Text]:
    """Syntax colours without the theme's background (the pane draws its own); one
    Text per line of `code`."""
    code = clean(code)
    count = code.count("\n") + 1
    text = Syntax(code, "python", theme=THEME, tab_size=4).highlight(code)
    text.style = Style()
    text.spans = [span._replace(style=_no_background(span.style)) for span in text.spans]
    lines = list(text.split("\n", allow_blank=True))[:count]
    lines += [Text() for _ in range(count - len(lines))]
    return lines


class LazyLines:
    """A long file's highlighted lines, a block at a time as they are drawn (a file
    of 30,000 lines takes seconds to highlight whole). A block is lexed on its own, so
    a string spanning two blocks may be coloured wrongly: a price paid only by long
    files."""

    BLOCK = 200

    def __init__(self, code: str) -> None:
        self.raw = code.split("\n")
        self.blocks: dict[int, list[Text]] = {}

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, i: int) -> Text:
        if i < 0:
            i += len(self.raw)
        block = self.blocks.get(i // self.BLOCK)
        if block is None:
            b = i // self.BLOCK
            chunk = "\n".join(self.raw[b * self.BLOCK:(b + 1) * self.BLOCK])
            block = self.blocks[b] = highlight_lines(chunk)
        return block[i % self.BLOCK]


WHOLE_FILE_LINES = 3000  # longer files are highlighted a block at a time


def window_top(line: int | None, marks, height: int) -> int:
    """The first line shown (0-based) in `height` lines: the selected line a third of the
    way down, moved so the marked lines near it (created, closed) are in view too."""
    line = line or 1
    top = max(0, line - 1 - height // 3)
    near = [m for m in marks if abs(m - line) < height] + [line]
    lo, hi = min(near), max(near)
    if hi - lo < height:
        top = min(top, lo - 1)
        if hi > top + height:
            top = hi - height
    return max(0, top)


def in_view(line: int | None, marks, number: int, height: int) -> bool:
    """Whether line `number` is shown when `height` lines are, around `line`."""
    top = window_top(line, marks, height)
    return top < number <= top + height


class SourceView(QuietVirtualSize, can_focus=True):
    COMPONENT_CLASSES = {
        "source-view--gutter",
        "source-view--highlight",
        "source-view--highlight-error",
        "source-view--created",
        "source-view--closed",
        "source-view--entered",
        "source-view--note",
    }

    DEFAULT_CSS = """
    SourceView {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-y: scroll;  /* (a scrollbar that comes and goes lays the screen out) */
        overflow-x: hidden;
    }
    SourceView > .source-view--gutter { color: $text-disabled; }
    SourceView > .source-view--highlight { background: $accent 35%; }
    SourceView > .source-view--highlight-error { background: $error 40%; }
    SourceView > .source-view--created { color: $success; text-style: bold; }
    SourceView > .source-view--closed { color: $error; text-style: bold; }
    SourceView > .source-view--entered { color: $secondary; text-style: bold; }
    SourceView > .source-view--note { color: $text-muted; text-style: italic; }
    """

    BINDINGS = [
        Binding("up,k", "scroll_by(-1)", "Up", show=False),
        Binding("down,j", "scroll_by(1)", "Down", show=False),
        Binding("pageup", "scroll_by(-10)", "Page up", show=False),
        Binding("pagedown", "scroll_by(10)", "Page down", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._cache: dict[str, list[Text]] = {}
        self._strips: dict[tuple, Strip] = {}
        self.file: str | None = None
        self.lines: list[Text] | LazyLines = []
        self.line: int | None = None
        self.error = False
        self.marks: dict[int, Mark] = {}

    def lines_for(self, file: str | None, code: str | None) -> list[Text] | LazyLines:
        """The file's highlighted lines (highlighted once per file)."""
        if code is None or file is None:
            return []
        lines = self._cache.get(file)
        if lines is None:
            if code.count("\n") < WHOLE_FILE_LINES:
                lines = highlight_lines(code)
            else:
                lines = LazyLines(code)
            lines = self._cache[file] = lines
        return lines

    def show(self, file: str | None, code: str | None, line: int | None, error: bool,
             marks: dict[int, Mark]) -> None:
        if file != self.file:
            self.file = file
            self.lines = self.lines_for(file, code)
        self.line, self.error, self.marks = line, error, marks
        self.virtual_size = Size(self.size.width, len(self.lines))
        self.center_line()
        self.refresh()

    def window_top(self, height: int | None = None) -> int:
        return window_top(self.line, self.marks, height or self.size.height or 12)

    def center_line(self) -> None:
        if self.line is None:
            return
        self.scroll_to(y=self.window_top(), animate=False, immediate=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.lines))
        self.center_line()

    def action_scroll_by(self, n: int) -> None:
        self.scroll_to(y=self.scroll_offset.y + n, animate=False)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = int(self.scroll_offset.y) + y
        if index >= len(self.lines):
            return base_styled([], self.rich_style, width)
        number = index + 1
        mark = self.marks.get(number)
        key = (self.file, number, width, number == self.line and self.error,
               number == self.line, mark, self.rich_style)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 500:
                self._strips.clear()
            strip = self._strips[key] = self._render_source_line(index, width)
        return strip

    def _render_source_line(self, index: int, width: int) -> Strip:
        number = index + 1
        style = self.get_component_rich_style
        digits = max(3, len(str(len(self.lines))))
        mark = self.marks.get(number)
        segs: list[Segment] = []
        if mark is not None:
            segs.append(Segment(mark.symbol.ljust(2)[:2], style(f"source-view--{mark.role}")))
        else:
            segs.append(Segment("  "))
        gutter = style("source-view--gutter")
        if mark is not None:
            gutter = style(f"source-view--{mark.role}")
        segs.append(Segment(f"{number:>{digits}} ", gutter))
        segs.append(Segment("│ ", style("source-view--gutter")))
        code = self.lines[index].copy()
        if mark is not None and mark.note:
            code.append("  ◀ " + mark.note, style("source-view--note"))
        segs.extend(s for s in code.render(self.app.console) if s.text != "\n")
        strip = Strip(segs).crop_extend(0, width, None)
        if number == self.line:
            # The whole line, gutter to right edge, on the highlight background.
            hl = style("source-view--highlight-error" if self.error else "source-view--highlight")
            on = Style(bgcolor=hl.bgcolor, bold=True)
            return Strip(Segment.apply_style(list(strip), self.rich_style, on), width)
        return strip.apply_style(self.rich_style)


TITLE_MAX_HEIGHT = 10


class SourcePane(Vertical):
    """A title (file:line, or the finding's message) over the code."""

    DEFAULT_CSS = f"""
    SourcePane {{ height: 1fr; }}
    SourcePane > #source-title {{
        height: auto;
        max-height: {TITLE_MAX_HEIGHT};
        padding: 0 1;
        background: $panel;
        border-left: thick $panel;
    }}
    /* (Only colours change: a border that came and went would lay the screen out.) */
    SourcePane > #source-title.-finding {{
        background: $error 20%;
        border-left: thick $error;
    }}
    """
    TITLE_GUTTER = 3  # the title's padding and left border (CSS above)

    def title_height(self, title, finding: bool) -> int | None:
        """The lines `title` takes (None before the pane is laid out)."""
        width = self.size.width - self.TITLE_GUTTER
        if width <= 0:
            return None
        console = self.app.console
        lines = console.render_lines(title, console.options.update_width(width), pad=False)
        return min(len(lines), TITLE_MAX_HEIGHT)

    def code_height(self, title, finding: bool) -> int:
        """The code's lines under `title` (once laid out)."""
        height = self.title_height(title, finding)
        return max(1, self.size.height - (height or 1))

    def compose(self) -> ComposeResult:
        yield Static(Text("no event selected", style="dim"), id="source-title")
        yield SourceView(id="source-code")

    @property
    def code(self) -> SourceView:
        return self.query_one(SourceView)

    def show(self, title, finding: bool, file: str | None, code: str | None,
             line: int | None, error: bool, marks: dict[int, Mark]) -> None:
        header = self.query_one("#source-title", Static)
        header.set_class(finding, "-finding")
        update_static(header, title, self.title_height(title, finding))
        self.code.show(file, code, line, error, marks)


def read_from_disk(path: str) -> str | None:
    """The file as it is now, for traces recorded without sources."""
    try:
        if os.path.getsize(path) > 5_000_000:
            return None
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None
