"""Device memory: the ``mem`` events of a trace as series, and what the report says of them.

Read API (for the live view and replay; `state.memory` is a `MemoryStore`):

- ``state.memory.keys()`` -> ``[(device, source), ...]``: the series present, CPU:0
  first, ``rss`` before ``allocator`` (e.g. ``("CPU:0", "rss")``, ``("GPU:0", "allocator")``).
- ``state.memory.series(device, source)`` -> ``(ts, cur)``: two ``array('q')`` of equal
  length, in trace order: the time of each sample (ns, as every ``ts``) and the bytes in
  use then. A value holds until the next sample (the agent writes a sample only when a
  figure changed). Empty arrays for a series that does not exist. The arrays are the
  store's own and grow as events arrive: read them, do not change them.
- ``state.memory.peaks(device, source)`` -> ``array('q')``: the peak the source reported
  with each sample (its peak since the process started; -1: none reported).
- ``state.memory.value_at(device, source, ts)`` -> ``(cur, peak)`` or None: the latest
  sample at or before `ts` (for a run's details: the memory when it started and ended).
- ``state.memory.version``: grows with every sample (a cheap "did anything change").
- ``state.memory.step_stats(run.ts, run.ts + run.dur, run.session)`` -> `StepStats` or
  None: what ``run --step-stats`` recorded for that run (per allocator: the most bytes
  seen in use during the step, bytes allocated by the step; the slowest ops).

Pure functions for the report: `summary(store)` (one entry per device and source) and
`session_peak(store, start_ts, end_ts, session)` (the most memory in use while a session
was open).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

_SOURCE_ORDER = {"rss": 0, "allocator": 1}
_LIMIT = 1 << 63


@dataclass(frozen=True, slots=True)
class StepStats:
    ts: int
    session: int
    allocators: tuple[tuple[str, int, int], ...]  # (name, most bytes seen in use, bytes allocated)
    slowest: tuple[tuple[str, int], ...]  # (op name, µs), slowest first
    ops: int


class _Series:
    __slots__ = ("ts", "cur", "peak", "session")

    def __init__(self) -> None:
        self.ts = array("q")
        self.cur = array("q")
        self.peak = array("q")  # -1: no peak reported
        self.session = array("q")  # the session a creation/close sample is tagged with, else 0


def _device_key(device: str) -> tuple:
    kind, _, num = device.partition(":")
    return (kind != "CPU", kind, int(num) if num.isdigit() else 0, device)


class MemoryStore:
    def __init__(self) -> None:
        self._series: dict[tuple[str, str], _Series] = {}
        self.version = 0
        self.steps: list[StepStats] = []  # `steps` events (run --step-stats), in trace order
        self._steps_ts: list[int] = []

    def add_steps(self, steps: StepStats) -> None:
        if self._steps_ts and steps.ts < self._steps_ts[-1]:
            return
        self.steps.append(steps)
        self._steps_ts.append(steps.ts)
        self.version += 1

    def step_stats(self, start: int, end: int, session: int) -> StepStats | None:
        """The step stats written during a run (from `start` to `end`) of that session."""
        i = bisect_left(self._steps_ts, start)
        while i < len(self.steps) and self._steps_ts[i] <= end:
            if self.steps[i].session == session:
                return self.steps[i]
            i += 1
        return None

    def add(self, ts: int, device: str, source: str, cur: int, peak: int = -1, session: int = 0) -> None:
        if not (-_LIMIT <= cur < _LIMIT and -_LIMIT <= peak < _LIMIT and -_LIMIT <= session < _LIMIT):
            return  # a trace is data: a figure that does not fit 64 bits is not a reading
        key = (device, source)
        s = self._series.get(key)
        if s is None:
            s = self._series[key] = _Series()
        if s.ts and ts < s.ts[-1]:
            ts = s.ts[-1]  # two threads' lines may land out of order by a hair: keep ts sorted
        s.ts.append(ts)
        s.cur.append(cur)
        s.peak.append(peak)
        s.session.append(session)
        self.version += 1

    def __len__(self) -> int:
        return sum(len(s.ts) for s in self._series.values())

    def __bool__(self) -> bool:
        return bool(self._series)

    def keys(self) -> list[tuple[str, str]]:
        return sorted(self._series, key=lambda k: (_device_key(k[0]), _SOURCE_ORDER.get(k[1], 9), k[1]))

    def series(self, device: str, source: str) -> tuple[array, array]:
        s = self._series.get((device, source))
        if s is None:
            return array("q"), array("q")
        return s.ts, s.cur

    def peaks(self, device: str, source: str) -> array:
        s = self._series.get((device, source))
        return s.peak if s is not None else array("q")

    def value_at(self, device: str, source: str, ts: int) -> tuple[int, int] | None:
        s = self._series.get((device, source))
        if s is None:
            return None
        i = bisect_right(s.ts, ts) - 1
        if i < 0:
            return None
        return s.cur[i], s.peak[i]

    def _raw(self, key: tuple[str, str]) -> _Series:
        return self._series[key]


def summary(store: MemoryStore) -> list[dict[str, Any]]:
    """`report`'s ``memory``: per device and source, the number of samples, the least in
    use and the peak (the larger of the most in use and the most the source reported as
    its peak, which also catches a peak between two samples)."""
    out = []
    for device, source in store.keys():
        s = store._raw((device, source))
        if not s.cur:
            continue
        out.append({
            "device": device,
            "source": source,
            "samples": len(s.cur),
            "min_bytes": min(s.cur),
            "peak_bytes": max(max(s.cur), max(s.peak)),
        })
    return out


def _series_peak(s: _Series, start: int, end: int | None, session: int) -> int | None:
    lo = bisect_left(s.ts, start)
    hi = len(s.ts) if end is None else bisect_right(s.ts, end)
    best = None
    for i in range(lo, hi):
        if best is None or s.cur[i] > best:
            best = s.cur[i]
    # The samples tagged with this session at its creation and close (written just after
    # the session's own event, so maybe a hair after `end`).
    j = hi
    while j < len(s.ts) and s.session[j] == session and session:
        if best is None or s.cur[j] > best:
            best = s.cur[j]
        hi = j + 1
        j += 1
    if best is None:
        return None
    # A reported peak that rose inside the window was reached inside it.
    base_i = lo - 1 if lo > 0 else lo
    base = s.peak[base_i] if base_i < hi else -1
    for i in range(base_i + 1, hi):
        if s.peak[i] > base and s.peak[i] > best:
            best = s.peak[i]
    return best


def session_peak(store: MemoryStore, start: int, end: int | None, session: int = 0) -> dict[str, dict[str, int]]:
    """The most memory in use while a session was open (from `start` to `end`, None: to
    the end of the trace), per device and source: ``{"CPU:0": {"rss": N, ...}, ...}``.
    Devices without a sample in that time are left out."""
    out: dict[str, dict[str, int]] = {}
    for device, source in store.keys():
        peak = _series_peak(store._raw((device, source)), start, end, session)
        if peak is not None:
            out.setdefault(device, {})[source] = peak
    return out


def format_bytes(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"
