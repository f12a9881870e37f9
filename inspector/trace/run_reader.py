"""The run-record file's reader: binary records to column batches, no object per run.

A version-2 trace keeps its successful runs in ``TRACE.runs`` (inspector/trace/format.py,
written by inspector/trace/run_writer.py). `RunRecords` reads the records appended since
last time as arrays (one C-level slice per column: tags, shapes, start, duration), checks
them, and hands them out as `RunBatch` events (or one dict per run) for the trace reader
to interleave with the JSON events by time.

What the file may be: cut short (the script was killed: the last record may be partial),
with holes (a thread took its slot and died before writing; a slot still being written
while the live view reads), or not ours at all. A file that is not a run-record file of
this trace is a `TraceError` (one line for the user); records that fail their checks are
skipped and counted (`bad`), a partial last record sets `cut`.
"""

from __future__ import annotations

import bisect
import os
import struct
from array import array
from collections import deque
from typing import Any

from inspector.trace import format as fmt
from inspector.trace.errors import TraceError
from inspector.trace.run_batch import RunBatch

_WORDS = fmt.RUN_RECORD_SIZE // 4  # 32-bit words a record
_QUADS = fmt.RUN_RECORD_SIZE // 8  # 64-bit words a record
_MAX_ID = 1 << 31


class RunRecords:
    """The records of one trace's run file, read as they are appended."""

    def __init__(self, trace_path: str, info: Any, pid: Any) -> None:
        if not isinstance(info, dict) or not isinstance(info.get("file"), str) \
                or not isinstance(info.get("id"), str):
            raise TraceError(f"{trace_path}: its header names no valid run-record file")
        # TRACE.runs, or the name the header gives (the trace was renamed alone) beside
        # the trace: a trace is data, its paths are never followed anywhere else.
        beside = os.path.join(os.path.dirname(os.path.abspath(trace_path)),
                              os.path.basename(info["file"]))
        own = os.path.abspath(trace_path) + fmt.RUNS_SUFFIX
        self.path = own if os.path.exists(own) or not os.path.exists(beside) else beside
        try:
            self.trace_id = bytes.fromhex(info["id"])
        except ValueError:
            raise TraceError(f"{trace_path}: its header names no valid run-record file") from None
        self.pid = pid if type(pid) is int else 0
        self.next = 0  # records consumed (the next one's index)
        self.bad = 0  # records skipped: not a run record, or a shape never defined
        self.cut = False  # the file ends inside a record
        self._rests: dict[int, bytes] = {}  # shape id -> `"k":...,"pid":N`
        self._kinds: dict[int, tuple] = {}  # shape id -> (session, kind, site, fs, thread)
        # Read but not yet handed out: chunks as loaded, each [uniform shape or None,
        # shape column or None, ts, dur, position in them]. A chunk of one shape (a
        # training loop) keeps no shape column.
        self._chunks: deque[list[Any]] = deque()
        self._checked = False
        self.at_end = False  # the last load reached the file's end

    # -- shapes ---------------------------------------------------------------------
    def add_shape(self, ev: dict[str, Any]) -> None:
        """An `rshape` line: what the records with this shape id stand for."""
        sid, s, k = ev.get("id"), ev.get("s"), ev.get("k")
        site, fs, th = ev.get("site"), ev.get("fs"), ev.get("th")
        if not (type(sid) is int and 0 < sid < _MAX_ID and type(s) is int and isinstance(k, str)
                and type(site) is int and type(fs) is int and type(th) is int):
            return
        if not k.replace("_", "").replace("-", "").isalpha():  # (kinds are words)
            return
        self._rests[sid] = b'"k":"%s","site":%d,"fs":%d,"th":%d,"pid":%d' % (
            k.encode(), site, fs, th, self.pid)
        self._kinds[sid] = (s, k, site, fs, th)

    # -- reading ------------------------------------------------------------------------
    def _open(self) -> Any:
        try:
            fh = open(self.path, "rb")
        except FileNotFoundError:
            raise TraceError(f"{self.path}: no such file: the trace's successful runs are "
                             f"kept there (copy it along with the trace)") from None
        except OSError as exc:
            raise TraceError(f"{self.path}: {exc.strerror}") from None
        if not self._checked:
            try:
                self._check_header(fh.read(fmt.RUNS_HEADER_SIZE))
            except TraceError:
                fh.close()
                raise
            self._checked = True
        return fh

    def _check_header(self, head: bytes) -> None:
        if len(head) < fmt.RUNS_HEADER_SIZE:
            if fmt.RUNS_MAGIC.startswith(head[:8]) or not head:
                raise TraceError(f"{self.path} is cut short before its header ends: "
                                 f"not a run-record file any more")
            raise TraceError(f"{self.path} is not a tfsess-inspect run-record file")
        magic, version, size, trace_id = struct.unpack(fmt.RUNS_HEADER, head)
        if magic != fmt.RUNS_MAGIC:
            raise TraceError(f"{self.path} is not a tfsess-inspect run-record file")
        if version > fmt.RUNS_VERSION or size != fmt.RUN_RECORD_SIZE:
            raise TraceError(
                f"{self.path} was written by a newer tfsess-inspect (run records version "
                f"{version}); this one reads up to version {fmt.RUNS_VERSION}: upgrade tfsess-inspect")
        if trace_id != self.trace_id:
            raise TraceError(f"{self.path} holds the runs of another trace (its id does not "
                             f"match the trace's header)")

    def load(self, max_records: int, final: bool) -> int:
        """Read up to `max_records` more records into the columns; the number read. Not
        final: stop at the first slot not yet written (it may be being written)."""
        if self.pending() >= max_records and self._checked:
            return 0
        fh = self._open()
        size = fmt.RUN_RECORD_SIZE
        with fh:
            fh.seek(fmt.RUNS_HEADER_SIZE + self.next * size)
            data = fh.read(max_records * size)
        short = len(data) < max_records * size  # read up to the file's end
        self.at_end = short
        if final and short:
            # The file is grown a segment at a time: its unwritten tail is zeros. A
            # record cut by the file's end (a copy that stopped) makes it `cut`.
            used = len(data.rstrip(b"\0"))
            used += -used % size
            if used > len(data):
                self.cut = True
            data = data[: min(used, len(data))]
        n = len(data) // size
        if n == 0:
            return 0
        data = data[: n * size]
        # Checks on byte columns (`data[k::24]`: byte k of every record), in C: no
        # Python object per record.
        first_bytes = data[0::size]
        take = n
        if not final:
            hole = first_bytes.find(0)  # a tag's first byte is never 0: a slot not written
            if hole >= 0:
                take = hole
                if take == 0:
                    # A hole (a thread that died between taking its slot and writing it),
                    # or a slot being written: only once the file is final is it skipped.
                    return 0
                data = data[: take * size]
        uniform, shape = None, None
        if _all_good(data, take):
            uniform = _same_shape(data, take)
            if uniform is None:
                shape = _column(data, "i", _WORDS, 1)
                if shape.count(0):  # (a negative one was caught by its sign byte)
                    shape = None
        quads = array("q")
        quads.frombytes(data)
        ts, dur = quads[1::_QUADS], quads[2::_QUADS]
        if uniform is None and shape is None:  # some record failed its checks
            words = array("i")
            words.frombytes(data)
            uniform, shape, ts, dur = (None, *self._good_only(words[0::_WORDS], words[1::_WORDS],
                                                               ts, dur))
        self._append(uniform, shape, ts, dur)
        self.next += take
        return take

    def _good_only(self, tags: array, shape: array, ts: array, dur: array
                   ) -> tuple[array, array, array]:
        """Keep the records that pass their checks; count the others (holes are not
        counted: a slot never written is no record)."""
        tag = fmt.RUN_TAG
        keep = [i for i in range(len(tags))
                if tags[i] == tag and ts[i] >= 0 and dur[i] >= 0 and shape[i] > 0]
        self.bad += sum(1 for i in range(len(tags)) if tags[i] != 0) - len(keep)
        return (array("i", (shape[i] for i in keep)), array("q", (ts[i] for i in keep)),
                array("q", (dur[i] for i in keep)))

    def _append(self, uniform: int | None, shape: array | None, ts: array, dur: array) -> None:
        if len(ts):
            self._chunks.append([uniform, shape, ts, dur, 0])

    def pending(self) -> int:
        return sum(len(c[2]) - c[4] for c in self._chunks)

    def last_ts(self) -> int:
        return self._chunks[-1][2][-1] if self._chunks else -1

    def take(self, until: int | None, limit: int, bulk: bool, final: bool) -> list[Any]:
        """Hand out the pending records that started at or before `until` (all when
        None), at most `limit`, as RunBatch events (bulk) or dicts. Records whose shape
        is not known yet wait for its line, unless `final` (then they are bad)."""
        out: list[Any] = []
        while self._chunks and limit > 0:
            chunk = self._chunks[0]
            uniform, shape, ts, dur, lo = chunk
            hi = len(ts) if until is None else bisect.bisect_right(ts, until, lo)
            hi = min(hi, lo + limit)
            if hi > lo:
                events, taken = self._take_from(uniform, shape, ts, dur, lo, hi, bulk, final)
                out.extend(events)
                chunk[4] = lo + taken
                limit -= taken
                if taken < hi - lo:  # a shape still to come
                    break
            if chunk[4] < len(ts):
                break
            self._chunks.popleft()
        return out

    def _take_from(self, uniform: int | None, shape: array | None, ts: array, dur: array,
                   lo: int, hi: int, bulk: bool, final: bool) -> tuple[list[Any], int]:
        """Records lo..hi-1 of one chunk: (events, how many were consumed)."""
        rests = self._rests
        if shape is None:  # one shape throughout
            if uniform in rests:
                return self._events(None, uniform, ts[lo:hi], dur[lo:hi], bulk), hi - lo
            if not final:
                return [], 0  # its `rshape` line is still to come
            self.bad += hi - lo
            return [], hi - lo
        shapes = shape[lo:hi]
        if any(s not in rests for s in set(shapes)):
            stop = next(i for i, s in enumerate(shapes) if s not in rests)
            if not final:
                if stop == 0:
                    return [], 0
                return self._events(shapes[:stop], None, ts[lo:lo + stop], dur[lo:lo + stop],
                                    bulk), stop
            # never defined: not a run of this trace
            good = [i for i, s in enumerate(shapes) if s in rests]
            self.bad += len(shapes) - len(good)
            t, d = ts[lo:hi], dur[lo:hi]
            return self._events(array("i", (shapes[i] for i in good)), None,
                                array("q", (t[i] for i in good)),
                                array("q", (d[i] for i in good)), bulk), hi - lo
        return self._events(shapes, None, ts[lo:hi], dur[lo:hi], bulk), hi - lo

    def _events(self, shapes: array | None, uniform: int | None, ts: array, dur: array,
                bulk: bool) -> list[Any]:
        n = len(ts)
        if n == 0:
            return []
        if not bulk:
            out = []
            kinds = self._kinds
            for i in range(n):
                s, k, site, fs, th = kinds[uniform if shapes is None else shapes[i]]
                out.append({"ev": "run", "s": s, "ts": ts[i], "dur": dur[i], "k": k,
                            "site": site, "fs": fs, "th": th, "pid": self.pid})
            return out
        first = uniform if shapes is None else shapes[0]
        if shapes is None or shapes.count(first) == n:
            # One shape is one thread's runs at one call site: the wrapper writes a
            # record after its run ended, and the thread's next run starts after that.
            sid = self._kinds[first][0]
            return [RunBatch(array("q", [sid]) * n, ts, dur, [self._rests[first]],
                             array("i", [0]) * n, sid, sequential=True)]
        distinct = sorted(set(shapes))
        code = {s: i for i, s in enumerate(distinct)}
        session_of = {s: self._kinds[s][0] for s in distinct}
        sessions = set(session_of.values())
        if len(sessions) == 1:
            sid = sessions.pop()
            session = array("q", [sid]) * n
            one = sid
        else:
            session = array("q", map(session_of.__getitem__, shapes))
            one = None
        return [RunBatch(session, ts, dur, [self._rests[s] for s in distinct],
                         array("i", map(code.__getitem__, shapes)), one)]


_TAG_BYTES = struct.pack("<I", fmt.RUN_TAG)
_BELOW_128 = bytes(range(128))


def _all_good(data: bytes, n: int) -> bool:
    """Every one of the n records has the tag, and a shape id, a start and a duration
    that are not negative (their top bytes below 0x80)."""
    size = fmt.RUN_RECORD_SIZE
    for k in range(4):
        if data[k::size] != _TAG_BYTES[k: k + 1] * n:
            return False
    for k in (7, 15, 23):  # the top bytes of shape, ts and dur
        if data[k::size].translate(None, _BELOW_128):
            return False
    return True


def _same_shape(data: bytes, n: int) -> int | None:
    """The shape id of every record when all have the same, else None."""
    size = fmt.RUN_RECORD_SIZE
    for k in range(4, 8):
        column = data[k::size]
        if column != column[:1] * n:
            return None
    shape = struct.unpack_from("<i", data, 4)[0]
    return shape if shape > 0 else None


def _column(data: bytes, code: str, stride: int, at: int) -> array:
    values = array(code)
    values.frombytes(data)
    return values[at::stride]
