"""The playhead of a finished trace and its keys: play/pause and its timer, step (`.` `,`),
the session's previous/next run (`[` `]`), start/end (`g` `G`), go to (`t`), speed.

The playhead is a position in the view's rows (None: no playhead, the live view while
the script runs); every pane shows the run as of it (`_apply_playhead`). In the live view
once the script has exited, the first playhead key starts one on the selected event.
"""

from __future__ import annotations

import time

from textual.actions import SkipAction
from textual.widgets import Input

from inspector.analysis import playhead
from inspector.tui.events_table import EventsTable
from inspector.tui.findings_panel import FindingsPanel
from inspector.tui.mounted import while_mounted
from inspector.tui.output_pane import OutputPane
from inspector.tui.timeline import Timeline

PLAY_INTERVAL = 0.05  # replay: the playhead moves at most 20 times a second


class Playback:
    """The InspectorApp's playhead: where it is, how it moves, what the panes show of it."""

    def _init_playback(self) -> None:
        # Replay: the playhead is a position in view.rows (None: no playhead, live mode).
        self.playhead: int | None = None
        self.playing = False
        self.speed_index = 1
        self._play_timer = None
        self._play_last = 0.0
        self._carry = 0.0
        self.gap_note: str | None = None
        self._out_ts: list[int] = []
        self._applied: tuple | None = None  # the playhead last drawn (_apply_playhead)

    def _post_mortem_ready(self) -> bool:
        """Whether the playhead keys can start a playhead now (a finished trace)."""
        return self.view.final and bool(self.view.rows)

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

    def action_pan(self, direction: int) -> None:
        if self.playhead is not None:
            self._step_run(direction)  # replay: `[` `]` are the session's runs
            return
        self._q(Timeline).pan(direction)

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

    @while_mounted
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

    def goto_entered(self, msg: Input.Submitted) -> None:
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

    @while_mounted
    def _close_goto(self) -> None:
        self._q("#goto").display = False
        self._q(EventsTable).focus()
