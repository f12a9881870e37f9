"""Workarounds for the Textual version we run on (8.x), in one place."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.strip import Strip


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
