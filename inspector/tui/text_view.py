"""A scrollable pane of Rich content, rendered to lines once per width and drawn line by
line. Showing new content never lays the screen out again: a Static inside a scrolling
container re-measured its text at every layout and asked for one whenever its height
changed (a screen-wide layout and redraw, 10-20 ms of a key's 50)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip

from inspector.tui._textual_compat import QuietVirtualSize, base_styled
from inspector.tui.text import lines_text, wrapped_lines


class TextView(QuietVirtualSize):
    DEFAULT_CSS = """
    TextView {
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        overflow-y: scroll;  /* (a scrollbar that came and went would re-wrap the text) */
    }
    """

    def __init__(self, content: RenderableType | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._content: RenderableType = content if content is not None else Text()
        self._lines: list[list[Segment]] = []
        self._width = -1

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def text(self) -> str:
        """Every line, as wrapped at the pane's width (scrolled into view or not)."""
        return lines_text(self._lines)

    def update(self, content: RenderableType) -> None:
        self._content = content
        self._wrap(force=True)
        self.refresh()

    def on_resize(self) -> None:
        self._wrap(force=False)

    def _wrap(self, force: bool) -> None:
        width = self.scrollable_content_region.width  # (without padding and scrollbar)
        if width <= 0 or (width == self._width and not force):
            return
        self._lines = wrapped_lines(self.app.console, self._content, width)
        self._width = width
        self.virtual_size = Size(width, len(self._lines))

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        segments = self._lines[index] if 0 <= index < len(self._lines) else []
        return base_styled(segments, self.rich_style, self.scrollable_content_region.width)
