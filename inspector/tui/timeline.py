"""The timeline: one lane per session, a bar from creation to close, a tick per run;
in a notebook's trace, a lane of cell executions under them (each by its count, a re-run
of a cell marked `↺`, a cell that raised in the error style).

Ticks are looked up per screen column with bisect in each session's sorted run
times, so drawing costs O(width · log runs), whatever the number of runs.

One widget, kept in one piece (~490 lines): its rows (lanes, cells, memory, axis) are
drawn from one zoom window, one playhead and one set of component styles, and its keys,
clicks and `reveal` move that window; the tick spacing and labels, which need none of
it, are in time_axis.py, and which cell run is a re-run in analysis/cells.py.
"""

from __future__ import annotations

import bisect

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from inspector.analysis.cells import rerun_of
from inspector.analysis.playhead import session_phase
from inspector.tui._textual_compat import base_styled
from inspector.tui.text import one_line
from inspector.tui.time_axis import (
    ORIGIN_DIGITS,
    axis_unit,
    decimals,
    fmt_axis,
    format_size,
    nice_step,
)
from inspector.tui.view import TraceView

MIN_SPAN_NS = 1_000  # zoom stops at a microsecond across the width
MEMORY_ROWS = 2
SPARK = "▁▂▃▄▅▆▇█"


class Timeline(Widget, can_focus=True):
    COMPONENT_CLASSES = {
        "timeline--label",
        "timeline--label-selected",
        "timeline--bar",
        "timeline--bar-open",
        "timeline--tick",
        "timeline--error",
        "timeline--axis",
        "timeline--marker",
        "timeline--closed",
        "timeline--memory",
        "timeline--cell",
    }

    DEFAULT_CSS = """
    Timeline {
        height: auto;
        max-height: 12;
        background: $surface;
        padding: 0 1 0 0;
        overflow: hidden;
    }
    Timeline > .timeline--label { color: $text-muted; }
    Timeline > .timeline--label-selected { color: $text; text-style: bold; }
    Timeline > .timeline--bar { background: $primary 45%; }
    Timeline > .timeline--bar-open { background: $primary 25%; }
    Timeline > .timeline--tick { color: $success; text-style: bold; }
    Timeline > .timeline--error { color: $error; text-style: bold; }
    Timeline > .timeline--axis { color: $text-muted; }
    Timeline > .timeline--marker { color: $warning; text-style: bold; }
    Timeline > .timeline--closed { color: $error; }
    Timeline > .timeline--memory { color: $primary-lighten-2; }
    Timeline > .timeline--cell { color: $accent; }
    """

    BINDINGS = [
        Binding("left,h", "pan(-1)", "Pan left", show=False),
        Binding("right,l", "pan(1)", "Pan right", show=False),
    ]

    def __init__(self, view: TraceView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view
        self.window: tuple[float, float] | None = None  # (start, end) ns; None = everything
        self.now_ns: int | None = None
        self.playhead: tuple[int, int] | None = None  # replay: (event index, ts) drawn up to
        self.selected_ts: int | None = None
        self.selected_session: int | None = None
        self.session_filter: int | None = None
        self.cwd: str | None = None
        self._memory_keys: tuple[int, list] = (-1, [])
        # With no session: what the lanes say (the app words it after the state).
        self.no_sessions = "no sessions yet"

    # -- geometry ---------------------------------------------------------------
    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.content_rows()

    def content_rows(self) -> int:
        """Lanes, the cells lane, memory series and the axis: the height the timeline asks for."""
        st = self.view.state
        lanes = len(st.user_sessions()) if st else 0
        return max(1, lanes) + self.cell_rows() + len(self.memory_keys()) + 1

    def cell_rows(self) -> int:
        """1 when the trace is a notebook's with cell executions (their lane), else 0."""
        return 1 if getattr(self.view.state, "cells", None) else 0

    def memory_keys(self) -> list[tuple[str, str]]:
        """The device-memory series drawn under the lanes (once `mem` events exist):
        at most MEMORY_ROWS, CPU first (the analysis orders them)."""
        memory = getattr(self.view.state, "memory", None)
        if not memory:
            return []
        if self._memory_keys[0] != memory.version:  # (a series that stays at 0 says nothing)
            keys = [k for k in memory.keys() if any(memory.series(*k)[1])]
            self._memory_keys = (memory.version, keys[:MEMORY_ROWS])
        return self._memory_keys[1]

    def _label_width(self, width: int) -> int:
        return max(12, min(32, width // 4))

    def fit(self) -> tuple[float, float]:
        """The default window: from the first session to the last thing that happened
        to a session (now, while one is still open), with a little margin."""
        st = self.view.state
        end = float(max(self.view.end_ts(self.now_ns), 1))
        sessions = st.user_sessions() if st else []
        if not sessions:
            return 0.0, end
        lo = float(min(s.created_ts for s in sessions))
        hi = lo
        if st.runs:
            hi = max(hi, st.runs[-1].ts + st.runs[-1].dur)
        if st.lifecycle:
            hi = max(hi, st.lifecycle[-1].ts)
        if any(s.closed_ts is None for s in sessions):
            hi = max(hi, end)
        if st.cells:  # a notebook: every cell execution in view, those before a session too
            lo = min(lo, float(st.cells[0].ts))
            hi = max(hi, float(st.cells[-1].ts))
        pad = max((hi - lo) * 0.04, MIN_SPAN_NS)
        return max(0.0, lo - pad), hi + pad

    def span(self) -> tuple[float, float]:
        if self.window is None:
            return self.fit()
        return self.window

    # -- zoom and pan ---------------------------------------------------------------
    def zoom(self, factor: float) -> None:
        """factor < 1 zooms in (around the selected event if it is in view)."""
        start, end = self.span()
        f0, f1 = self.fit()
        total = max(self.view.end_ts(self.now_ns), 1, f1)
        width = end - start
        center = self.selected_ts if self.selected_ts is not None and start <= self.selected_ts <= end \
            else (start + end) / 2
        new = max(MIN_SPAN_NS, width * factor)
        if factor > 1 and new >= f1 - f0:
            self.window = None
        else:
            ratio = (center - start) / width if width else 0.5
            s = center - new * ratio
            s = max(0.0, min(s, total - new))
            self.window = (s, s + new)
        self.refresh()

    def pan(self, direction: int) -> None:
        if self.window is None:
            return  # everything is in view: nothing to pan to
        start, end = self.window
        total = max(self.view.end_ts(self.now_ns), 1, end)
        shift = (end - start) / 4 * direction
        s = max(0.0, min(start + shift, total - (end - start)))
        self.window = (s, s + (end - start))
        self.refresh()

    def action_pan(self, direction: int) -> None:
        self.pan(direction)

    class Clicked(Message):
        """A click on a session's lane, at a time."""

        def __init__(self, session: int, ts: int) -> None:
            super().__init__()
            self.session = session
            self.ts = ts

    def on_click(self, event) -> None:
        st = self.view.state
        if st is None:
            return
        offset = event.get_content_offset(self)  # (not counting the border)
        if offset is None:
            return
        x, y = offset
        sessions = st.user_sessions()
        label_w = self._label_width(self.size.width)
        lane_w = max(1, self.size.width - label_w - 1)
        shown, first = self.lanes_shown(sessions)
        if not 0 <= y < shown:
            return
        y += first
        start, end = self.span()
        col = min(max(0, x - label_w - 1), lane_w - 1)
        ts = start + (col + 0.5) * (end - start) / lane_w
        self.post_message(self.Clicked(sessions[y].id, int(ts)))

    def reveal(self, ts: int) -> None:
        """Pan so that `ts` is in view (when zoomed)."""
        if self.window is None:
            return
        start, end = self.window
        if start <= ts <= end:
            return
        width = end - start
        total = max(self.view.end_ts(self.now_ns), 1, end)
        s = max(0.0, min(ts - width / 2, total - width))
        self.window = (s, s + width)

    # -- drawing -----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        st = self.view.state
        if st is None:
            return base_styled([Segment(" waiting for the trace…", self.get_component_rich_style(
                "timeline--axis"))] if y == 0 else [], base, width)
        sessions = st.user_sessions()
        label_w = self._label_width(width)
        lane_w = max(1, width - label_w - 1)
        start, end = self.span()
        per_col = (end - start) / lane_w
        shown, first = self.lanes_shown(sessions)
        if y < shown:
            return self._lane(sessions[first + y], label_w, lane_w, start, per_col, base, width,
                              hidden=len(sessions) - shown if y == shown - 1 else 0)
        cells = self.cell_rows()
        if cells and y == max(1, shown):
            return self._cells(label_w, lane_w, start, per_col, base, width)
        mem = self.memory_keys()
        top = max(1, shown) + cells
        if top <= y < top + len(mem):
            key = mem[y - top]
            return self._memory(key, label_w, lane_w, start, per_col, base, width)
        if y == top + len(mem):
            return self._axis(label_w, lane_w, start, end, base, width)
        if not sessions and y == 0:
            text = Text(f" {self.no_sessions}", self.get_component_rich_style("timeline--axis"))
            return base_styled(list(text.render(self.app.console)), base, width)
        return base_styled([], base, width)

    def lanes_shown(self, sessions) -> tuple[int, int]:
        """(how many lanes fit above the axis, index of the first): with more sessions
        than rows, the lanes scroll to keep the selected (or filtered) session."""
        rows = max(1, self.size.height - 1 - self.cell_rows() - len(self.memory_keys())) \
            if self.size.height else len(sessions)
        if len(sessions) <= rows:
            return len(sessions), 0
        want = self.session_filter or self.selected_session
        ids = [s.id for s in sessions]
        first = min(ids.index(want), len(ids) - rows) if want in ids else 0
        return rows, max(0, first)

    def _cells(self, label_w, lane_w, start, per_col, base, width) -> Strip:
        """The notebook's cell executions: each by its execution count at the time it
        started (`↺` before a re-run of a cell that ran before: out of order at a
        glance); a cell that raised in the error style; `·` where counts would overlap."""
        st = self.view.state
        style = self.get_component_rich_style
        upto = self.playhead[1] if self.playhead is not None else None
        label = Text(no_wrap=True, overflow="ellipsis")
        n = len(st.cells)
        label.append(f"  cells  {n} execution{'s' if n != 1 else ''}", style("timeline--label"))
        label.truncate(label_w, pad=True)
        chars = [" "] * lane_w
        styles: list[Style | None] = [None] * lane_w
        plain, rerun, failed = (_fg(style("timeline--cell")), _fg(style("timeline--marker")),
                                _fg(style("timeline--error")))
        for cell in st.cells:
            if upto is not None and cell.ts > upto:
                break
            c = self._col(cell.ts, start, per_col)
            if not 0 <= c < lane_w:
                continue
            again = rerun_of(st, cell) is not None
            mark = ("↺" if again else "") + (str(cell.n) if cell.n is not None else "•")
            look = failed if cell.ok is False else (rerun if again else plain)
            if (c + len(mark) <= lane_w and (c == 0 or chars[c - 1] == " ")
                    and all(ch == " " for ch in chars[c:c + len(mark) + 1])):  # (never "34")
                chars[c:c + len(mark)] = list(mark)
                styles[c:c + len(mark)] = [look] * len(mark)
            elif chars[c] == " ":
                chars[c], styles[c] = "·", look
        segs = list(label.render(self.app.console))
        segs.append(Segment(" "))
        segs += [Segment(ch, st_) for ch, st_ in zip(chars, styles, strict=True)]
        return base_styled(segs, base, width)

    def _memory(self, key, label_w, lane_w, start, per_col, base, width) -> Strip:
        """A sparkline of the bytes in use: per column the most in use during it (a
        sample holds until the next one); the label gives the most in view."""
        memory = self.view.state.memory
        ts, cur = memory.series(*key)
        values: list[int | None] = []
        upto = self.playhead[1] if self.playhead is not None else None
        for c in range(lane_w):
            lo, hi = start + c * per_col, start + (c + 1) * per_col
            if upto is not None:  # replay: the memory as of the playhead's time
                if lo > upto:
                    values.append(None)
                    continue
                hi = min(hi, upto + 1)
            i = bisect.bisect_right(ts, lo) - 1  # the sample in force at the column's start
            j = bisect.bisect_left(ts, hi)  # ... and those taken during the column
            if i < 0 and j == 0:
                values.append(None)  # no sample yet
            else:
                values.append(max(cur[max(i, 0):max(j, i + 1)]))
        seen = [v for v in values if v is not None]
        top, low = max(seen, default=0), min(seen, default=0)
        span = top - low
        style = self.get_component_rich_style
        label = Text(no_wrap=True, overflow="ellipsis")
        device, source = key
        label.append(f"  {one_line(device)} {one_line(source)} ", style("timeline--label"))
        label.append(format_size(top), style("timeline--memory"))
        label.truncate(label_w, pad=True)
        segs = list(label.render(self.app.console))
        segs.append(Segment(" "))
        mem_style = _fg(style("timeline--memory"))
        last = len(SPARK) - 1
        # Scaled from the least to the most in view (a flat line sits in the middle):
        # what matters is what grows, not the process's baseline.
        bars = "".join(
            " " if v is None else SPARK[round((v - low) / span * last) if span else last // 2]
            for v in values)
        segs.append(Segment(bars, mem_style))
        return base_styled(segs, base, width)

    def _col(self, ts: float, start: float, per_col: float) -> int:
        return int((ts - start) / per_col) if per_col > 0 else 0

    def _lane(self, sess, label_w, lane_w, start, per_col, base, width, hidden=0) -> Strip:
        style = self.get_component_rich_style
        chosen = sess.id == self.selected_session or sess.id == self.session_filter
        label = Text(no_wrap=True, overflow="ellipsis")
        where = ""
        if sess.created_site.line:
            where = f"line {sess.created_site.line}"
            if sess.created_site.cell is not None:  # a notebook: the cell that made it
                where = f"cell [{sess.created_site.cell}]"
            elif len(f"{sess.kind} #{sess.id} {where}") > label_w - 2:
                where = f":{sess.created_site.line}"
        name = f"{sess.kind} #{sess.id}"
        if sess.pid != (self.view.state.header.get("pid") if self.view.state else sess.pid):
            name = f"pid {sess.pid} {name}"  # a child process's lane (its group's order: state)
        label.append("▶ " if chosen else "  ", style("timeline--marker"))
        label.append(one_line(name, max(4, label_w - 4 - len(where))),
                     style("timeline--label-selected" if chosen else "timeline--label"))
        label.append(" " + where, style("timeline--axis"))
        label.truncate(label_w, pad=True)
        if hidden:  # the last lane shown says how many more there are
            more = f" +{hidden}"
            label.truncate(label_w - len(more))
            label.append(more, style("timeline--marker"))
            label.truncate(label_w, pad=True)
        cells = [" "] * lane_w
        styles: list[Style | None] = [None] * lane_w
        end_ts = self.view.end_ts(self.now_ns)
        closed = sess.closed_ts
        upto = None  # replay: nothing after the playhead's time
        if self.playhead is not None:
            event, upto = self.playhead
            phase = session_phase(sess, event)
            end_ts = upto
            if phase != "closed":
                closed = None
            if phase == "unborn":
                end_ts = -1  # no bar yet
        bar_end = closed if closed is not None else end_ts
        c0 = max(0, self._col(sess.created_ts, start, per_col))
        c1 = min(lane_w - 1, self._col(bar_end, start, per_col))
        # The bar is a background (so ticks stay readable on it); an open session's
        # bar is lighter and runs to now.
        bar = style("timeline--bar" if closed is not None else "timeline--bar-open")
        on_bar = Style(bgcolor=bar.bgcolor)
        for c in range(c0, c1 + 1 if bar_end >= sess.created_ts else c0):
            styles[c] = on_bar
        # Runs after the close (or anywhere off the bar) still show: they are the point.
        runs = self.view.session_runs.get(sess.id, [])
        errors = self.view.session_errors.get(sess.id, [])
        tick, err = _fg(style("timeline--tick")), _fg(style("timeline--error"))
        for c in range(lane_w):
            lo, hi = start + c * per_col, start + (c + 1) * per_col
            if c == lane_w - 1:
                hi += 1
            if upto is not None:
                if lo > upto:
                    break
                hi = min(hi, upto + 1)
            under = styles[c] or Style()
            if _any_in(errors, lo, hi):
                cells[c], styles[c] = "┃", under + err
            elif _any_in(runs, lo, hi):
                cells[c], styles[c] = "│", under + tick
        if closed is not None and c0 <= c1 and cells[c1] == " ":
            cells[c1] = "▕"
            styles[c1] = on_bar + _fg(style("timeline--closed"))
        if self.selected_ts is not None and sess.id == self.selected_session:
            c = self._col(self.selected_ts, start, per_col)
            if c == lane_w and self.selected_ts <= start + lane_w * per_col + 1:
                c = lane_w - 1
            if 0 <= c < lane_w:
                if cells[c] == " ":
                    cells[c] = "◆"
                styles[c] = (styles[c] or Style()) + _fg(style("timeline--marker")) + Style(reverse=True)
        segs = list(label.render(self.app.console))
        segs.append(Segment(" "))
        run_text, run_style = "", None
        for ch, st in zip(cells, styles, strict=True):
            if st is run_style:
                run_text += ch
            else:
                if run_text:
                    segs.append(Segment(run_text, run_style))
                run_text, run_style = ch, st
        if run_text:
            segs.append(Segment(run_text, run_style))
        return base_styled(segs, base, width)

    def _axis(self, label_w, lane_w, start, end, base, width) -> Strip:
        axis = self.get_component_rich_style("timeline--axis")
        marker = self.get_component_rich_style("timeline--marker")
        step = nice_step(end - start, max(1, lane_w // 15))
        per_col = (end - start) / lane_w
        # Times are since the script's start. A narrow window late in a run counts its
        # ticks from an origin (given in the label column: `6.28015s +`), so a label
        # says `50µs`, not `6280.150ms`.
        origin = 0.0
        size, name, d = axis_unit(step)
        if sum(ch.isdigit() for ch in f"{end / size:.{d}f}") > ORIGIN_DIGITS:
            origin = (start // step) * step
        cells = [" "] * lane_w
        sel_c = None
        if self.selected_ts is not None:
            sel_c = self._col(self.selected_ts, start, per_col)
            if not 0 <= sel_c < lane_w:
                sel_c = None
        t = (start // step) * step
        while t <= end:
            c = self._col(t, start, per_col)
            text = "┴" + fmt_axis(t - origin, step)
            free = 0 <= c and c + len(text) <= lane_w and all(
                x == " " for x in cells[max(0, c - 1):c + len(text) + 1])
            if free and (sel_c is None or not c - 1 <= sel_c <= c + len(text)):  # ▲ hides no digit
                cells[c:c + len(text)] = list(text)
            t += step
        words = "since start"
        if origin:
            words = f"{origin / 1e9:.{decimals(step / 1e9)}f}s +"
        if self.window is not None and len(words) + 6 < label_w:
            words = "zoom " + words
        label = f"{words:>{label_w - 1}} " if label_w > len(words) else " " * label_w
        segs = [Segment(label[-label_w:], axis), Segment(" ")]
        for c, ch in enumerate(cells):
            segs.append(Segment("▲" if c == sel_c else ch, marker if c == sel_c else axis))
        return base_styled(segs, base, width)


def _fg(style: Style) -> Style:
    """A component style without its background (so it can sit on a bar)."""
    return Style(color=style.color, bold=style.bold, italic=style.italic)


def _any_in(sorted_ts: list[int], lo: float, hi: float) -> bool:
    if not sorted_ts:
        return False
    i = bisect.bisect_left(sorted_ts, lo)
    return i < len(sorted_ts) and sorted_ts[i] < hi
