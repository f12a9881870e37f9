"""Workarounds for the Textual version we run on (8.x), in one place."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets._footer import FooterKey  # noqa: F401  (KeyFooter builds its own keys)

from inspector.tui.text import wrapped_lines


def base_styled(segments: list[Segment], base: Style, width: int) -> Strip:
    """Since Textual 6, unstyled segments from render_line do not get the widget's
    background: apply it as the base style, and pad to the width."""
    strip = Strip(segments).crop_extend(0, width, None)
    return strip.apply_style(base)


@contextlib.contextmanager
def suspended(app: App) -> Iterator[None]:
    """`App.suspend()`, or nothing where the driver cannot suspend (headless tests)."""
    from textual.app import SuspendNotSupported

    driver = getattr(app, "_driver", None)
    if driver is None or not getattr(driver, "can_suspend", False):
        yield
        return
    try:
        cm = app.suspend()
        cm.__enter__()
    except SuspendNotSupported:
        yield
        return
    try:
        yield
    finally:
        cm.__exit__(None, None, None)


def update_static(widget, content) -> None:
    """`Static.update`, skipping the screen-wide layout when the new content takes as
    many lines as the old one (a layout per key press costs tens of ms)."""
    width = widget.content_region.width or widget.size.width
    height = None
    if width > 0:
        height = len(wrapped_lines(widget.app.console, content, width))
    same = height is not None and height == getattr(widget, "_tfsess_height", None)
    widget._tfsess_height = height
    if not same:
        _invalidate_box(widget)
    widget.update(content, layout=not same)


def refresh_layout(widget) -> None:
    """`widget.refresh(layout=True)` that also holds when a layout is already pending."""
    _invalidate_box(widget)
    widget.refresh(layout=True)


def _invalidate_box(widget) -> None:
    """Textual 8 renews a widget's box-model cache key only on a layout request made
    while none is pending. If a layout pass for another widget ran in between, it cached
    this widget's old size, and the pending layout reuses it: the timeline kept the
    height of its first, empty frame (a flaky snapshot test). Renew the key ourselves."""
    if getattr(widget, "_layout_required", False) and hasattr(widget, "_layout_updates"):
        widget._layout_updates += 1


def draw_up_to(fps: int) -> None:
    """Let screens made from now on draw up to `fps` frames a second.

    Textual draws from a timer at 60 Hz (TEXTUAL_FPS, read once, when Textual is
    imported). A key whose work ends just after a tick waits for the next one: up to
    17 ms of its 50. Frames are still drawn only when something changed. A TEXTUAL_FPS
    the user set is kept."""
    if os.environ.get("TEXTUAL_FPS"):
        return
    import textual.screen

    textual.screen.UPDATE_PERIOD = 1 / fps


class QuietVirtualSize(ScrollView):
    """A scrolling view whose virtual size can change without a screen-wide layout.

    Textual's `virtual_size` reactive asks for a layout of the whole screen (and a redraw
    of what moved) on any change: 10-20 ms of a key's 50 when a key adds a finding, an
    output line or a wrapped line. For a view in a fixed slot (all our panes: their height
    comes from the grid) only the scrollbars depend on it, and they are updated here.
    Put it last among the bases, `class OutputPane(Log, QuietVirtualSize)`: its
    `virtual_size` still comes first, and the CSS and component classes are Log's
    (Textual inherits those along the first base only)."""

    virtual_size = Reactive(Size(0, 0))  # (Widget's has layout=True)

    def _watch_virtual_size(self, size: Size) -> None:
        if self.is_mounted and self.size:
            self._scroll_update(size)
