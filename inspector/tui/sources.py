"""Where the app's events come from: a trace file, followed as it grows, and
optionally the child process writing it.

`TraceFile` reads a finished trace (replay) or follows a growing one;
`LiveScript` adds the script's process: it starts it, waits for it in a thread, and
can interrupt or kill it. The app polls `poll()` from a worker thread; nothing here
touches a widget.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from typing import Any

from inspector.launch import ScriptProcess
from inspector.trace.merge import MergedTail

POLL_INTERVAL = 0.05  # 20 Hz
MAX_BATCH_BYTES = 4 * 1024 * 1024  # a huge trace arrives in several batches
# Following a growing trace, reads are smaller: the app feeds them in short slices
# while the script goes on (inspector/tui/inbox.py), and a read is held in memory.
FOLLOW_BATCH_BYTES = 512 * 1024


class TraceFile:
    """A trace on disk. `follow=False`: read it to its end once (replay).
    `follow=True`: keep reading until its `end` event (or `stop()`)."""

    live = False

    def __init__(self, path: str, follow: bool = False) -> None:
        self.path = path
        self.follow = follow
        # Successful run lines in column batches: no dict per run (inspector/trace/reader.py);
        # the script's child processes' traces merged in (inspector/trace/merge.py).
        self.tail = MergedTail(path, bulk_runs=True, hold_back=not follow)
        self.batch_bytes = FOLLOW_BATCH_BYTES if follow else MAX_BATCH_BYTES
        self.stopped = threading.Event()
        self._ended = False  # saw the `end` event
        self.start_error: str | None = None

    # What the status bar shows before the header arrives.
    @property
    def title(self) -> str:
        return self.path

    @property
    def running(self) -> bool:
        return False

    @property
    def exit_code(self) -> int | None:
        return None

    def start(self) -> None:
        pass

    def poll(self) -> tuple[list[dict[str, Any]], bool]:
        """One read of what was appended. Returns (events, final)."""
        offset = self.tail.offset
        events = self.tail.read_new(self.batch_bytes)
        if any(ev.get("ev") == "end" for ev in events[-3:]):
            self._ended = True
        if events or self.tail.offset != offset:  # (a line longer than a batch: go on)
            return events, False
        if self._ended or not self.follow or self.stopped.is_set() or self._child_done():
            # Read what the child may have written between our read and its end.
            events = self.tail.read_new(self.batch_bytes)
            if events or self.tail.offset != offset:
                return events, False
            events = self.tail.feed(b"", final=True)
            return events, True
        return [], False

    def _child_done(self) -> bool:
        return False

    def interrupt(self) -> bool:
        return False

    def kill(self) -> None:
        pass

    def stop(self) -> None:
        self.stopped.set()

    def wait(self, timeout: float | None = None) -> int | None:
        return None

    def notes(self, state: Any) -> list[str]:
        """What the status line adds about the trace's writer (tui/follow.py: how long
        it has been quiet)."""
        return []

    def elapsed(self, state: Any) -> float | None:
        """Seconds the writer has been running, when the source knows better than the
        app's own clock (a trace opened long after its writer started)."""
        return None


class LiveScript(TraceFile):
    """Run a script under the agent and follow the trace it writes."""

    live = True

    def __init__(self, target: str, args: list[str], trace_path: str, as_module: bool = False,
                 python: str | None = None, memory_interval: float | None = None,
                 step_stats: bool = False) -> None:
        super().__init__(trace_path, follow=True)
        self.target = target
        self.args = list(args)
        self.as_module = as_module
        self.process = ScriptProcess(target, self.args, trace_path, as_module=as_module,
                                     python=python or sys.executable, passthrough=False,
                                     memory_interval=memory_interval, step_stats=step_stats)
        self._code: int | None = None
        self._done = threading.Event()
        self._waiter: threading.Thread | None = None
        self.started_at: float | None = None
        self.signals_sent: list[int] = []

    @property
    def title(self) -> str:
        return " ".join([("-m " if self.as_module else "") + self.target, *self.args])

    @property
    def running(self) -> bool:
        return self._waiter is not None and not self._done.is_set()

    @property
    def exit_code(self) -> int | None:
        return self._code

    def start(self) -> None:
        """Start the child (truncates the trace first), then wait for it in a thread."""
        self.started_at = time.monotonic()
        self.process.start()
        self._waiter = threading.Thread(target=self._wait, name="tfsess-wait", daemon=True)
        self._waiter.start()

    def _wait(self) -> None:
        try:
            self._code = self.process.wait()  # appends the `end` event
        finally:
            self._done.set()

    def _child_done(self) -> bool:
        return self._done.is_set()

    def interrupt(self) -> bool:
        """SIGINT to the script, as ctrl+c would without us. False if it is not running."""
        if not self.running:
            return False
        self.signals_sent.append(signal.SIGINT)
        self.process.send_signal(signal.SIGINT)
        return True

    def kill(self) -> None:
        """SIGTERM, then SIGKILL if the script is still there after a moment."""
        if not self.running:
            return
        self.signals_sent.append(signal.SIGTERM)
        self.process.send_signal(signal.SIGTERM)
        if not self._done.wait(1.0):
            self.signals_sent.append(signal.SIGKILL)
            self.process.send_signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int | None:
        if self._waiter is None:
            return None
        self._done.wait(timeout)
        return self._code
