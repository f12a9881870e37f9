"""What the widgets read: the analysis state grown batch by batch, its findings, and
compact indexes over it (the events table's rows, each session's run times).

A row is an int: ``i >= 0`` is ``state.runs[i]``, ``~j`` (negative) is
``state.lifecycle[j]``. A million rows are a million ints, nothing more; widgets
format a row only when it is on screen.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import time
from array import array
from dataclasses import dataclass
from typing import Any

from inspector.analysis.findings import find_all
from inspector.analysis.model import Finding, Run, Site
from inspector.analysis.state import Lifecycle, StateBuilder, TraceState
from inspector.tui.places import place

# A row is a run's position in the run store, or ~i for lifecycle event i: 32 bits
# (two billion events) halve the rows' memory at ten million runs.
ROW = "i"
# Runs indexed in bulk at a time, and one by one after a window that could not be.
STREAK_WINDOW = 1 << 20
ONE_BY_ONE = 4096

# find_all is O(runs): while events arrive, spend at most about 1/COST_SHARE of the
# time on it (it runs again once the trace is complete in any case).
COST_SHARE = 5


@dataclass
class EventInfo:
    """One row, resolved."""

    row: int
    index: int  # event index in the trace
    ts: int
    session: int
    kind: str
    site: Site
    dur: int | None
    ok: bool
    run: Run | None = None
    life: Lifecycle | None = None


class TraceView:
    def __init__(self) -> None:
        self.header: dict[str, Any] | None = None
        self.builder: StateBuilder | None = None
        self.findings: list[Finding] = []
        self.rows: array = array(ROW)  # 4 bytes a row (ten million rows: 40 MB)
        self._row_of_event: dict[int, int] = {}  # filled lazily (bisect on rows otherwise)
        self._runs_seen = 0
        self._life_seen = 0
        self.session_runs: dict[int, array] = {}  # session -> sorted run start times
        self.session_errors: dict[int, list[int]] = {}  # failed runs and runs findings point at
        self.flagged: set[int] = set()  # event indexes findings point at
        self.cut = False
        self.bad_lines = 0
        self.final = False
        self._findings_at = 0.0
        self._findings_cost = 0.0
        self.session_rows: dict[int, array] = {}  # session -> its rows, in order
        self._findings_stale = False
        self.version = 0  # bumped on every change, for caches

    @property
    def state(self) -> TraceState | None:
        return self.builder.state if self.builder else None

    # -- ingest ---------------------------------------------------------------
    def feed(self, header: dict[str, Any] | None, events: list[dict[str, Any]],
             final: bool = False, findings: bool = True) -> bool:
        """Add a batch. Returns True if the findings changed. `findings=False` leaves
        them for later (a finished trace being loaded: only its end matters)."""
        if self.builder is None:
            if header is None:
                return False
            self.header = header
            self.builder = StateBuilder(header)
        feed = self.builder.feed
        for ev in events:
            feed(ev)
        self._index_new()
        self.final = self.final or final
        self.version += 1
        self._findings_stale = self._findings_stale or bool(events) or final
        if not findings and not final:
            return False
        return self.refresh_findings(force=final)

    def refresh_findings(self, force: bool = False) -> bool:
        st = self.state
        if st is None or not self._findings_stale:
            return False
        now = time.monotonic()
        if not force and now - self._findings_at < self._findings_cost * COST_SHARE:
            return False
        old = [(f.kind, f.event, f.message) for f in self.findings]
        self.findings = find_all(st)
        self._findings_at = time.monotonic()
        self._findings_cost = self._findings_at - now
        self._findings_stale = False
        new = [(f.kind, f.event, f.message) for f in self.findings]
        if new == old:
            return False
        flagged = {f.event for f in self.findings if f.event is not None}
        for ev in flagged - self.flagged:
            row = self.row_of_event(ev)
            if row is not None and self.rows[row] >= 0:
                ref = self.rows[row]
                bisect.insort(self.session_errors.setdefault(st.runs.session[ref], []),
                              st.runs.ts[ref])
        self.flagged = flagged
        self.version += 1
        return True

    def _index_new(self) -> None:
        """Rows for the runs and lifecycle events added since last time, merged in
        event order. Reads the run store's columns: no Run objects are made."""
        st = self.state
        runs, life = st.runs, st.lifecycle
        r_index, r_session, r_ts, r_ok = runs.index, runs.session, runs.ts, runs.ok
        i, j = self._runs_seen, self._life_seen
        rows = self.rows
        session_rows, session_runs = self.session_rows, self.session_runs
        nr, nl = len(runs), len(life)
        slow_until = 0
        while i < nr or j < nl:
            if i < nr and (j >= nl or r_index[i] < life[j].index) and i >= slow_until:
                # A streak of runs before the next lifecycle event: of one session and
                # in time order (a training loop), it is indexed in bulk, a window at a
                # time; a window that is not gets the next runs one by one, then the bulk
                # is tried again (mixed runs before a long loop must not make the whole
                # loop go one by one).
                k = nr if j >= nl else bisect.bisect_left(r_index, life[j].index, i, nr)
                k = min(k, i + STREAK_WINDOW)
                if k - i > 64:
                    if self._index_streak(i, k):
                        i = k
                        continue
                    slow_until = i + ONE_BY_ONE
            if j >= nl or (i < nr and r_index[i] < life[j].index):
                sid, ts = r_session[i], r_ts[i]
                rows.append(i)
                srows = session_rows.get(sid)
                if srows is None:
                    srows = session_rows[sid] = array(ROW)
                srows.append(i)
                times = session_runs.get(sid)
                if times is None:
                    times = session_runs[sid] = array("q")
                if not times or times[-1] <= ts:
                    times.append(ts)
                else:
                    bisect.insort(times, ts)
                if not r_ok[i]:
                    bisect.insort(self.session_errors.setdefault(sid, []), ts)
                i += 1
            else:
                rows.append(~j)
                self.rows_of_session(life[j].session).append(~j)
                j += 1
        self._runs_seen, self._life_seen = i, j

    def _index_streak(self, i: int, k: int) -> bool:
        """Runs i..k-1 indexed at once, if they are of one session and in time order
        (else False, nothing done: the caller goes one run at a time)."""
        runs = self.state.runs
        sessions = runs.session[i:k]
        sid = sessions[0]
        if sessions.count(sid) != len(sessions):
            return False
        ts = runs.ts[i:k]
        times = self.session_runs.get(sid)
        if times and times[-1] > ts[0]:
            return False
        if not runs.known_sorted(i, k) and not all(map(operator.le, ts, itertools.islice(ts, 1, None))):
            return False
        new = array(ROW, range(i, k))
        self.rows.extend(new)
        self.rows_of_session(sid).extend(new)
        self.session_runs.setdefault(sid, array("q")).extend(ts)
        ok = runs.ok
        pos = ok.find(0, i, k)
        while pos != -1:
            bisect.insort(self.session_errors.setdefault(sid, []), runs.ts[pos])
            pos = ok.find(0, pos + 1, k)
        return True

    def rows_of_session(self, sid: int) -> array:
        """The rows of session `sid`, in order (the view grows this array)."""
        rows = self.session_rows.get(sid)
        if rows is None:
            rows = self.session_rows[sid] = array(ROW)
        return rows

    # -- reading ----------------------------------------------------------------
    def event_index(self, ref: int) -> int:
        st = self.state
        return st.runs.index[ref] if ref >= 0 else st.lifecycle[~ref].index

    def row_of_event(self, event: int) -> int | None:
        """The row showing trace event `event` (rows are in event order: bisect)."""
        lo, hi = 0, len(self.rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.event_index(self.rows[mid]) < event:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.rows) and self.event_index(self.rows[lo]) == event:
            return lo
        return None

    def nearest_row(self, event: int) -> int | None:
        """The row of `event`, or the last row before it."""
        row = self.row_of_event(event)
        if row is not None:
            return row
        lo, hi = 0, len(self.rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.event_index(self.rows[mid]) < event:
                lo = mid + 1
            else:
                hi = mid
        return max(0, lo - 1) if self.rows else None

    def info(self, ref: int) -> EventInfo:
        st = self.state
        if ref >= 0:
            run = st.runs[ref]
            return EventInfo(ref, run.index, run.ts, run.session, run.kind, run.site, run.dur,
                             run.ok and run.index not in self.flagged, run=run)
        life = st.lifecycle[~ref]
        bad = life.index in self.flagged or life.already_closed
        return EventInfo(ref, life.index, life.ts, life.session, life.ev, life.site, None,
                         not bad, life=life)

    def finding_for_event(self, event: int) -> Finding | None:
        for f in self.findings:
            if f.event == event:
                return f
        return None

    def end_ts(self, now_ns: int | None = None) -> int:
        """The right end of time: the last event, or now while the script runs."""
        st = self.state
        if st is None:
            return 0
        end = st.last_ts
        if st.exit.end_ts is not None:
            end = max(end, st.exit.end_ts)
        if now_ns is not None and not self.final:
            end = max(end, now_ns)
        return end

    def search(self, rows: list[int], needle: str) -> list[int]:
        """The rows among `rows` that `matches` (same answers), fast on big traces:
        what a run can match is decided once per run shape (kind, call site, fetches),
        per failed run and per finding, not once per row."""
        st = self.state
        needle = needle.lower()
        runs = st.runs
        shapes = getattr(runs, "shapes", None)
        if shapes is None:  # not a column store: one row at a time
            return [r for r in rows if self.matches(r, needle)]
        shape_hit = bytearray(len(shapes))
        for code, (kind, site_id, fs_id, _thread, _pid) in enumerate(shapes):
            site = st.site(site_id)
            fs = st.summaries.get(fs_id)
            hay = [place(site.file, site.line), site.function, kind]
            if fs is not None:
                hay += [leaf.name or "" for leaf in fs.fetches + fs.feeds]
            shape_hit[code] = any(needle in h.lower() for h in hay)
        error_hit = {pos for pos, (exc, msg) in runs.errors.items()
                     if needle in (exc or "").lower() or needle in (msg or "").lower()}
        finding_hit = {f.event for f in self.findings
                       if needle in f.kind.lower() or needle in f.message.lower()}
        shape, index = runs.shape, runs.index
        out = []
        for r in rows:
            if r >= 0:
                if shape_hit[shape[r]] or r in error_hit or index[r] in finding_hit:
                    out.append(r)
            elif self.matches(r, needle):
                out.append(r)
        return out

    def matches(self, ref: int, needle: str) -> bool:
        """Search: call site, fetch and feed names, messages (case-insensitive)."""
        info = self.info(ref)
        hay = [place(info.site.file, info.site.line), info.site.function, info.kind]
        if info.run is not None:
            run = info.run
            hay += [leaf.name or "" for leaf in run.fetch.fetches]
            hay += [leaf.name or "" for leaf in run.fetch.feeds]
            hay += [run.exc or "", run.msg or ""]
        elif info.life is not None:
            hay.append(info.life.how or "")
        f = self.finding_for_event(info.index)
        if f is not None:
            hay += [f.kind, f.message]
        return any(needle in h.lower() for h in hay)

