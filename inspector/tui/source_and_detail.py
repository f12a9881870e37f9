"""What the source and detail panes show for the selection: the event's line (or its
finding's, or the script's uncaught exception's) with the session's marks, and every
field of the event. Drawn once the keys already queued are handled (selection.py).
"""

from __future__ import annotations

import os

from rich.text import Text

from inspector.analysis.model import Finding, Site, known_file
from inspector.analysis.script_failure import ScriptFailure
from inspector.tui.detail_pane import DetailPane, describe
from inspector.tui.findings_panel import SEVERITY_ICON, FindingsPanel
from inspector.tui.mounted import while_mounted
from inspector.tui.places import in_function, site_place
from inspector.tui.source_marks import marks_for
from inspector.tui.source_pane import SourcePane, read_from_disk
from inspector.tui.text import clean, one_line
from inspector.tui.view import EventInfo


class SourceAndDetail:
    """The InspectorApp's source and detail panes, as of the selection."""

    @while_mounted
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
        file, line, cell = info.site.file, info.site.line, info.site.cell
        if finding is not None:
            file, line, cell = finding.file, finding.line, finding.cell
        as_of = info.index if self.playhead is not None else None
        marks = marks_for(sess, finding, file, line, as_of)
        code, rel = self._source_of(file)
        title = Text()
        if finding is not None:
            icon = SEVERITY_ICON.get(finding.severity, "•")
            title.append(f"{icon} {finding.kind}", "bold red" if finding.severity == "error"
                         else "bold yellow")
            title.append(f"  {one_line(site_place(file, line, cell, lambda _: rel))}\n", "bold")
            title.append(clean(finding.message))
        else:
            title.append(one_line(site_place(file, line, cell, lambda _: rel)), "bold")
            if in_function(info.site.function):
                title.append(f"  {one_line(in_function(info.site.function).lstrip())}", "dim")
            if info.run is not None and not info.run.ok:
                title.append(f"\n{one_line(info.run.exc or '')}: {one_line(info.run.msg or '')}",
                             "red")
        if code is None and known_file(file) is not None:  # (no place: said above)
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

    def _show_finding_without_event(self, finding: Finding) -> None:
        """A finding about no single event (a leak, say): its line and message."""
        site = Site(0, finding.file, finding.line, finding.function)
        info = EventInfo(-1, -1, 0, finding.session, "finding", site, None, False)
        self._show_source(info, finding)
        self._q(DetailPane).show(Text(clean(finding.message)))
