"""The inspector app: one screen of panes over a `TraceView`, fed by an event source.

A thread polls the source (~20 Hz) and puts what it read in an `Inbox`, posting a
`TraceReady` wake-up when none is outstanding; the app feeds the view in short slices
on the event loop and redraws the panes at most every PANE_REFRESH seconds.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import gc
import hashlib
import os
import shlex
import subprocess
import threading
import time

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid
from textual.css.query import NoMatches
from textual.widgets import Input

from inspector.analysis import playhead
from inspector.analysis.model import Finding, Site
from inspector.analysis.script_failure import ScriptFailure, script_failure
from inspector.launch import LaunchError
from inspector.trace.reader import TraceError
from inspector.tui import collector, modes
from inspector.tui._textual_compat import draw_up_to, refresh_layout, suspended
from inspector.tui.confirm_screen import ConfirmQuit
from inspector.tui.detail_pane import DetailPane, describe
from inspector.tui.events_table import EventsTable
from inspector.tui.findings_panel import SEVERITY_ICON, FindingsPanel
from inspector.tui.inbox import Inbox, Read
from inspector.tui.key_footer import KeyFooter
from inspector.tui.messages import ScriptExited, TraceProblem, TraceReady
from inspector.tui.output_pane import OutputPane
from inspector.tui.source_marks import marks_for
from inspector.tui.source_pane import SourcePane, read_from_disk
from inspector.tui.sources import POLL_INTERVAL, TraceFile
from inspector.tui.status_bar import StatusBar
from inspector.tui.text import clean, one_line
from inspector.tui.timeline import Timeline
from inspector.tui.view import EventInfo, TraceView

# Panes in `tab` order; in a narrow terminal the lower ones share one slot.
PANES = ["events", "source", "findings", "detail", "output", "timeline"]
LOWER = ["source", "findings", "detail", "output"]
NARROW_WIDTH = 110
NARROW_HEIGHT = 30
PLAY_INTERVAL = 0.05  # replay: the playhead moves at most 20 times a second
LOAD_REFRESH = 0.25  # replay: while a big trace is read, the panes are redrawn this often
PANE_REFRESH = 0.1  # live: under a fast script, the panes are redrawn this often
# The poller's reads are fed in slices of about FEED_SLICE seconds, so that a key
# pressed meanwhile waits at most that long (plus one redraw); FEED_CHUNK events
# between looks at the clock.
FEED_SLICE = 0.02
FEED_CHUNK = 500
FRAME_RATE = 240  # frames a second at most (Textual's default, 60, adds up to 17 ms to a key)

def _while_mounted(handler):
    """Messages and timer ticks can still arrive while the app shuts down and its
    widgets are gone: drop them then."""

    @functools.wraps(handler)
    def wrapper(self, *args):
        try:
            return handler(self, *args)
        except NoMatches:  # the panes are composed once: only shutdown removes them
            return None

    return wrapper


def _disk_differs(st) -> str | None:
    """A note when a recorded source file is gone from disk or differs from the
    recording (the app shows the recorded text in both cases)."""
    changed, missing = [], []
    for file, src in st.sources.items():
        if not src.sha256 or src.text is None:
            continue
        try:
            with open(file, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
        except OSError:
            missing.append(file)
            continue
        if digest != src.sha256:
            changed.append(file)
    if changed:
        return f"{os.path.basename(changed[0])} changed on disk since the recording (showing the recorded source)"
    if missing:
        return f"{os.path.basename(missing[0])} is not on disk any more (showing the recorded source)"
    return None


class InspectorApp(App[int | None]):
    CSS_PATH = "app.tcss"
    TITLE = "tfsess-inspect"

    BINDINGS = [
        Binding("q", "quit_app", "Quit"),
        Binding("ctrl+c", "interrupt", "Stop script", priority=True),
        Binding("question_mark", "help", "Help"),
        Binding("n", "next_finding(1)", "Next finding"),
        Binding("N", "next_finding(-1)", "Prev finding"),
        Binding("s", "session_filter", "Session"),
        Binding("slash", "search", "Search"),
        Binding("f", "toggle_follow", "Follow"),
        Binding("tab", "cycle_pane(1)", "Next pane", priority=True),
        Binding("shift+tab", "cycle_pane(-1)", "Previous pane", show=False, priority=True),
        Binding("plus,equals_sign", "zoom(0.5)", "Zoom in"),
        Binding("minus", "zoom(2)", "Zoom out"),
        Binding("left_square_bracket", "pan(-1)", "Pan timeline left (replay: previous run of the session)",
                show=False),
        Binding("right_square_bracket", "pan(1)", "Pan timeline right (replay: next run of the session)",
                show=False),
        Binding("o", "open_editor", "Open in $EDITOR"),
        Binding("enter", "details", "Details", show=False),
        Binding("j,down", "move(1)", "Next event", show=False),
        Binding("k,up", "move(-1)", "Previous event", show=False),
        Binding("escape", "clear_filters", "Clear search/filter", show=False),
        # Replay (a finished trace): the playhead. Hidden while a script runs.
        Binding("space", "play", "Play/pause"),
        Binding("full_stop", "step(1)", "Step", show=False),
        Binding("comma", "step(-1)", "Step back", show=False),
        Binding("t", "goto", "Go to time/#event"),
        Binding("1", "speed(0)", "Speed 0.25x", show=False),
        Binding("2", "speed(1)", "Speed 1x", show=False),
        Binding("3", "speed(2)", "Speed 4x", show=False),
        Binding("4", "speed(3)", "Speed 16x", show=False),
        Binding("5", "speed(4)", "Speed: as fast as possible", show=False),
        Binding("g,home", "edge(0)", "Start", show=False),
        Binding("G,end", "edge(1)", "End", show=False),
        Binding("less_than_sign", "speed_step(-1)", "Slower", show=False),
        Binding("greater_than_sign", "speed_step(1)", "Faster", show=False),
    ]

    # Keys that only mean something with a playhead (a finished trace: modes.py).
    REPLAY_ACTIONS = modes.POST_MORTEM_ONLY

    def __init__(self, source: TraceFile, clock=time.monotonic) -> None:
        draw_up_to(FRAME_RATE)
        super().__init__()
        self.source = source
        self.view = TraceView()
        self.clock = clock
        self.follow = True
        self.problem: str | None = None
        self.exited = False
        self.exit_code: int | None = None
        self.interrupted = False
        self.session_filter: int | None = None
        self.search: str | None = None
        self.finding_index: int | None = None
        self.selected_ref: int | None = None
        self.shown_lower = "source"
        self.narrow = False
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self._started = clock()
        self._filtered_upto = 0
        self.batches = 0
        self._chosen_finding: Finding | None = None
        self._panes_pending = False
        self._main_screen = None
        self._timeline_rows = -1
        self.last_batch_at: float | None = None
        # Replay: the playhead is a position in view.rows (None: no playhead, live mode).
        self.playhead: int | None = None
        self.playing = False
        self.speed_index = 1
        self._play_timer = None
        self._play_last = 0.0
        self._carry = 0.0
        self.gap_note: str | None = None
        self.disk_note: str | None = None
        self._out_ts: list[int] = []
        self._errors: tuple[list | None, dict[str, int]] = (None, {})
        self._panes_at = 0.0
        self._panes_version = -1
        self._panes_timer = None
        self._panes_findings = 0  # findings when the panes were last redrawn
        self.inbox = Inbox()
        self._applied: tuple | None = None  # the playhead last drawn (_apply_playhead)
        self._collector_timer = None
        self._gc_thresholds: tuple[int, int, int] | None = None

    # -- layout ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Timeline(self.view, id="timeline")
        with Grid(id="main"):
            yield EventsTable(self.view, id="events")
            yield SourcePane(id="source", classes="lower")
            yield FindingsPanel(id="findings", classes="lower")
            yield DetailPane(id="detail", classes="lower")
            yield OutputPane(id="output", classes="lower")
        yield Input(placeholder="search call sites, fetch names, messages (enter; escape clears)",
                    id="search")
        yield Input(placeholder="go to: seconds (1.5) or event number (#123); enter", id="goto")
        yield KeyFooter()

    def get_system_commands(self, screen):
        """The command palette (ctrl+p): Textual's commands, then every key of ours."""
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if binding.action.startswith(("move(", "cycle_pane(-1")):
                continue
            keys = " or ".join(modes.key_names(binding.key))
            yield SystemCommand(binding.description, f"key: {keys}",
                                functools.partial(self.call_later, self.run_action, binding.action))

    def _q(self, selector, expect_type=None):
        """query_one on the main screen (not whichever screen is on top: help, confirm)."""
        screen = self._main_screen or self.screen
        if expect_type is None:
            return screen.query_one(selector)
        return screen.query_one(selector, expect_type)

    def on_mount(self) -> None:
        self._main_screen = self.screen
        titles = {"timeline": "Timeline", "events": "Events", "source": "Source",
                  "findings": "Findings", "detail": "Detail", "output": "Output"}
        for pane, title in titles.items():
            self._q(f"#{pane}").border_title = title
        self._q("#search").display = False
        self._q("#goto").display = False
        self._layout_for(self.size.width, self.size.height)
        self._q(EventsTable).focus()
        self._update_status()
        self._poller = threading.Thread(target=self._poll_loop, name="tfsess-poll", daemon=True)
        self._poller.start()
        self.set_interval(0.25, self._tick)

    @_while_mounted
    def on_descendant_focus(self, event) -> None:
        """The pane that holds the focus gets `-has-focus` (its border lights up)."""
        focused = event.widget
        for name in LOWER + ["events"]:
            pane = self._q(f"#{name}")
            pane.set_class(focused is pane or pane in focused.ancestors, "-has-focus")

    def on_resize(self, event) -> None:
        self._layout_for(event.size.width, event.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        narrow = width < NARROW_WIDTH or height < NARROW_HEIGHT
        self.narrow = narrow
        self.screen.set_class(narrow, "-narrow")
        self._show_lower(self.shown_lower)

    def _show_lower(self, name: str) -> None:
        self.shown_lower = name
        for pane in LOWER:
            self._q(f"#{pane}").set_class(pane == name, "-shown")

    # -- the poller (a thread: it never touches a widget) ------------------------------
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

    def on_unmount(self) -> None:
        if self._gc_thresholds is not None:
            collector.release(self._gc_thresholds)
        self._stop.set()
        self.source.stop()
        if self.source.running:
            self.source.kill()

    # -- messages ------------------------------------------------------------------------
    @_while_mounted
    def on_trace_ready(self, msg: TraceReady) -> None:
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

    @_while_mounted
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

    @_while_mounted
    def on_trace_problem(self, msg: TraceProblem) -> None:
        self.problem = msg.text
        self._update_status()
        self.notify(clean(msg.text), severity="error", markup=False, timeout=10)

    @_while_mounted
    def on_script_exited(self, msg: ScriptExited) -> None:
        self.exited = True
        self.exit_code = msg.code
        self.refresh_bindings()  # (the footer: the post-mortem keys)
        self._say_what_is_true()
        self._update_status()

    def _say_what_is_true(self) -> None:
        """The empty panes' words follow the state: "yet" only while more can come."""
        st = self.view.state
        if not (self.view.final or self.exited):
            sessions, findings = "no sessions yet", "no findings yet"
        elif st is not None and st.user_sessions():
            sessions, findings = "", "no findings"
        elif st is not None and script_failure(st) is not None:
            sessions = "no sessions: the script failed before making one"
            findings = "no findings: no session before the failure"
        else:
            sessions = "no sessions: the script made none"
            findings = "no findings: the script made no session"
        self._q(Timeline).no_sessions = sessions
        self._q(Timeline).refresh()
        self._q(FindingsPanel).say_when_empty(findings)

    def _on_finished(self) -> None:
        """Post-mortem: stop following, put the cursor on the first finding."""
        self.follow = False
        if not self.source.live and self.view.rows:
            self.playhead = 0
            st = self.view.state
            self._out_ts = [o.ts for o in st.output]
            self.disk_note = _disk_differs(st)
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

    @_while_mounted
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

    # -- status -------------------------------------------------------------------------------
    def script_state(self) -> str:
        st = self.view.state
        if not self.source.live:
            return "exited" if st is not None and st.finished else "trace"
        if self.exited or (st is not None and st.exit.end_ts is not None):
            return "exited"
        if st is None:
            return "starting"
        return "running"

    def _update_status(self) -> None:
        st = self.view.state
        state = self.script_state()
        code = signum = None
        seconds = None
        if st is not None:
            code, signum = st.exit.code, st.exit.signal
        if self.exited and code is None:
            code = self.exit_code
        if state in ("starting", "running"):
            seconds = self.clock() - self._started
        elif st is not None:
            seconds = (st.exit.end_ts or st.last_ts) / 1e9
        title = self.source.title
        if st is not None and st.header.get("argv"):
            title = " ".join(str(a) for a in st.header["argv"])
        extra = []
        if self.problem:
            extra.append(self.problem)
        if self.view.cut:
            extra.append("trace cut mid-line")
        if self.view.bad_lines:
            n = self.view.bad_lines  # (report and replay on the command line say it too)
            extra.append(f"{n} line{'s' if n != 1 else ''} skipped (not trace events)")
        if self.session_filter is not None:
            extra.append(f"session #{self.session_filter} only")
        if self.search is not None:
            table = self._q(EventsTable)
            extra.append(f"search {self.search!r}: {len(table.rows)}")
        if self.interrupted and state == "running":
            extra.append("SIGINT sent (ctrl+c again quits)")
        if self.playhead is not None:
            # After what is wrong with the trace (it must stay in view), before the rest.
            health = int(bool(self.problem)) + int(self.view.cut) + int(bool(self.view.bad_lines))
            extra[health:health] = self._playhead_words()
        if self.disk_note:
            extra.append(self.disk_note)
        findings = self.view.findings
        failure = script_failure(st) if st is not None else None
        self._q(StatusBar).show(
            title=title, state=state if state != "trace" or st is None else "exited",
            code=code, signum=signum, seconds=seconds, trace=self.source.path,
            sessions=len(st.user_sessions()) if st else 0, runs=len(st.runs) if st else 0,
            findings=len(findings), severities=self._severities(findings),
            follow=self.follow and not self.view.final, extra=extra, width=self.size.width,
            failure=failure.headline() if failure is not None else None,
        )

    def _severities(self, findings: list[Finding]) -> dict[str, int]:
        """How many findings of each severity (counted once per list of findings, not
        per key)."""
        if self._errors[0] is not findings:
            counts: dict[str, int] = {}
            for f in findings:
                counts[f.severity] = counts.get(f.severity, 0) + 1
            self._errors = (findings, counts)
        return self._errors[1]

    # -- selection ------------------------------------------------------------------------------
    @on(EventsTable.Moved)
    @_while_mounted
    def _table_moved(self, msg: EventsTable.Moved) -> None:
        if msg.user:
            self._chosen_finding = None  # the user moved on from the finding chosen
        if msg.user and self.follow:
            table = self._q(EventsTable)
            if table.cursor < len(table.rows) - 1:
                self.follow = False
                self._update_status()
        if msg.ref is not None:
            self._select(msg.ref)

    def _select(self, ref: int) -> None:
        """Select a row: the timeline's marker at once; the panes that take longer to
        draw (detail, source) once the keys already queued are handled, so holding
        `j` does not pile up work."""
        view = self.view
        if view.state is None:
            return
        self.selected_ref = ref
        info = view.info(ref)
        if self.playhead is not None:
            row = view.row_of_event(info.index)
            if row is not None:
                self.playhead = row
            self._apply_playhead()
        timeline = self._q(Timeline)
        timeline.selected_ts = info.ts
        timeline.selected_session = info.session
        timeline.reveal(info.ts)
        timeline.refresh()
        if not self._panes_pending:
            self._panes_pending = True
            self.call_later(self._show_selection)

    @_while_mounted
    def _show_selection(self) -> None:
        self._panes_pending = False
        view = self.view
        if self.selected_ref is None or view.state is None:
            return
        info = view.info(self.selected_ref)
        # Several findings can be about one event (n/N go through each of them): the
        # one chosen, else the one shown last if it is about this event, else the first.
        chosen, self._chosen_finding = self._chosen_finding, None
        current = (view.findings[self.finding_index]
                   if self.finding_index is not None and self.finding_index < len(view.findings)
                   else None)
        if chosen is not None and chosen.event != info.index:
            self._show_finding_without_event(chosen)  # the cursor is on the nearest row
            return
        if chosen is not None:
            finding = chosen
        elif current is not None and current.event == info.index:
            finding = current
        else:
            finding = view.finding_for_event(info.index)
        if finding is not None:
            self.finding_index = view.findings.index(finding)
            self._q(FindingsPanel).show_index(self.finding_index)
        cwd = view.header.get("cwd") if view.header else None
        as_of = info.index if self.playhead is not None else None
        self._q(DetailPane).show(describe(view, info, finding, cwd, as_of))
        self._show_source(info, finding)

    def _show_source(self, info, finding: Finding | None) -> None:
        st = self.view.state
        sess = st.sessions.get(info.session)
        file, line = info.site.file, info.site.line
        if finding is not None:
            file, line = finding.file, finding.line
        as_of = info.index if self.playhead is not None else None
        marks = marks_for(sess, finding, file, line, as_of)
        code, rel = self._source_of(file)
        title = Text()
        if finding is not None:
            icon = SEVERITY_ICON.get(finding.severity, "•")
            title.append(f"{icon} {finding.kind}", "bold red" if finding.severity == "error"
                         else "bold yellow")
            title.append(f"  {one_line(rel)}:{line}\n", "bold")
            title.append(clean(finding.message))
        else:
            title.append(one_line(rel), "bold")
            title.append(f":{line}", "bold")
            title.append(f"  in {one_line(info.site.function)}", "dim")
            if info.run is not None and not info.run.ok:
                title.append(f"\n{one_line(info.run.exc or '')}: {one_line(info.run.msg or '')}",
                             "red")
        if code is None:
            title.append("\n(source not recorded in the trace)", "dim italic")
        self._q(SourcePane).show(title, finding is not None, file, code, line or None,
                                 finding is not None or not info.ok, marks)

    def _source_of(self, file: str | None) -> tuple[str | None, str]:
        """(the file's text: recorded in the trace, else from disk; its path as shown)."""
        if not file:
            return None, "?"
        st = self.view.state
        src = st.sources.get(file)
        code = src.text if src is not None and src.text is not None else None
        if code is None and file != "?":
            code = read_from_disk(file)
        cwd = st.header.get("cwd")
        rel = os.path.relpath(file, cwd) if cwd and file.startswith(cwd.rstrip("/") + "/") else file
        return code, rel

    def _show_failure(self, failure: ScriptFailure) -> None:
        """The script's uncaught exception, shown as a finding is: its line in the
        source pane (marked and highlighted) under its message."""
        code, rel = self._source_of(failure.file)
        title = Text()
        title.append("● the script failed", "bold red")
        if failure.line:
            title.append(f"  {one_line(rel)}:{failure.line}", "bold")
        title.append("\n")
        title.append(clean(failure.exception))
        title.append("\n(its traceback is in the Output pane)", "dim")
        if failure.file and code is None:
            title.append("\n(source not recorded in the trace)", "dim italic")
        marks = marks_for(None, None, failure.file, failure.line, failure=failure.type)
        self._q(SourcePane).show(title, True, failure.file, code, failure.line, True, marks)
        self._q(DetailPane).show(Text(clean(failure.headline())))

    def choose_finding(self, index: int) -> None:
        findings = self.view.findings
        if not findings:
            return
        index %= len(findings)
        self.finding_index = index
        finding = findings[index]
        self._q(FindingsPanel).show_index(index)
        table = self._q(EventsTable)
        if finding.event is None:
            if self.playhead is not None and self.view.rows:
                # Replay: a finding about no event (a leak) is about the end of the run.
                self._chosen_finding = finding
                self.set_playhead(len(self.view.rows) - 1)
            self._show_finding_without_event(finding)
            return
        row = self.view.nearest_row(finding.event)
        if row is None:
            self._show_finding_without_event(finding)
            return
        ref = self.view.rows[row]
        if table.filtered is not None and not table.shows(ref):
            self._clear_filters(keep=ref)
        self.follow = False
        self._chosen_finding = finding
        table.select_ref(ref)  # the nearest row when the finding's event has none

    def _show_finding_without_event(self, finding: Finding) -> None:
        """A finding about no single event (a leak, say): its line and message."""
        site = Site(0, finding.file, finding.line, finding.function)
        info = EventInfo(-1, -1, 0, finding.session, "finding", site, None, False)
        self._show_source(info, finding)
        self._q(DetailPane).show(Text(clean(finding.message)))

    @on(Timeline.Clicked)
    def _timeline_clicked(self, msg: Timeline.Clicked) -> None:
        """Select the event of that session nearest to the clicked time."""
        view = self.view
        rows = view.session_rows.get(msg.session)
        if not rows:
            return
        i = bisect.bisect_left(rows, msg.ts, key=lambda ref: view.info(ref).ts)
        near = [r for r in rows[max(0, i - 1):i + 1]]
        ref = min(near, key=lambda r: abs(view.info(r).ts - msg.ts))
        table = self._q(EventsTable)
        if table.filtered is not None and not table.shows(ref):
            self._clear_filters()
        self.follow = False
        table.select_ref(ref)

    @on(FindingsPanel.Chosen)
    def _finding_chosen(self, msg: FindingsPanel.Chosen) -> None:
        self.choose_finding(msg.index)

    # -- filters -----------------------------------------------------------------------------------
    def _filtered(self, rows: list[int]) -> list[int]:
        """`rows` that pass the session filter and the search."""
        st = self.view.state
        if self.session_filter is not None:
            sid, runs, life = self.session_filter, st.runs.session, st.lifecycle
            rows = [r for r in rows if (runs[r] if r >= 0 else life[~r].session) == sid]
        if self.search:
            rows = self.view.search(rows, self.search)
        return rows

    def _apply_filters(self) -> None:
        table = self._q(EventsTable)
        keep = self.selected_ref
        if self.session_filter is None and not self.search:
            self._filtered_upto = 0
            table.set_filter(None, keep)
        elif not self.search:
            # One session: the view keeps its rows (and grows them), nothing to copy.
            table.set_filter(self.view.rows_of_session(self.session_filter), keep)
        else:
            rows = self.view.rows
            if self.session_filter is not None:
                rows = self.view.session_rows.get(self.session_filter, [])
            table.set_filter(self._filtered(rows), keep)
            self._filtered_upto = len(self.view.rows)
        self._q(Timeline).session_filter = self.session_filter
        self._q(Timeline).refresh()
        self._update_status()

    def _extend_filter(self) -> None:
        table = self._q(EventsTable)
        if table.filtered is None or not self.search:
            return
        rows = self.view.rows
        table.filtered.extend(self._filtered(rows[self._filtered_upto:]))
        self._filtered_upto = len(rows)

    def _clear_filters(self, keep: int | None = None) -> None:
        self.session_filter = None
        self.search = None
        search = self._q("#search", Input)
        search.value = ""
        search.display = False
        self._apply_filters()
        if keep is not None:
            self._q(EventsTable).select_ref(keep)

    # -- actions -------------------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        self._q(EventsTable).action_move(delta)

    def action_next_finding(self, direction: int) -> None:
        findings = self.view.findings
        if not findings:
            self.notify("No findings.", timeout=2)
            return
        if self.playhead is not None and self.view.rows:
            rows = self.view.rows
            index = playhead.finding_step(findings, self.view.event_index(rows[self.playhead]),
                                          self.playhead == len(rows) - 1, self.finding_index,
                                          direction)
            if index is None:  # none that way: round again, as without a playhead
                index = 0 if direction > 0 else len(findings) - 1
        elif self.finding_index is None:
            index = 0 if direction > 0 else len(findings) - 1
        else:
            index = self.finding_index + direction
        self.choose_finding(index)

    def action_session_filter(self) -> None:
        st = self.view.state
        ids = [s.id for s in st.user_sessions()] if st else []
        if not ids:
            self.notify("No sessions yet.", timeout=2)
            return
        if self.session_filter not in ids:
            self.session_filter = ids[0]
        else:
            i = ids.index(self.session_filter) + 1
            self.session_filter = ids[i] if i < len(ids) else None
        self._apply_filters()

    def action_search(self) -> None:
        search = self._q("#search", Input)
        search.display = True
        search.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, msg: Input.Submitted) -> None:
        self.search = msg.value.strip() or None
        self._apply_filters()
        self._q(EventsTable).focus()
        if self.search is None:
            msg.input.display = False

    def action_clear_filters(self) -> None:
        self._q("#goto").display = False
        self._clear_filters(keep=self.selected_ref)
        self._q(EventsTable).focus()

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        if self.follow:
            table = self._q(EventsTable)
            table.move_to(len(table.rows) - 1, user=False)
        self._update_status()

    def action_cycle_pane(self, direction: int) -> None:
        focused = self.focused
        current = None
        for name in PANES:
            pane = self._q(f"#{name}")
            if focused is not None and (focused is pane or pane in focused.ancestors):
                current = name
        i = PANES.index(current) if current in PANES else -1
        name = PANES[(i + direction) % len(PANES)]
        self.focus_pane(name)

    def focus_pane(self, name: str) -> None:
        target = self._q(f"#{name}")
        if name == "source":
            target = target.code
        if name in LOWER and self.shown_lower != name:
            self._show_lower(name)
            # A pane that was hidden takes the focus once it is displayed.
            self.call_after_refresh(target.focus)
            return
        target.focus()

    def action_details(self) -> None:
        self.focus_pane("detail")

    # -- replay: the playhead ----------------------------------------------------------------
    @property
    def footer_mode(self) -> str:
        """The mode whose keys the footer shows (modes.py): live while the script runs,
        post-mortem for a recorded trace and once the script has exited."""
        if self.source.live and not (self.exited and self.view.final):
            return modes.LIVE
        return modes.POST_MORTEM

    def _post_mortem_ready(self) -> bool:
        """Whether the playhead keys can start a playhead now (a finished trace)."""
        return self.view.final and bool(self.view.rows)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in self.REPLAY_ACTIONS and self.playhead is None:
            if self._post_mortem_ready():
                return True  # (the live view after the script: the first use starts one)
            if self.view.final:
                return None  # a trace with no event: nothing to play (shown, dimmed)
            # A trace still loading: shown, dimmed. While the script runs they are not
            # in the footer (modes.py), and pressed they say when they will work.
            return True if self.source.live else None
        return True

    def _row_ts(self, pos: int) -> int:
        view = self.view
        ref = view.rows[pos]
        st = view.state
        return st.runs.ts[ref] if ref >= 0 else st.lifecycle[~ref].ts

    def _playhead_words(self) -> list[str]:
        n = len(self.view.rows)
        pos = min(self.playhead or 0, n - 1)
        ts = self._row_ts(pos) if n else 0
        speed = playhead.SPEEDS[self.speed_index]
        label = "max" if speed == float("inf") else f"{speed:g}x"
        shown = self._q(FindingsPanel).upto if self.view.findings else 0
        words = [f"{'playing' if self.playing else 'paused'} {label} · event {pos + 1}/{n} · "
                 f"t {ts / 1e9:.3f}s · {shown} found so far"]
        if self.gap_note:
            words.append(self.gap_note)
        return words

    def _apply_playhead(self) -> None:
        """Every pane as of the playhead."""
        view, st = self.view, self.view.state
        n = len(view.rows)
        if self.playhead is None or st is None or not n:
            return
        pos = self.playhead = max(0, min(self.playhead, n - 1))
        applied = (pos, n, view.version, id(view.findings))
        if applied == self._applied:  # (a move is applied, then its selection arrives)
            self._update_status()
            return
        self._applied = applied
        event = view.event_index(view.rows[pos])
        ts = self._row_ts(pos)
        final = pos == n - 1
        table = self._q(EventsTable)
        if table.playhead != event:
            table.playhead = event
            table.refresh()
        timeline = self._q(Timeline)
        timeline.playhead = (event, max(ts, view.end_ts()) if final else ts)
        timeline.refresh()
        self._q(FindingsPanel).set_findings(
            view.findings, len(playhead.findings_upto(view.findings, event, final)))
        count = len(st.output) if final else playhead.output_upto(self._out_ts, ts)
        self._q(OutputPane).show_upto(st.output, count)
        self._update_status()

    def set_playhead(self, pos: int) -> None:
        """Move the playhead to row `pos`; the selection follows."""
        rows = self.view.rows
        if self.playhead is None or not rows:
            return
        pos = max(0, min(pos, len(rows) - 1))
        self.playhead = pos
        self.follow = False
        table = self._q(EventsTable)
        if table.filtered is not None and not table.shows(rows[pos]):
            self._clear_filters()
        table.select_ref(rows[pos])
        self._apply_playhead()

    def _replay_only(self) -> None:
        if self.playhead is None:
            if not self._post_mortem_ready():
                if self.source.live and not self.view.final:
                    self.notify("Play, step and go to (space . , t) work once the script has "
                                "exited.", timeout=3)
                raise SkipAction()
            self._start_playhead()

    def _start_playhead(self) -> None:
        """The live view after the script exited: a playhead key puts the playhead on
        the selected event (the panes then show the run as of it, as in a replay)."""
        view = self.view
        row = None
        if self.selected_ref is not None:
            row = view.row_of_event(view.event_index(self.selected_ref))
        self.playhead = len(view.rows) - 1 if row is None else row
        self._out_ts = [o.ts for o in view.state.output]
        self._applied = None
        self.refresh_bindings()
        self._apply_playhead()

    def action_step(self, delta: int) -> None:
        self._replay_only()
        self.set_playhead(self.playhead + delta)

    def action_edge(self, end: int) -> None:
        self._replay_only()
        self.set_playhead(len(self.view.rows) - 1 if end else 0)

    def _step_run(self, direction: int) -> None:
        view = self.view
        if self.selected_ref is None:
            return
        info = view.info(self.selected_ref)
        srows = view.session_rows.get(info.session, [])
        i = playhead.step_among(lambda k: view.event_index(srows[k]), len(srows), info.index,
                                direction, lambda k: srows[k] >= 0)
        if i is None:
            self.notify(f"No {'later' if direction > 0 else 'earlier'} run of session "
                        f"#{info.session}.", timeout=2, markup=False)
            return
        row = view.row_of_event(view.event_index(srows[i]))
        if row is not None:
            self.set_playhead(row)

    def action_speed(self, index: int) -> None:
        self._replay_only()
        self.speed_index = max(0, min(index, len(playhead.SPEEDS) - 1))
        self._update_status()

    def action_speed_step(self, direction: int) -> None:
        self._replay_only()
        self.action_speed(self.speed_index + direction)

    def action_play(self) -> None:
        self._replay_only()
        if self.playing:
            self.playing = False
        else:
            if self.playhead >= len(self.view.rows) - 1:
                self.set_playhead(0)  # at the end: play again from the start
            self.playing = True
            self._carry = 0.0
            self._play_last = time.monotonic()
            if self._play_timer is None:
                self._play_timer = self.set_interval(PLAY_INTERVAL, self._play_tick)
        self._update_status()

    @_while_mounted
    def _play_tick(self) -> None:
        if not self.playing or self.playhead is None:
            return
        now = time.monotonic()
        dt, self._play_last = now - self._play_last, now
        n = len(self.view.rows)
        speed = playhead.SPEEDS[self.speed_index]
        pos = self.playhead
        if speed == float("inf"):
            new = pos + max(1, n // 100)
        else:
            self._carry += dt * speed * 1e9
            new, self._carry, gap = playhead.advance(self._row_ts, n, pos, self._carry)
            if gap:
                self.gap_note = f"idle {gap / 1e9:.1f}s played as 1s"
        if new >= n - 1:
            new = n - 1
            self.playing = False
        if new != pos:
            self.set_playhead(new)
        else:
            self._update_status()

    def action_goto(self) -> None:
        self._replay_only()
        box = self._q("#goto", Input)
        box.value = ""
        box.display = True
        box.focus()

    @on(Input.Submitted, "#goto")
    def _goto_submitted(self, msg: Input.Submitted) -> None:
        # The keys typed from now on are the table's (a `]` right after enter went into
        # the box while it waited to close); hiding the box comes after the jump's frame.
        self._q(EventsTable).focus()
        self.call_after_refresh(self._close_goto)
        try:
            what, value = playhead.parse_goto(msg.value)
        except ValueError:
            self.notify("Go to: seconds (1.5) or an event number (#123).", severity="warning",
                        timeout=3, markup=False)
            return
        if what == "event":
            self.set_playhead(int(value) - 1)
        else:
            self.set_playhead(playhead.position_at_time(self._row_ts, len(self.view.rows),
                                                        int(value * 1e9)))

    @_while_mounted
    def _close_goto(self) -> None:
        self._q("#goto").display = False
        self._q(EventsTable).focus()

    def action_zoom(self, factor: float) -> None:
        self._q(Timeline).zoom(factor)

    def action_pan(self, direction: int) -> None:
        if self.playhead is not None:
            self._step_run(direction)  # replay: `[` `]` are the session's runs
            return
        self._q(Timeline).pan(direction)

    def action_help(self) -> None:
        # Imported here: Markdown's import costs ~50 ms of the first frame.
        from inspector.tui.help_screen import HelpScreen, help_markdown

        self.push_screen(HelpScreen(help_markdown(self.BINDINGS, self.footer_mode)))

    def editor_command(self) -> list[str] | None:
        st = self.view.state
        if st is None or self.selected_ref is None:
            return None
        info = self.view.info(self.selected_ref)
        finding = self.view.finding_for_event(info.index)
        file, line = (finding.file, finding.line) if finding else (info.site.file, info.site.line)
        if not file or file == "?":
            return None
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        return [*shlex.split(editor), f"+{line}", file]

    def action_open_editor(self) -> None:
        cmd = self.editor_command()
        if cmd is None:
            self.notify("No source line selected.", timeout=2)
            return
        try:
            with suspended(self):
                subprocess.run(cmd, check=False)
        except OSError as exc:
            self.notify(f"cannot run {cmd[0]}: {exc.strerror}", severity="error", markup=False)

    def action_interrupt(self) -> None:
        """ctrl+c: stop the script (SIGINT); pressed again, or with nothing running, quit."""
        if self.source.running and not self.interrupted:
            self.interrupted = self.source.interrupt()
            self.notify("Sent SIGINT to the script. ctrl+c again quits.", timeout=4)
            self._update_status()
            return
        self.exit(self.exit_code)

    def action_quit_app(self) -> None:
        if self.source.running:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.exit(self.exit_code)

            self.push_screen(ConfirmQuit(), answered)
            return
        self.exit(self.exit_code)
