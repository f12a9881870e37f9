"""The words of the status line (the script's state, time, counts, what is wrong with the
trace, the playhead) and of the empty panes ("no sessions yet" only while more can come).
"""

from __future__ import annotations

from inspector.analysis.model import Finding
from inspector.analysis.script_failure import script_failure
from inspector.tui.events_table import EventsTable
from inspector.tui.findings_panel import FindingsPanel
from inspector.tui.status_bar import StatusBar
from inspector.tui.timeline import Timeline


class StatusWords:
    """The InspectorApp's status line and empty-pane words."""

    def _init_status(self) -> None:
        self.problem: str | None = None
        self.disk_note: str | None = None
        self._errors: tuple[list | None, dict[str, int]] = (None, {})

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
            seconds = self.source.elapsed(st)
            if seconds is None:
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
        if state == "running":
            extra.extend(self.source.notes(st))
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
