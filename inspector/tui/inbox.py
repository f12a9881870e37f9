"""What the poller thread read and the app has not taken yet: bounded and coalesced.

A script making tens of thousands of runs a second fills the trace faster than the
app can draw it. If the poller posted a message per read, the app's message queue
would grow without bound and a key press would wait behind every read queued before
it. Instead the poller puts its reads here and posts one wake-up message only while
none is outstanding; the app takes reads a slice at a time and posts itself another
wake-up, so key presses get their turn between slices. When the app falls behind,
`wait_for_room` holds the poller back: the events wait in the file (nothing is lost),
not in memory.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass
class Read:
    """One poll of the trace."""

    events: list[dict[str, Any]]
    header: dict[str, Any] | None
    final: bool
    cut: bool
    bad_lines: int


def weight(events: list[dict[str, Any]]) -> int:
    """Roughly what feeding `events` costs, in events (a column batch of n runs counts
    for n/8: it is fed as arrays, not line by line)."""
    w = len(events)
    for ev in events:
        if ev.get("ev") == "runs":
            w += ev.get("n", 0) // 8
    return w


class Inbox:
    def __init__(self, max_weight: int = 20_000) -> None:
        self.max_weight = max_weight
        self._reads: deque[tuple[Read, int]] = deque()
        self._weight = 0
        self._woken = False  # a wake-up message is on its way to the app
        self._cond = threading.Condition()

    def put(self, read: Read) -> bool:
        """Add a read. True if the caller must post a wake-up (none is outstanding)."""
        w = weight(read.events)
        with self._cond:
            self._reads.append((read, w))
            self._weight += w
            if self._woken:
                return False
            self._woken = True
            return True

    def put_back(self, read: Read) -> None:
        """Return the untaken rest of a read to the front (the app's slice ran out)."""
        w = weight(read.events)
        with self._cond:
            self._reads.appendleft((read, w))
            self._weight += w
            self._woken = True  # the app posts itself the next wake-up

    def wait_for_room(self, stop: threading.Event) -> None:
        """Block the poller while the app has more than `max_weight` untaken."""
        with self._cond:
            while self._weight > self.max_weight and not stop.is_set():
                self._cond.wait(0.1)

    def take(self) -> Read | None:
        """The oldest read, or None; None also means the next `put` wakes the app."""
        with self._cond:
            if not self._reads:
                self._woken = False
                return None
            read, w = self._reads.popleft()
            self._weight -= w
            self._cond.notify_all()
            return read

    def __len__(self) -> int:
        with self._cond:
            return len(self._reads)
