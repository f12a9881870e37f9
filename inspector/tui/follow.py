"""`tfsess-inspect follow TRACE`: the app on a trace that another process is writing (a
job recording itself through TFSESS_INSPECT_TRACE, a notebook's kernel, a
`tfsess-inspect run` in another terminal). It follows the trace as the live view does,
but owns no process: the script's state comes from the trace alone (running until its
`end`, then exited with its code), and a trace that stops growing is shown as
"no news for N s", never as hung. Once the writer ends it is a post-mortem, as usual."""

from __future__ import annotations

import time
from collections.abc import Callable

from inspector.analysis.follow import quiet_note
from inspector.analysis.state import TraceState
from inspector.tui.sources import TraceFile


class FollowedTrace(TraceFile):
    """A growing trace written by a process of someone else's."""

    live = True  # the live view's ways: follow new events, the now-line, findings as they come
    owns_no_script = True  # ctrl+c and q close the app and nothing else (the footer says so)

    def __init__(self, path: str, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        super().__init__(path, follow=True)
        self.clock = clock
        self.wall = wall
        self.last_news = clock()
        self._code: int | None = None

    @property
    def running(self) -> bool:
        return False  # not ours: quitting neither asks nor stops anything

    @property
    def exit_code(self) -> int | None:
        return self._code

    def poll(self):
        offset = self.tail.offset
        events, final = super().poll()
        if events or self.tail.offset != offset:
            self.last_news = self.clock()
        for ev in events[-3:]:
            if ev.get("ev") == "end" and isinstance(ev.get("code"), int):
                self._code = ev["code"]
        return events, final

    def wait(self, timeout: float | None = None) -> int | None:
        return self._code

    def notes(self, state: TraceState | None) -> list[str]:
        """What the status bar adds: how long the writer has been quiet."""
        note = quiet_note(state, self.clock() - self.last_news)
        return [note] if note else []

    def elapsed(self, state: TraceState | None) -> float | None:
        """Since the writer started (the header's wall clock), not since we opened it."""
        start = state.header.get("start_wall") if state is not None else None
        if not isinstance(start, (int, float)) or isinstance(start, bool):
            return None
        return max(0.0, self.wall() - start)


def run_follow(path: str) -> int:
    """The app on a trace being written; returns 0 (the writer's exit code is its own).
    Raises TraceError before opening the app if the file is not a trace."""
    from inspector.trace.reader import check_trace_file
    from inspector.tui.app import InspectorApp

    check_trace_file(path)
    InspectorApp(FollowedTrace(path)).run()
    return 0
