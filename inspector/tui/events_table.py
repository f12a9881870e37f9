"""The events table: every run and lifecycle event, one line each, virtual.

A `ScrollView` whose `render_line` formats only the rows on screen from the
`TraceView`'s compact row list (ints), with a small cache of rendered lines, so a
million rows cost a million ints (toolong's log_lines does the same).
"""

from __future__ import annotations

import os

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from inspector.analysis.model import cell_place
from inspector.tui._textual_compat import QuietVirtualSize, base_styled
from inspector.tui.text import one_line
from inspector.tui.view import EventInfo, TraceView

KIND_NAMES = {
    "run": "run",
    "partial_run_setup": "prun-set",
    "partial_run": "prun",
    "callable": "callable",
    "eval": "eval",
    "operation-run": "op.run",
    "monitored-run": "mon.run",
    "sess": "created",
    "enter": "enter",
    "exit": "exit",
    "close": "close",
    "reset": "reset",
}

CACHE_SIZE = 2000


def fmt_time(ns: int) -> str:
    s = ns / 1e9
    if s < 1000:
        return f"{s:7.3f}"
    m, s = divmod(s, 60)
    return f"{int(m):3d}:{s:06.3f}"[-7:]


def fmt_dur(ns: int | None) -> str:
    if ns is None:
        return ""
    if ns < 1_000:
        return f"{ns}ns"
    if ns < 1_000_000:
        return f"{ns / 1e3:.0f}µs"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.1f}ms"
    return f"{ns / 1e9:.2f}s"


class EventsTable(QuietVirtualSize, can_focus=True):
    """Rows of the trace; the cursor is the app's selection."""

    COMPONENT_CLASSES = {
        "events-table--header",
        "events-table--cursor",
        "events-table--error",
        "events-table--lifecycle",
        "events-table--dim",
        "events-table--later",
    }

    DEFAULT_CSS = """
    EventsTable {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    EventsTable > .events-table--header {
        text-style: bold;
        color: $text-muted;
        background: $panel;
    }
    EventsTable > .events-table--cursor {
        background: $accent 40%;
        text-style: bold;
    }
    EventsTable:focus > .events-table--cursor {
        background: $accent;
        color: $text;
    }
    EventsTable > .events-table--error {
        color: $error;
    }
    EventsTable > .events-table--lifecycle {
        color: $text-secondary;
    }
    EventsTable > .events-table--dim {
        color: $text-muted;
    }
    EventsTable > .events-table--later {
        text-style: dim;
    }
    """

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "edge(0)", "First", show=False),
        Binding("end,G", "edge(1)", "Last", show=False),
    ]

    class Moved(Message):
        """The cursor moved to another row (by the user when `user` is True)."""

        def __init__(self, ref: int | None, user: bool) -> None:
            super().__init__()
            self.ref = ref
            self.user = user

    def __init__(self, view: TraceView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view
        self.filtered: list[int] | None = None  # filtered rows, or None for all
        self.cursor = 0
        self.cwd: str | None = None
        self._cache: dict[tuple, Strip] = {}
        self._known = 0
        self.playhead: int | None = None  # replay: event index; later rows are dimmed

    # -- data -----------------------------------------------------------------
    @property
    def rows(self) -> list[int]:
        return self.view.rows if self.filtered is None else self.filtered

    @property
    def selected_ref(self) -> int | None:
        rows = self.rows
        if 0 <= self.cursor < len(rows):
            return rows[self.cursor]
        return None

    def set_filter(self, rows: list[int] | None, keep_ref: int | None) -> None:
        self.filtered = rows
        self._cache.clear()
        self._sync_size()
        target = 0
        if keep_ref is not None:
            target = self._position_of(keep_ref)
        self.move_to(target, user=False)
        self.refresh()

    def shows(self, ref: int) -> bool:
        rows = self.rows
        return bool(rows) and rows[self._position_of(ref)] == ref

    def _position_of(self, ref: int) -> int:
        rows = self.rows
        event = self.view.event_index(ref)
        lo, hi = 0, len(rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.view.event_index(rows[mid]) < event:
                lo = mid + 1
            else:
                hi = mid
        return min(lo, max(0, len(rows) - 1))

    def data_changed(self, follow: bool) -> None:
        """New rows (or new findings) arrived."""
        self._cache.clear()
        self._sync_size()
        if follow and self.rows:
            self.move_to(len(self.rows) - 1, user=False)
        self.refresh()

    def _sync_size(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    def on_resize(self) -> None:
        self._cache.clear()
        self._sync_size()
        self._scroll_cursor_into_view()

    # -- movement ---------------------------------------------------------------
    def move_to(self, position: int, user: bool) -> None:
        n = len(self.rows)
        position = max(0, min(position, n - 1)) if n else 0
        old = self.cursor
        self.cursor = position
        self._scroll_cursor_into_view()
        # Before the first layout the scroll range is not known yet: again after it.
        self.call_after_refresh(self._scroll_cursor_into_view)
        if old != position:
            self._refresh_row(old)
        self._refresh_row(position)
        self.post_message(self.Moved(self.selected_ref, user))

    def select_ref(self, ref: int) -> None:
        """Put the cursor on `ref` (the row nearest to it when filtered out)."""
        self.move_to(self._position_of(ref), user=False)

    def _refresh_row(self, position: int) -> None:
        y = position - int(self.scroll_offset.y) + 1
        if 0 <= y < self.size.height:
            self.refresh_line(y)

    def _scroll_cursor_into_view(self) -> None:
        body = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + body:
            self.scroll_to(y=self.cursor - body + 1, animate=False, immediate=True)

    def action_move(self, delta: int) -> None:
        self.move_to(self.cursor + delta, user=True)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(1, self.size.height - 2), user=True)

    def action_edge(self, end: int) -> None:
        self.move_to(len(self.rows) - 1 if end else 0, user=True)

    def on_click(self, event) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        y = offset.y
        if y >= 1:
            self.move_to(int(self.scroll_offset.y) + y - 1, user=True)

    # -- drawing --------------------------------------------------------------------
    def _columns(self, width: int) -> tuple[int, int]:
        """Widths of the call-site and outcome columns."""
        fixed = 7 + 1 + 3 + 1 + 8 + 1 + 7 + 1
        rest = max(10, width - fixed)
        site = min(32, max(12, rest * 3 // 5))
        return site, max(0, rest - site - 1)

    def _header(self, width: int) -> Strip:
        site_w, out_w = self._columns(width)
        line = (f"{'time s':>7} {'ses':<3} {'kind':<8} {'call site':<{site_w}} "
                f"{'took':>7} {'outcome':<{out_w}}")
        style = self.get_component_rich_style("events-table--header")
        return Strip([Segment(line[:width].ljust(width), style)])

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            return self._header(width)
        position = int(self.scroll_offset.y) + y - 1
        rows = self.rows
        if position >= len(rows) or self.view.state is None:
            return base_styled([], base, width)
        ref = rows[position]
        selected = position == self.cursor
        later = self.playhead is not None and self.view.event_index(ref) > self.playhead
        key = (ref, width, selected, self.has_focus, len(self.view.flagged), later)
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            strip = self._render_row(self.view.info(ref), width, selected, later)
            self._cache[key] = strip
        return strip

    def _render_row(self, info: EventInfo, width: int, selected: bool, later: bool = False) -> Strip:
        site_w, out_w = self._columns(width)
        st = self.view.state
        err = self.get_component_rich_style("events-table--error")
        life = self.get_component_rich_style("events-table--lifecycle")
        dim = self.get_component_rich_style("events-table--dim")
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(fmt_time(info.ts)[-7:], dim)
        text.append(" ")
        text.append(f"#{info.session}"[:3].ljust(3) if info.session else "   ")
        text.append(" ")
        kind = KIND_NAMES.get(info.kind, info.kind)[:8].ljust(8)
        kind_style = err if not info.ok else (life if info.life is not None else Style())
        text.append(kind, kind_style)
        text.append(" ")
        site = info.site
        where = cell_place(site.cell, site.line) if site.cell is not None else (
            f"{os.path.basename(site.file)}:{site.line}" if site.line else "?")
        where = one_line(where)
        if len(where) > site_w:  # keep the line number: cut the file name's start
            where = "…" + where[len(where) - site_w + 1:]
        text.append(where.ljust(site_w))
        text.append(" ")
        text.append(fmt_dur(info.dur).rjust(7), dim)
        text.append(" ")
        outcome, o_style = self._outcome(info, st, err, dim)
        text.append(one_line(outcome, out_w), o_style)
        if selected:
            text.stylize(self.get_component_rich_style("events-table--cursor"))
        if later:  # replay: after the playhead, not happened yet
            text.stylize(self.get_component_rich_style("events-table--later"))
        segments = list(text.render(self.app.console))
        segments = [s for s in segments if s.text != "\n"]
        return base_styled(segments, self.rich_style, width)

    def _outcome(self, info: EventInfo, st, err: Style, dim: Style) -> tuple[str, Style]:
        finding = self.view.finding_for_event(info.index) if not info.ok else None
        if info.run is not None:
            run = info.run
            names = ", ".join(leaf.name or "?" for leaf in run.fetch.fetches[:3])
            if run.fetch.nfetch > 3:
                names += ", …"
            if finding is not None:
                return f"{finding.kind}: {run.exc or 'ok'}", err
            if not run.ok:
                return f"{run.exc}: {run.msg}", err
            return f"ok  {names}", Style()
        life = info.life
        sess = st.sessions.get(info.session)
        label = sess.label if sess else ""
        if finding is not None:
            return f"{finding.kind}", err
        if life.ev == "sess":
            return f"{label} created", Style()
        if life.ev == "close":
            if life.already_closed:
                return f"{label} closed again ({life.how})", err
            return f"{label} closed ({life.how})", Style()
        if life.ev == "exit" and life.how in ("as_default", "with") and life.site.line:
            # Python reports a `with` block's end at its `with` line: say so.
            return f"{label}: `with` block from line {life.site.line} ended", dim
        if life.ev == "reset":
            return f"Session.reset({life.how or ''})", Style()
        return f"{label} {life.ev} ({life.how})", dim
