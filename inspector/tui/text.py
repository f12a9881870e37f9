"""Turning user text into something safe to draw (never markup, never escapes), and
Rich content into the lines a pane draws."""

from __future__ import annotations

import re

from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match) -> str:
    ch = match.group(0)
    if ch == "\x1b":
        return "␛"
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ ␁ ...
    return "�"


def clean(text: str) -> str:
    """Control characters (escape sequences included) made visible, tabs expanded.
    Newlines are kept; carriage returns become ␍."""
    return _CONTROL.sub(_visible, text.expandtabs(4))


def plural(n: int, word: str) -> str:
    """`1 run`, `2 runs`, `0 runs`."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def one_line(text: str, limit: int | None = None) -> str:
    out = clean(text).replace("\n", " ⏎ ")
    if limit is not None and len(out) > limit:
        out = out[: max(0, limit - 1)] + "…"
    return out


def plain(text: str, style: str = "") -> Text:
    """A Text that shows `text` as it is (Text() never parses markup)."""
    return Text(clean(text), style=style)


def wrapped_lines(console: Console, content: RenderableType, width: int) -> list[list[Segment]]:
    """`content` rendered at `width` cells, a list of segments per line (unpadded)."""
    return console.render_lines(content, console.options.update_width(width), pad=False)


def lines_text(lines: list[list[Segment]]) -> str:
    """What those lines read, one per line of text."""
    return "\n".join("".join(seg.text for seg in line) for line in lines)
