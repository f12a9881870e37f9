"""The selected event and the chosen finding: the table's cursor moved (by keys, a click on
the timeline, `n`/`N`), following new events (`f`), and what the selection shows at once
(the timeline's marker, the playhead); the source and detail panes follow a little later
(source_and_detail.py).
"""

from __future__ import annotations

import bisect

from inspector.analysis import playhead
from inspector.analysis.model import Finding
from inspector.tui.events_table import EventsTable
from inspector.tui.findings_panel import FindingsPanel
from inspector.tui.timeline import Timeline


class Selection:
    """The InspectorApp's selection: which event, which finding."""

    def _init_selection(self) -> None:
        self.follow = True
        self.selected_ref: int | None = None
        self.finding_index: int | None = None
        self._chosen_finding: Finding | None = None
        self._panes_pending = False

    def table_cursor_moved(self, msg: EventsTable.Moved) -> None:
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

    def action_move(self, delta: int) -> None:
        self._q(EventsTable).action_move(delta)

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        if self.follow:
            table = self._q(EventsTable)
            table.move_to(len(table.rows) - 1, user=False)
        self._update_status()

    def timeline_clicked(self, msg: Timeline.Clicked) -> None:
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
