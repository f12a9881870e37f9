"""All runs of a trace in a few flat arrays (about 50 bytes a run instead of a Python
object of ~170), read as `Run` objects on demand.

A training script easily makes a million runs; the live view, replay and report must
hold them all. `RunStore` is a read-only sequence of `Run`: `store[i]`, `len(store)`,
iteration and `store[-1]` work as on a list, and the columns (`ts`, `session`, `ok`, ...)
are there for code that scans them all.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import overload

from inspector.analysis.model import EMPTY_SUMMARY, UNKNOWN_SITE, FetchSummary, Run, Site


class RunStore(Sequence[Run]):
    def __init__(self, sites: dict[int, Site], summaries: dict[int, FetchSummary]) -> None:
        self._sites = sites
        self._summaries = summaries
        self.index = array("q")  # event index in the trace
        self.session = array("i")
        self.ts = array("q")
        self.dur = array("q")
        self.site = array("i")
        self.fs = array("i")
        self.thread = array("i")
        self.pid = array("i")
        self.kind = array("B")  # position in `kinds`
        self.ok = bytearray()
        self.kinds: list[str] = []
        self._kind_codes: dict[str, int] = {}
        self.errors: dict[int, tuple[str, str]] = {}  # position -> (exception type, message)
        self.failed: list[int] = []  # positions of failed runs, in order

    def append(self, index: int, session: int, ts: int, dur: int, kind: str, site: int, fs: int,
               thread: int, pid: int, error: tuple[str, str] | None = None) -> None:
        code = self._kind_codes.get(kind)
        if code is None:
            code = self._kind_codes[kind] = len(self.kinds)
            self.kinds.append(kind)
        pos = len(self.ok)
        self.index.append(index)
        self.session.append(session)
        self.ts.append(ts)
        self.dur.append(dur)
        self.site.append(site)
        self.fs.append(fs)
        self.thread.append(thread)
        self.pid.append(pid)
        self.kind.append(code)
        if error is None:
            self.ok.append(1)
        else:
            self.ok.append(0)
            self.errors[pos] = error
            self.failed.append(pos)

    def __len__(self) -> int:
        return len(self.ok)

    def _run(self, i: int) -> Run:
        ok = bool(self.ok[i])
        exc, msg = (None, None) if ok else self.errors[i]
        return Run(
            index=self.index[i],
            session=self.session[i],
            kind=self.kinds[self.kind[i]],
            ts=self.ts[i],
            dur=self.dur[i],
            site=self._sites.get(self.site[i], UNKNOWN_SITE),
            fetch=self._summaries.get(self.fs[i], EMPTY_SUMMARY),
            thread=self.thread[i],
            pid=self.pid[i],
            ok=ok,
            exc=exc,
            msg=msg,
        )

    @overload
    def __getitem__(self, i: int) -> Run: ...

    @overload
    def __getitem__(self, i: slice) -> list[Run]: ...

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._run(j) for j in range(*i.indices(len(self)))]
        n = len(self.ok)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("run index out of range")
        return self._run(i)

    def __iter__(self) -> Iterator[Run]:
        for i in range(len(self.ok)):
            yield self._run(i)

    def failed_runs(self) -> Iterator[Run]:
        """The failed runs, in order: the only ones a finding can be about (a run that
        succeeded did not run out of scope)."""
        for i in self.failed:
            yield self._run(i)
