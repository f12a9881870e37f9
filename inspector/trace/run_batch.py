"""Successful runs as columns: the event readers make instead of a dict per run."""

from __future__ import annotations

from array import array


class RunBatch(dict):
    """A streak of consecutive successful run lines, as columns instead of one dict per
    line (a million runs would be a million dicts). It is an event of type ``runs``
    that only readers make (never in a file); `StateBuilder` takes it whole. Produced
    only for a `TraceTail(..., bulk_runs=True)`.

    `session`, `ts`, `dur`: one 64-bit integer per run; `rests`: the distinct fixed
    tails of the lines (`"k":...,"pid":N`: kind, call site, fetches, thread, pid), and
    `rest_code` each run's position in `rests`. `one_session`: the session of every
    run when they all have the same (a training loop), else None. `sequential`: known to
    be one after another (each starts after the one before ended: one call site's runs
    on one thread), so sorted by time and ending with the last."""

    __slots__ = ("session", "ts", "dur", "rests", "rest_code", "one_session", "sequential")

    def __init__(self, session: array, ts: array, dur: array, rests: list[bytes],
                 rest_code: array, one_session: int | None = None,
                 sequential: bool = False) -> None:
        super().__init__(ev="runs", n=len(ts))
        self.session, self.ts, self.dur = session, ts, dur
        self.rests, self.rest_code = rests, rest_code
        self.one_session = one_session
        self.sequential = sequential
