"""Feeding the trace into the view: the poller thread, the slices on the event loop, and
the redraw schedule of the panes (live, and while a replayed trace loads).

A thread polls the source (~20 Hz) and puts what it read in an `Inbox`, posting a
`TraceReady` wake-up when none is outstanding (it never touches a widget); the app feeds
the view in slices of FEED_SLICE seconds on the event loop, so that keys pressed
meanwhile wait at most that long, and redraws the panes at most every PANE_REFRESH
seconds. When the last read is fed, the post-mortem begins (`_on_finished`): the
cursor on the first finding, and the cyclic GC held off the state that lives on.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time

from inspector.analysis.script_failure import script_failure
from inspector.launch import LaunchError
from inspector.trace.reader import TraceError
from inspector.tui import collector
from inspector.tui._textual_compat import refresh_layout
from inspector.tui.disk_check import disk_differs
from inspector.tui.events_table import EventsTable
from inspector.tui.findings_panel import FindingsPanel
from inspector.tui.inbox import Inbox, Read
from inspector.tui.messages import ScriptExited, TraceProblem, TraceReady
from inspector.tui.mounted import while_mounted
from inspector.tui.output_pane import OutputPane
from inspector.tui.sources import POLL_INTERVAL
from inspector.tui.timeline import Timeline

LOAD_REFRESH = 0.25  # replay: while a big trace is read, the panes are redrawn this often
PANE_REFRESH = 0.1  # live: under a fast script, the panes are redrawn this often
# The poller's reads are fed in slices of about FEED_SLICE seconds, so that a key
# pressed meanwhile waits at most that long (plus one redraw); FEED_CHUNK events
# between looks at the clock.
FEED_SLICE = 0.02
FEED_CHUNK = 500
TICK_INTERVAL = 0.25  # live: findings that need time to tell, the timeline's "now", the clock


class TraceFeed:
    """The InspectorApp's part that reads the trace and schedules the panes' redraws."""

    def _init_feed(self) -> None:
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self.inbox = Inbox()
        self.batches = 0
        self.last_batch_at: float | None = None
        self._panes_at = 0.0
        self._panes_version = -1
        self._panes_timer = None
        self._panes_findings = 0  # findings when the panes were last redrawn
        self._timeline_rows = -1
        self._collector_timer = None
        self._gc_thresholds: tuple[int, int, int] | None = None

    def start_feed(self) -> None:
        self._poller = threading.Thread(target=self._poll_loop, name="tfsess-poll", daemon=True)
        self._poller.start()
        self.set_interval(TICK_INTERVAL, self._tick)

    def stop_feed(self) -> None:
        if self._gc_thresholds is not None:
            collector.release(self._gc_thresholds)
        self._stop.set()
        self.source.stop()
        if self.source.running:
            self.source.kill()

    def _poll_loop(self) -> None:
        src = self.source
        try:
            src.start()
        except (LaunchError, OSError) as exc:
            src.start_error = str(exc)
            self.post_message(TraceProblem(str(exc)))
            self.post_message(ScriptExited(None))
            return
        while not self._stop.is_set():
            try:
                events, final = src.poll()
            except TraceError as exc:
                self.post_message(TraceProblem(str(exc)))
                if src.live:
                    src.wait()
                    self.post_message(ScriptExited(src.exit_code))
                return
            if events or final:
                tail = src.tail
                if self.inbox.put(Read(events, tail.header, final, tail.cut, tail.bad_lines)):
                    self.post_message(TraceReady())
            if final:
                if src.live:
                    self.post_message(ScriptExited(src.exit_code))
                return
            if events:
                self.inbox.wait_for_room(self._stop)
            else:
                self._stop.wait(POLL_INTERVAL)

    def feed_inbox(self) -> None:
        """Feed what the poller read, FEED_SLICE seconds of it at a time; if more is
        waiting, post another wake-up behind whatever (keys) came in meanwhile."""
        view = self.view
        had_state = view.state is not None
        before = view.state.event_count if view.state else 0
        fed, final, drained = self._feed_slice(time.monotonic() + FEED_SLICE)
        if not drained:
            # Posted from the event loop's next turn, not now: Textual takes queued
            # messages without yielding to the loop, so a wake-up posted here would run
            # before keys the terminal thread has handed the loop meanwhile.
            asyncio.get_running_loop().call_soon(self.post_message, TraceReady())
        if not fed:
            return
        if view.state is not None and view.state.event_count - before > 1000:
            # The state lives as long as the app: keep the cyclic GC from walking a
            # million runs again and again (full collections were 0.3-1 s pauses).
            gc.freeze()
        self.last_batch_at = time.monotonic()
        if view.state is None:
            return
        if final or not had_state:
            self._refresh_panes(final)
            return
        # A fast script: the panes are redrawn at most every `interval`, and once more
        # after the last batch (a timer), not once per batch.
        interval = PANE_REFRESH if self.source.follow else LOAD_REFRESH
        wait = self._panes_at + interval - time.monotonic()
        if wait <= 0:
            self._refresh_panes(False)
        elif self._panes_timer is None:
            self._panes_timer = self.set_timer(wait, self._panes_due)

    def _feed_slice(self, deadline: float) -> tuple[bool, bool, bool]:
        """Feed reads from the inbox until it is empty or `deadline` has passed.
        Returns (anything fed, the final read fed, the inbox emptied)."""
        fed = final = False
        while True:
            read = self.inbox.take()
            if read is None:
                return fed, final, True
            fed = True
            rest = self._feed_read(read, deadline)
            if rest is not None:
                self.inbox.put_back(rest)
                return fed, final, False
            final = final or read.final
            if time.monotonic() >= deadline:
                return fed, final, False

    def _feed_read(self, read: Read, deadline: float) -> Read | None:
        """Feed one read, FEED_CHUNK events at a time; what is left of it when
        `deadline` passes, or None."""
        events = read.events
        for start in range(0, max(len(events), 1), FEED_CHUNK):
            end = start + FEED_CHUNK
            last = end >= len(events)
            self.view.feed(read.header, events[start:end], read.final and last,
                           findings=self.source.live)
            if not last and time.monotonic() >= deadline:
                return Read(events[end:], read.header, read.final, read.cut, read.bad_lines)
        self.view.cut = read.cut
        self.view.bad_lines = read.bad_lines
        self.batches += 1
        return None

    @while_mounted
    def _panes_due(self) -> None:
        self._panes_timer = None
        if self._panes_version != self.view.version and self.view.state is not None:
            self._refresh_panes(False)

    def _refresh_panes(self, final: bool) -> None:
        view = self.view
        self._panes_at = time.monotonic()
        self._panes_version = view.version
        findings_before, self._panes_findings = self._panes_findings, len(view.findings)
        st = view.state
        table = self._q(EventsTable)
        if table.cwd is None:
            table.cwd = st.header.get("cwd")
        self._extend_filter()
        table.data_changed(follow=self.follow)
        timeline = self._q(Timeline)
        rows = timeline.content_rows()  # a session or a memory series appeared: relayout
        if rows != self._timeline_rows:
            refresh_layout(timeline)
        else:
            timeline.refresh()
        self._timeline_rows = rows
        self._q(FindingsPanel).set_findings(view.findings)
        self._q(OutputPane).feed(st.output)
        if final:
            self._on_finished()
        elif len(view.findings) != findings_before and self.selected_ref is not None:
            self._select(self.selected_ref)
        self._update_status()

    def _on_finished(self) -> None:
        """Post-mortem: stop following, put the cursor on the first finding."""
        self.follow = False
        if not self.source.live and self.view.rows:
            self.playhead = 0
            st = self.view.state
            self._out_ts = [o.ts for o in st.output]
            self.disk_note = disk_differs(st)
        self._say_what_is_true()
        self.refresh_bindings()  # (the footer: the post-mortem keys)
        failure = script_failure(self.view.state)
        if self.view.findings:
            self.choose_finding(0)
        elif failure is not None:
            self._show_failure(failure)  # (the cursor stays: the failure is the point)
        elif self.selected_ref is None and self.view.rows:
            self._q(EventsTable).move_to(0, user=False)
        # What the findings and the post-mortem indexes made lives on too: out of the
        # cyclic GC's way (full collections over it were 10-20 ms pauses between keys).
        gc.freeze()
        if self._collector_timer is None:
            self._gc_thresholds = collector.hold_full_collections()
            self._collector_timer = self.set_interval(collector.CHECK_INTERVAL,
                                                      collector.collect_if_due)

    @while_mounted
    def _tick(self) -> None:
        if self.view.state is not None and not self.view.final and self.source.live:
            if self.view.refresh_findings():
                self._q(FindingsPanel).set_findings(self.view.findings)
                self._q(EventsTable).data_changed(follow=False)
                if self.selected_ref is not None:
                    self._select(self.selected_ref)
            timeline = self._q(Timeline)
            t0 = self.view.header.get("t0_mono_ns") if self.view.header else None
            if self.source.live and isinstance(t0, int):
                timeline.now_ns = time.monotonic_ns() - t0
            timeline.refresh()
        self._update_status()
