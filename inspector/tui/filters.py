"""The events table's filters: one session (`s`), a search (`/`), both cleared by `escape`.
A search over a growing trace is extended with each batch (`_extend_filter`).
"""

from __future__ import annotations

from textual.widgets import Input

from inspector.tui.events_table import EventsTable
from inspector.tui.timeline import Timeline


class Filters:
    """The InspectorApp's session filter and search."""

    def _init_filters(self) -> None:
        self.session_filter: int | None = None
        self.search: str | None = None
        self._filtered_upto = 0

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

    def search_entered(self, msg: Input.Submitted) -> None:
        self.search = msg.value.strip() or None
        self._apply_filters()
        self._q(EventsTable).focus()
        if self.search is None:
            msg.input.display = False

    def action_clear_filters(self) -> None:
        self._q("#goto").display = False
        self._clear_filters(keep=self.selected_ref)
        self._q(EventsTable).focus()
