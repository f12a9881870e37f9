"""All runs of a trace in a few flat arrays (about 30 bytes a run instead of a Python
object of ~170), read as `Run` objects on demand.

A training script easily makes a million runs; the live view, replay and report must
hold them all. `RunStore` is a read-only sequence of `Run`: `store[i]`, `len(store)`,
iteration and `store[-1]` work as on a list. The columns (`index`, `session`, `ts`,
`dur`, `ok`) are there for code that scans them all. What repeats from run to run (kind,
call site, fetch summary, thread, pid) is one "shape" per distinct combination.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from typing import overload

from inspector.analysis.model import EMPTY_SUMMARY, UNKNOWN_SITE, FetchSummary, Run, Site

Shape = tuple[str, int, int, int, int]  # kind, site, fs, thread, pid


class RunStore(Sequence[Run]):
    def __init__(self, sites: dict[int, Site], summaries: dict[int, FetchSummary]) -> None:
        self._sites = sites
        self._summaries = summaries
        self.index = array("q")  # event index in the trace
        self.session = array("q")
        self.ts = array("q")
        self.dur = array("q")
        self.shape = array("i")  # position in `shapes`
        self.ok = bytearray()
        self.shapes: list[Shape] = []
        self._shape_codes: dict[Shape, int] = {}
        self._raw_shape_codes: dict[bytes, int] = {}
        self.errors: dict[int, tuple[str, str]] = {}  # position -> (exception type, message)
        # Positions [start, end) whose runs are known in time order (from sequential
        # batches: see RunBatch), so that a reader of the columns need not check.
        self.sorted_spans: list[tuple[int, int]] = []
        self.failed: list[int] = []  # positions of failed runs, in order

    def _shape_code(self, shape: Shape) -> int:
        code = self._shape_codes.get(shape)
        if code is None:
            code = self._shape_codes[shape] = len(self.shapes)
            self.shapes.append(shape)
        return code

    def append(self, index: int, session: int, ts: int, dur: int, kind: str, site: int, fs: int,
               thread: int, pid: int, error: tuple[str, str] | None = None) -> None:
        pos = len(self.ok)
        self.index.append(index)
        self.session.append(session)
        self.ts.append(ts)
        self.dur.append(dur)
        self.shape.append(self._shape_code((kind, site, fs, thread, pid)))
        if error is None:
            self.ok.append(1)
        else:
            self.ok.append(0)
            self.errors[pos] = error
            self.failed.append(pos)

    def extend_batch(self, first_index: int, batch) -> None:
        """Append a reader's RunBatch (a streak of successful runs as columns: see
        inspector/trace/reader.py). Their event indexes follow on from `first_index`."""
        n = len(batch.ts)
        if getattr(batch, "sequential", False) and n:
            start = len(self.ok)
            spans = self.sorted_spans
            if spans and spans[-1][1] == start and self.ts[start - 1] <= batch.ts[0]:
                spans[-1] = (spans[-1][0], start + n)
            else:
                spans.append((start, start + n))
        self.index.extend(range(first_index, first_index + n))
        self.session.extend(batch.session)
        self.ts.extend(batch.ts)
        self.dur.extend(batch.dur)
        raw = self._raw_shape_codes
        codes = []
        for rest in batch.rests:
            code = raw.get(rest)
            if code is None:
                code = raw[rest] = self._shape_code(_parse_rest(rest))
            codes.append(code)
        if len(codes) == 1:
            self.shape.extend(array("i", codes) * n)
        else:
            self.shape.extend(array("i", map(codes.__getitem__, batch.rest_code)))
        self.ok.extend(b"\x01" * n)

    def __len__(self) -> int:
        return len(self.ok)

    def known_sorted(self, i: int, k: int) -> bool:
        """Positions i..k-1 are known to be in time order (without reading them)."""
        spans = self.sorted_spans
        if not spans:
            return False
        at = bisect.bisect_right(spans, (i, 1 << 62)) - 1
        return at >= 0 and spans[at][0] <= i and k <= spans[at][1]

    def _run(self, i: int) -> Run:
        ok = bool(self.ok[i])
        exc, msg = (None, None) if ok else self.errors[i]
        kind, site, fs, thread, pid = self.shapes[self.shape[i]]
        return Run(
            index=self.index[i],
            session=self.session[i],
            kind=kind,
            ts=self.ts[i],
            dur=self.dur[i],
            site=self._sites.get(site, UNKNOWN_SITE),
            fetch=self._summaries.get(fs, EMPTY_SUMMARY),
            thread=thread,
            pid=pid,
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


def _parse_rest(rest: bytes) -> Shape:
    """`"k":"run","site":2,"fs":1,"th":1,"pid":9` (the fixed tail of a run line)."""
    fields = dict(part.split(b":", 1) for part in rest.split(b","))
    return (
        fields[b'"k"'].strip(b'"').decode(),
        int(fields[b'"site"']),
        int(fields[b'"fs"']),
        int(fields[b'"th"']),
        int(fields[b'"pid"']),
    )
