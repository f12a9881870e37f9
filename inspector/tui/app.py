"""The inspector app: one screen of panes over a `TraceView`, fed by an event source.

This class composes the screen, declares the keys (modes.py says which mode offers
which) and routes messages; each concern it holds lives in a module of its own, mixed
in here and sharing the app's fields:

- trace_feed.py: the poller thread, feeding its reads in slices, the panes' redraw
  schedule, the start of the post-mortem (and the cyclic GC held off then);
- playback.py: the playhead and its keys (play, step, `[` `]` in replay, go to, speed);
- selection.py: the selected event and the chosen finding (cursor, `n`/`N`, follow);
- source_and_detail.py: what the source and detail panes show for the selection;
- filters.py: the session filter and the search;
- status_words.py: the status line's words and the empty panes' words;
- pane_layout.py: where the panes are, `tab`, the focused pane, zoom;
- leaving.py: `$EDITOR`, ctrl+c to the script, quitting.
"""

from __future__ import annotations

import functools
import time

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid
from textual.widgets import Input

from inspector.tui import modes
from inspector.tui._textual_compat import draw_up_to
from inspector.tui.detail_pane import DetailPane
from inspector.tui.events_table import EventsTable
from inspector.tui.filters import Filters
from inspector.tui.findings_panel import FindingsPanel
from inspector.tui.key_footer import KeyFooter
from inspector.tui.leaving import Leaving
from inspector.tui.messages import ScriptExited, TraceProblem, TraceReady
from inspector.tui.mounted import while_mounted
from inspector.tui.output_pane import OutputPane
from inspector.tui.pane_layout import PaneLayout
from inspector.tui.playback import Playback
from inspector.tui.selection import Selection
from inspector.tui.source_and_detail import SourceAndDetail
from inspector.tui.source_pane import SourcePane
from inspector.tui.sources import TraceFile
from inspector.tui.status_bar import StatusBar
from inspector.tui.status_words import StatusWords
from inspector.tui.text import clean
from inspector.tui.timeline import Timeline
from inspector.tui.trace_feed import TraceFeed
from inspector.tui.view import TraceView

FRAME_RATE = 240  # frames a second at most (Textual's default, 60, adds up to 17 ms to a key)


class InspectorApp(TraceFeed, Playback, Selection, SourceAndDetail, Filters, StatusWords,
                   PaneLayout, Leaving, App[int | None]):
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
        self._started = clock()
        self._main_screen = None
        self._init_feed()
        self._init_playback()
        self._init_selection()
        self._init_filters()
        self._init_status()
        self._init_layout()
        self._init_leaving()

    # -- the screen ----------------------------------------------------------------------
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
        self.start_feed()

    def on_unmount(self) -> None:
        self.stop_feed()

    # -- the modes: which keys work now ----------------------------------------------------
    @property
    def footer_mode(self) -> str:
        """The mode whose keys the footer shows (modes.py): live while the script runs,
        post-mortem for a recorded trace and once the script has exited."""
        if self.source.live and not (self.exited and self.view.final):
            return modes.LIVE
        return modes.POST_MORTEM

    @property
    def footer_words(self) -> dict[str, str]:
        """Other words for some keys: a followed trace's writer is not ours to stop, so
        ctrl+c only closes the app (leaving.py)."""
        return modes.FOLLOW_WORDS if getattr(self.source, "owns_no_script", False) else {}

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

    def action_help(self) -> None:
        # Imported here: Markdown's import costs ~50 ms of the first frame.
        from inspector.tui.help_screen import HelpScreen, help_markdown

        self.push_screen(HelpScreen(help_markdown(self.BINDINGS, self.footer_mode)))

    # -- messages: routed to the module that handles them -----------------------------------
    @while_mounted
    def on_trace_ready(self, msg: TraceReady) -> None:
        self.feed_inbox()  # trace_feed.py

    @while_mounted
    def on_trace_problem(self, msg: TraceProblem) -> None:
        self.problem = msg.text
        self._update_status()
        self.notify(clean(msg.text), severity="error", markup=False, timeout=10)

    @while_mounted
    def on_script_exited(self, msg: ScriptExited) -> None:
        self.exited = True
        self.exit_code = msg.code
        self.refresh_bindings()  # (the footer: the post-mortem keys)
        self._say_what_is_true()
        self._update_status()

    @while_mounted
    def on_descendant_focus(self, event) -> None:
        self.light_focused_pane(event.widget)  # pane_layout.py

    def on_resize(self, event) -> None:
        self._layout_for(event.size.width, event.size.height)

    @on(EventsTable.Moved)
    @while_mounted
    def _table_moved(self, msg: EventsTable.Moved) -> None:
        self.table_cursor_moved(msg)  # selection.py

    @on(Timeline.Clicked)
    def _timeline_clicked(self, msg: Timeline.Clicked) -> None:
        self.timeline_clicked(msg)  # selection.py

    @on(FindingsPanel.Chosen)
    def _finding_chosen(self, msg: FindingsPanel.Chosen) -> None:
        self.choose_finding(msg.index)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, msg: Input.Submitted) -> None:
        self.search_entered(msg)  # filters.py

    @on(Input.Submitted, "#goto")
    def _goto_submitted(self, msg: Input.Submitted) -> None:
        self.goto_entered(msg)  # playback.py
