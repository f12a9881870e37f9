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

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.strip import Strip

from inspector.tui._textual_compat import QuietVirtualSize, base_styled
from inspector.tui.text import clean, lines_text, one_line, wrapped_lines

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
TITLE_MAX_HEIGHT = 10


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
        "source-view--finding",
        "source-view--pinned",
        "source-view--note",
        "source-view--title",
        "source-view--title-finding",
        "source-view--title-bar",
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
    SourceView > .source-view--finding { color: $error; text-style: bold; }
    SourceView > .source-view--pinned { background: $panel; }
    SourceView > .source-view--note { color: $text-muted; text-style: italic; }
    SourceView > .source-view--title { background: $panel; }
    SourceView > .source-view--title-finding { background: $error 20%; }
    SourceView > .source-view--title-bar { color: $error; }
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
        # A finding's marked lines out of the code's view, drawn under the title in the
        # code's own format (so their gutters line up with the code's).
        self.pins: list[int] = []
        # The title (file:line, or a finding's message) is drawn in the view's first rows,
        # not by a widget above it: a title that grew or shrank resized the code view,
        # and Textual laid the screen out twice for it (~20 ms, at every finding).
        self._title: RenderableType = Text("no event selected", style="dim")
        self.finding = False
        self.title_lines: list[list[Segment]] = []
        self._title_for: tuple[int, int] | None = None  # the size it was wrapped for

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

    def show(self, title: RenderableType, finding: bool, file: str | None, code: str | None,
             line: int | None, error: bool, marks: dict[int, Mark]) -> None:
        self._title, self.finding = title, finding
        self._wrap_title()
        if file != self.file:
            self.file = file
            self.lines = self.lines_for(file, code)
        self.line, self.error, self.marks = line, error, marks
        self.pins = self._pins_for()
        self._sync_size()
        self.center_line()
        self.refresh()

    # -- the title ------------------------------------------------------------------------
    TITLE_GUTTER = 3  # a bar and a space before the title, a space after it

    def title_max(self) -> int:
        """At most half the pane, and never more than TITLE_MAX_HEIGHT lines."""
        return max(1, min(TITLE_MAX_HEIGHT, self.size.height // 2))

    def title_lines_for(self, title: RenderableType) -> list[list[Segment]] | None:
        """`title` wrapped to the view's width (None before it is laid out)."""
        width = self.size.width - self.TITLE_GUTTER
        if width <= 0:
            return None
        return wrapped_lines(self.app.console, title, width)[:self.title_max()]

    def code_height(self, title: RenderableType | None = None, pins: int | None = None) -> int:
        """The rows left for the code under `title` (default: the title shown) and the
        pinned lines (default: those shown)."""
        lines = self.title_lines if title is None else self.title_lines_for(title)
        pins = len(self.pins) if pins is None else pins
        return max(1, (self.size.height or 12) - len(lines or [None]) - pins)

    def _pins_for(self) -> list[int]:
        """For a finding, its marked lines that are out of the code's view (even far
        from its line); pins make the code shorter, so look again."""
        if not self.finding or not self.marks:
            return []
        pins: list[int] = []
        for _ in range(3):
            height = self.code_height(pins=len(pins))
            again = [n for n in sorted(self.marks)
                     if n != self.line and 0 < n <= len(self.lines)
                     and not in_view(self.line, self.marks, n, height)]
            if again == pins:
                break
            pins = again
        return pins

    @property
    def title_text(self) -> str:
        return lines_text(self.title_lines)

    def _wrap_title(self) -> None:
        lines = self.title_lines_for(self._title)
        if lines is not None:
            self.title_lines = lines
            self._title_for = (self.size.width, self.size.height)  # (the cap is by height)

    def _sync_size(self) -> None:
        # The code scrolls under the title: its last line can reach the bottom row.
        self.virtual_size = Size(self.size.width,
                                 len(self.lines) + len(self.title_lines) + len(self.pins))

    def _render_title_line(self, row: int, width: int) -> Strip:
        style = self.get_component_rich_style
        base = style("source-view--title-finding" if self.finding else "source-view--title")
        bar = Segment("▌", style("source-view--title-bar")) if self.finding else Segment(" ")
        body = Strip(self.title_lines[row]).crop_extend(0, width - self.TITLE_GUTTER, None)
        strip = Strip([bar, Segment(" "), *body, Segment(" ")])
        return strip.apply_style(self.rich_style + Style(bgcolor=base.bgcolor))

    # -- the code ---------------------------------------------------------------------------
    def window_top(self, height: int | None = None) -> int:
        return window_top(self.line, self.marks, height or self.code_height())

    def center_line(self) -> None:
        if self.line is None:
            return
        self.scroll_to(y=self.window_top(), animate=False, immediate=True)

    def on_resize(self) -> None:
        if (self.size.width, self.size.height) != self._title_for:
            self._wrap_title()
        self.pins = self._pins_for()
        self._sync_size()
        self.center_line()

    def action_scroll_by(self, n: int) -> None:
        self.scroll_to(y=self.scroll_offset.y + n, animate=False)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y < len(self.title_lines):
            return self._render_title_line(y, width)
        y -= len(self.title_lines)
        pinned = y < len(self.pins)
        if pinned:
            index = self.pins[y] - 1
        else:
            index = int(self.scroll_offset.y) + y - len(self.pins)
        if index >= len(self.lines):
            return base_styled([], self.rich_style, width)
        number = index + 1
        mark = self.marks.get(number)
        key = (self.file, number, width, number == self.line and self.error,
               number == self.line, mark, self.rich_style, pinned)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 500:
                self._strips.clear()
            strip = self._render_source_line(index, width)
            if pinned:
                bg = self.get_component_rich_style("source-view--pinned").bgcolor
                strip = Strip(Segment.apply_style(list(strip), None, Style(bgcolor=bg)), width)
            self._strips[key] = strip
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
            note = "  ◀ " + one_line(mark.note)
            room = width - (2 + digits + 1 + 2) - 1  # (the scrollbar's column)
            if (mark.role == "finding" and code.cell_len + len(note) > room
                    and room - len(note) >= 24):
                # A finding's long line keeps its note in view: the code gives way (…).
                code.truncate(room - len(note) - 1)
                code.append("…", style("source-view--gutter"))
            code.append(note, style("source-view--note"))
        segs.extend(s for s in code.render(self.app.console) if s.text != "\n")
        strip = Strip(segs).crop_extend(0, width, None)
        if number == self.line:
            # The whole line, gutter to right edge, on the highlight background.
            hl = style("source-view--highlight-error" if self.error else "source-view--highlight")
            on = Style(bgcolor=hl.bgcolor, bold=True)
            return Strip(Segment.apply_style(list(strip), self.rich_style, on), width)
        return strip.apply_style(self.rich_style)


class SourcePane(Vertical):
    """The selected event's source: a title (file:line, or the finding's message) over
    the code, both drawn by the one `SourceView`."""

    DEFAULT_CSS = """
    SourcePane { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield SourceView(id="source-code")

    @property
    def code(self) -> SourceView:
        return self.query_one(SourceView)

    def show(self, title, finding: bool, file: str | None, code: str | None,
             line: int | None, error: bool, marks: dict[int, Mark]) -> None:
        self.code.show(title, finding, file, code, line, error, marks)


def read_from_disk(path: str) -> str | None:
    """The file as it is now, for traces recorded without sources."""
    try:
        if os.path.getsize(path) > 5_000_000:
            return None
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None
