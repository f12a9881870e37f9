"""The state of a recorded run *as of* a playhead (replay): pure functions over the
analysis state, no I/O and no UI.

A playhead is an event index of the trace (the `index` of a run or lifecycle event).
Everything here is O(log n) or O(items shown), so a key at a million events stays fast.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence

from inspector.analysis.model import Finding, SessionInfo

SPEEDS = (0.25, 1.0, 4.0, 16.0, math.inf)  # keys 1-5; inf: as fast as possible
GAP_LIMIT_NS = 1_000_000_000  # idle gaps longer than this play as this long


def session_phase(sess: SessionInfo, event: int) -> str:
    """"unborn" (created after `event`), "open" or "closed" as of `event`."""
    if sess.event > event:
        return "unborn"
    if sess.closed_event is not None and sess.closed_event <= event:
        return "closed"
    return "open"


def sessions_open_at(sessions: Sequence[SessionInfo], event: int) -> list[SessionInfo]:
    return [s for s in sessions if session_phase(s, event) == "open"]


def runs_upto(run_index: Sequence[int], event: int) -> int:
    """How many runs happened at or before `event` (`run_index`: RunStore.index, sorted)."""
    return bisect.bisect_right(run_index, event)


def findings_upto(findings: Sequence[Finding], event: int, final: bool = False) -> list[Finding]:
    """The findings whose event is at or before `event` (a prefix: findings come in
    event order). Findings about no event (a leak) count only at the end (`final`)."""
    out = []
    for f in findings:
        if f.event is None:
            if final:
                out.append(f)
        elif f.event <= event:
            out.append(f)
    return out


def finding_step(findings: Sequence[Finding], event: int, at_end: bool, current: int | None,
                 direction: int) -> int | None:
    """`n` (direction 1) / `N` (-1) in replay: the index of the next finding after the
    playhead's `event` (the previous one before it), None when there is none that way.

    `current` is the finding shown last: when it is at the playhead (about `event`, or
    about no event with the playhead at the end, `at_end`), its neighbour in the list
    comes next, so several findings about one event are gone through one by one.
    Findings about no event (a leak) come after every event."""
    if current is not None and 0 <= current < len(findings):
        f = findings[current]
        if (f.event == event) if f.event is not None else at_end:
            nxt = current + direction
            return nxt if 0 <= nxt < len(findings) else None
    if direction > 0:
        return next((i for i, f in enumerate(findings) if f.event is None or f.event > event), None)
    return next((i for i in range(len(findings) - 1, -1, -1)
                 if findings[i].event is not None and findings[i].event < event), None)


def output_upto(output_ts: Sequence[int], ts: int) -> int:
    """How many output chunks were written at or before `ts` (their times, sorted)."""
    return bisect.bisect_right(output_ts, ts)


def step_among(keys: Callable[[int], int], n: int, current: int, direction: int,
               accept: Callable[[int], bool] = lambda i: True) -> int | None:
    """Position of the next (previous) item after (before) event `current` in a list of
    n items sorted by `keys(i)` (an event index), skipping those not `accept`ed."""
    if direction > 0:
        i = bisect.bisect_right(range(n), current, key=keys)
        while i < n and not accept(i):
            i += 1
        return i if i < n else None
    i = bisect.bisect_left(range(n), current, key=keys) - 1
    while i >= 0 and not accept(i):
        i -= 1
    return i if i >= 0 else None


def parse_goto(text: str) -> tuple[str, float]:
    """`#123` -> ("event", 123); `1.5` or `1.5s` -> ("time", 1.5 seconds).
    Raises ValueError on anything else."""
    text = text.strip()
    if text.startswith("#"):
        n = int(text[1:])
        if n < 1:
            raise ValueError("event numbers start at 1")
        return "event", n
    if text.endswith("s"):
        text = text[:-1]
    seconds = float(text)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError("a time is a number of seconds, 0 or more")
    return "time", seconds


def position_at_time(times: Callable[[int], int], n: int, ts: int) -> int:
    """The last position whose time is at or before `ts` (0 if none)."""
    return max(0, bisect.bisect_right(range(n), ts, key=times) - 1)


def advance(times: Callable[[int], int], n: int, pos: int, carry_ns: float,
            limit_ns: int = GAP_LIMIT_NS) -> tuple[int, float, int]:
    """Play `carry_ns` of recorded time from position `pos` (items sorted by `times`).

    Returns (new position, time left over, longest idle gap compressed on the way, 0 if
    none). A gap longer than `limit_ns` costs `limit_ns`. Cost: O(log n) per gap longer
    than the window, not per item passed."""
    compressed = 0
    while pos + 1 < n:
        here = times(pos)
        gap = max(0, times(pos + 1) - here)
        if gap > limit_ns:
            if carry_ns < limit_ns:
                break
            carry_ns -= limit_ns
            compressed = max(compressed, gap)
            pos += 1
            continue
        if gap > carry_ns:
            break
        # Every gap inside a window of at most limit_ns is at most limit_ns: jump.
        window = here + min(carry_ns, limit_ns)
        j = bisect.bisect_right(range(n), window, lo=pos + 1, key=times) - 1
        j = max(j, pos + 1)
        carry_ns -= max(0, times(j) - here)
        pos = j
    return pos, max(0.0, carry_ns), compressed
