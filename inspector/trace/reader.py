"""Read a trace: whole (report, replay) or as it grows (the live view).

A trace is data: lines are parsed with json.loads and nothing else. The reader
tolerates a last line cut in the middle (the script crashed while writing it) and
says so; it rejects another format or a newer version with one clear line.
"""

from __future__ import annotations

import json
import os
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from inspector.trace import format as fmt
from inspector.trace.errors import TraceError
from inspector.trace.run_batch import RunBatch
from inspector.trace.run_reader import RunRecords

# Run records handed out at a time (one RunBatch: ~28 MB of columns).
RUNS_CHUNK = 1 << 20

__all__ = ["RunBatch", "TraceError", "TraceData", "TraceTail", "iter_trace", "read_trace",
           "check_trace_file", "check_header"]


@dataclass
class TraceData:
    path: str
    header: dict[str, Any]
    events: list[dict[str, Any]]
    cut: bool = False  # the last line was cut mid-way
    bad_lines: int = 0  # lines in the middle that were not JSON objects


def check_header(obj: Any, path: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or obj.get("ev") != fmt.HEADER or obj.get("format") != fmt.FORMAT_NAME:
        raise TraceError(f"{path} is not a tfsess-inspect trace")
    version = obj.get("version")
    if not isinstance(version, int) or version > fmt.FORMAT_VERSION:
        raise TraceError(
            f"{path} was written by a newer tfsess-inspect (trace format version {version}); "
            f"this one reads up to version {fmt.FORMAT_VERSION}: upgrade tfsess-inspect"
        )
    return obj


# Successful run lines are most of a trace and have a fixed shape (docs/trace-format.md):
# matching that shape costs half of json.loads. Anything else goes through json.
_RUN_OK = re.compile(
    rb'\{"ev":"run","s":(\d{1,18}),"ts":(\d{1,18}),"dur":(\d{1,18}),"k":"([a-z_-]+)",'
    rb'"site":(\d{1,18}),"fs":(\d{1,18}),"th":(\d{1,18}),"pid":(\d{1,18})\}\r?$'
)


# Output lines are the next most (a script printing a line per run: two per run).
# Their text is read without json when it holds no escape but \n (json's strings
# never hold a raw quote or control character; anything else goes through json).
_OUT = re.compile(
    rb'\{"ev":"out","pid":(\d{1,18}),"fd":(\d{1,18}),"ts":(\d{1,18}),"text":"([^"\x00-\x1f]*)"\}\r?$'
)


# (At most 18 digits: the numbers must fit the analysis' 64-bit columns.)
_RUN_OK_LINES = re.compile(
    rb'^\{"ev":"run","s":(\d{1,18}),"ts":(\d{1,18}),"dur":(\d{1,18}),("k":"[a-z_-]+",'
    rb'"site":\d{1,18},"fs":\d{1,18},"th":\d{1,18},"pid":\d{1,18})\}\r?$',
    re.M,
)
# A streak is read from the first bytes of its lines: where the next line that is not
# a run line of the fixed shape begins, and the parts of a run line around ts and dur.
_STREAK_PREFIX = b'{"ev":"run","s":'
_NEXT_OTHER = re.compile(rb'\n(?!\{"ev":"run","s":)')
_TAIL = re.compile(rb',("k":"[a-z_-]+","site":\d{1,18},"fs":\d{1,18},"th":\d{1,18},'
                   rb'"pid":\d{1,18})\}\r?')
_DIGITS = b"0123456789"
_NOT_NUMBERS = bytes(sorted(set(range(256)) - set(b"0123456789,\n")))


def _uniform_batch(region: bytes, n: int) -> RunBatch | None:
    """`region`: n run lines (each ending in a newline). When every line is the first
    one but for its ts and dur (one session, one call site: a training loop), the
    columns come from a few passes of bytes operations over the whole region, with no
    work per line in Python. None when the lines differ in anything else."""
    first = region[: region.find(b"\n")]
    m = _RUN_OK.match(first)  # the first line is of the fixed shape ...
    if m is None:
        return None
    i, j = first.find(b',"ts":'), first.find(b',"k":')
    head, tail = first[: i + 6], first[j:]
    # A few lines through the region first: lines that differ are usually found there
    # without a pass over all of it.
    size = len(region)
    for at in (size // 4, size // 2, 3 * size // 4, size - 1):
        start = region.rfind(b"\n", 0, at) + 1
        end = region.find(b"\n", start)
        if not (region.startswith(head, start) and region.endswith(tail, start, end)):
            return None
    # ... every line has its characters other than digits (the skeleton) ...
    if region.translate(None, _DIGITS) != (first.translate(None, _DIGITS) + b"\n") * n:
        return None
    # ... and the same digits before ts and after dur: with only digits, commas and
    # newlines kept, a line is `,S,T,D,,SITE,FS,TH,PID` and where one line ends and the
    # next begins reads the same throughout (a newline is never inside a line).
    c_head, c_tail = head.translate(None, _NOT_NUMBERS), tail.translate(None, _NOT_NUMBERS)
    compact = region.translate(None, _NOT_NUMBERS)
    joint = c_tail + b"\n" + c_head
    if compact.count(joint) != n - 1:
        return None
    mid = compact[len(c_head): len(compact) - len(c_tail) - 1].replace(joint, b",")
    try:  # `T,D,T,D,...`: JSON numbers, read in C
        values = array("q", json.loads(b"[" + mid + b"]"))
    except (ValueError, OverflowError):  # an empty number, leading zeros, too big
        return None
    if len(values) != 2 * n:
        return None
    sid = int(m[1])
    return RunBatch(array("q", [sid]) * n, values[0::2], values[1::2], [_TAIL.fullmatch(tail)[1]],
                    array("i", [0]) * n, sid)


def _mixed_batch(region: bytes, n: int) -> RunBatch | None:
    """Run lines of several sessions or call sites: one regular-expression match each."""
    matches = _RUN_OK_LINES.findall(region)
    if len(matches) != n:
        return None  # some line is not of the fixed shape: parse them one by one
    sessions, ts, dur, rests = zip(*matches, strict=True)
    session_of = {s: int(s) for s in set(sessions)}
    codes = {r: k for k, r in enumerate(set(rests))}
    one = session_of[sessions[0]] if len(session_of) == 1 else None
    return RunBatch(array("q", map(session_of.__getitem__, sessions)), array("q", map(int, ts)),
                    array("q", map(int, dur)), list(codes), array("i", map(codes.__getitem__, rests)),
                    one)


def _line_at(region: bytes, at: int) -> bytes:
    start = region.rfind(b"\n", 0, at) + 1
    return region[start: region.find(b"\n", start)]


def _run_batches(region: bytes, n: int, out: list[Any],
                 one_by_one: Callable[[bytes], None]) -> None:
    """Append to `out` the batches of a streak of n run lines: all in one if they only
    differ in ts and dur; else, if its first and last lines are of the fixed shape, its
    halves each, down to a few hundred lines (a streak that starts with other runs and
    goes on as a training loop is still mostly read in bulk); else by one regular
    expression match a line; lines not of the fixed shape go to `one_by_one`."""
    if n < 16:
        # A short streak (runs between other lines, as a script printing a line per run
        # makes): a dict per line from one match, as json would give; columns and the
        # bulk passes cost more than they save for a few lines.
        for line in region.splitlines():
            m = _RUN_OK.match(line)
            if m is None:
                one_by_one(line + b"\n")
                continue
            s, ts, dur, k, site, fs, th, pid = m.groups()
            out.append({"ev": "run", "s": int(s), "ts": int(ts), "dur": int(dur), "k": k.decode(),
                        "site": int(site), "fs": int(fs), "th": int(th), "pid": int(pid)})
        return
    batch = _uniform_batch(region, n)
    if batch is None:
        first, last = _line_at(region, 0), _line_at(region, len(region) - 1)
        if _RUN_OK.match(first) is None:
            one_by_one(region)  # (as a line with fields added after pid: json for them)
            return
        if n >= 512 and _RUN_OK.match(last) is not None:
            mid = region.find(b"\n", len(region) // 2) + 1
            k = region.count(b"\n", 0, mid)
            if 0 < k < n:
                _run_batches(region[:mid], k, out, one_by_one)
                _run_batches(region[mid:], n - k, out, one_by_one)
                return
        batch = _mixed_batch(region, n)
    if batch is None:
        one_by_one(region)
    else:
        out.append(batch)


def _parse(line: bytes) -> dict[str, Any] | None:
    if line.startswith(fmt.RUN_OK_PREFIX):
        m = _RUN_OK.match(line)
        if m is not None:
            s, ts, dur, k, site, fs, th, pid = m.groups()
            return {"ev": "run", "s": int(s), "ts": int(ts), "dur": int(dur), "k": k.decode(),
                    "site": int(site), "fs": int(fs), "th": int(th), "pid": int(pid)}
    elif line.startswith(fmt.OUTPUT_PREFIX):
        m = _OUT.match(line)
        if m is not None:
            pid, fd, ts, raw = m.groups()
            if raw.count(b"\\") == raw.count(b"\\n"):  # every backslash is a \n
                try:
                    text = raw.decode("utf-8", "surrogatepass")  # (as json.loads decodes)
                except UnicodeDecodeError:
                    return None
                if b"\\" in raw:
                    text = text.replace("\\n", "\n")
                return {"ev": "out", "pid": int(pid), "fd": int(fd), "ts": int(ts), "text": text}
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return obj if isinstance(obj, dict) and isinstance(obj.get("ev"), str) else None


def check_trace_file(path: str) -> dict[str, Any]:
    """The header of the trace at `path`, reading its first line only (a big trace
    opens at once); TraceError (one line for the user) if it is not one we can read."""
    if os.path.isdir(path):
        raise TraceError(f"{path} is a directory, not a trace")
    try:
        with open(path, "rb") as fh:
            first = fh.readline(1 << 20)
    except FileNotFoundError:
        raise TraceError(f"{path}: no such file") from None
    except OSError as exc:
        raise TraceError(f"{path}: {exc.strerror}") from None
    if not first.strip():
        raise TraceError(f"{path} is empty: the recording never started")
    try:
        header = json.loads(first)
    except (ValueError, UnicodeDecodeError):
        header = None
    return check_header(header, path)


def iter_trace(path: str, chunk_bytes: int = 8 << 20,
               bulk_runs: bool = False) -> tuple[TraceTail, Iterator[list[dict[str, Any]]]]:
    """Read a whole trace in batches of events, so that no more than one chunk's events
    exist as dicts at a time. The tail's `header` is set (or TraceError raised) before
    the first batch is returned; `cut` and `bad_lines` are final after the last."""
    if os.path.isdir(path):
        raise TraceError(f"{path} is a directory, not a trace")
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise TraceError(f"{path}: no such file") from None
    except OSError as exc:
        raise TraceError(f"{path}: {exc.strerror}") from None
    tail = TraceTail(path, bulk_runs=bulk_runs)
    first = fh.read(chunk_bytes)
    if not first.strip():
        fh.close()
        raise TraceError(f"{path} is empty: the recording never started")
    last = len(first) < chunk_bytes
    events = tail.feed(first, final=last, drain=False)
    if tail.header is None:
        if not last:  # a first line longer than a chunk: not one of our headers
            raise TraceError(f"{path} is not a tfsess-inspect trace")
        check_header(None, path)

    def batches() -> Iterator[list[dict[str, Any]]]:
        nonlocal last
        with fh:
            yield events
            while not last:
                data = fh.read(chunk_bytes)
                last = len(data) < chunk_bytes
                yield tail.feed(data, final=last, drain=False)
            while True:  # the runs recorded after the last JSON event, a batch at a time
                more = tail.drain_runs(final=True)
                if not more:
                    break
                yield more

    return tail, batches()


def read_trace(path: str) -> TraceData:
    """Read a whole trace file."""
    if os.path.isdir(path):
        raise TraceError(f"{path} is a directory, not a trace")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise TraceError(f"{path}: no such file") from None
    except OSError as exc:
        raise TraceError(f"{path}: {exc.strerror}") from None
    if not data.strip():
        raise TraceError(f"{path} is empty: the recording never started")
    tail = TraceTail(path)
    events = tail.feed(data, final=True)
    header = tail.header
    if header is None:
        raise TraceError(f"{path} is not a tfsess-inspect trace")
    return TraceData(path, header, events, cut=tail.cut, bad_lines=tail.bad_lines)


@dataclass
class TraceTail:
    """Incremental parser: feed it the bytes appended since last time, get the
    complete events. Used for the whole file and for following a growing one."""

    path: str
    header: dict[str, Any] | None = None
    offset: int = 0  # bytes consumed from the file
    cut: bool = False
    bad_lines: int = 0
    bulk_runs: bool = False  # successful run lines as RunBatch events (see RunBatch)
    runs: RunRecords | None = None  # version 2: the run-record file beside the trace
    _pending: bytes = b""
    _header_checked: bool = field(default=False)
    _runs_eof: bool = False  # the run file was read to its end since the last feed

    @property
    def bad_runs(self) -> int:
        """Run records skipped (not records of this trace)."""
        return self.runs.bad if self.runs is not None else 0

    @property
    def runs_cut(self) -> bool:
        return self.runs is not None and self.runs.cut

    def _set_header(self, obj: Any) -> None:
        self.header = check_header(obj, self.path)
        self._header_checked = True
        if "runs" in self.header:
            self.runs = RunRecords(self.path, self.header["runs"], self.header.get("pid"))
            self.runs.load(0, final=False)  # checks its header now: a bad file is one line

    def feed(self, data: bytes, final: bool = False, drain: bool = True) -> list[dict[str, Any]]:
        """The complete events in `data` (the bytes that follow what was fed before),
        with the run records that started before each timed one. `final`: the trace is
        finished, and (unless `drain` is off: see `drain_runs`) every run record left
        comes out too."""
        events = self._feed_lines(data, final)
        if self.runs is not None:
            self._runs_eof = False
            events = self._interleave(events)
            if final and drain:
                while True:
                    more = self.drain_runs(final=True)
                    if not more:
                        break
                    events.extend(more)
        return events

    def _interleave(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Put the run records in among the JSON events: before each timed event, the
        runs that started by its time (both clocks count from the same origin)."""
        runs = self.runs
        out: list[dict[str, Any]] = []
        for ev in events:
            kind = ev.get("ev")
            if kind == fmt.RUN_SHAPE:
                runs.add_shape(ev)
                continue
            t = ev.get("ts")
            if type(t) is int:
                if not self._runs_eof and (runs.pending() == 0 or runs.last_ts() <= t):
                    runs.load(RUNS_CHUNK, final=False)
                    self._runs_eof = runs.at_end
                if runs.pending():
                    out.extend(runs.take(t, RUNS_CHUNK, self.bulk_runs, final=False))
            out.append(ev)
        return out

    def drain_runs(self, final: bool = False, limit: int | None = None) -> list[Any]:
        """The next run records after every JSON event read so far (at most `limit`,
        default RUNS_CHUNK); [] when there are none (yet)."""
        runs = self.runs
        if runs is None:
            return []
        limit = RUNS_CHUNK if limit is None else limit
        while True:  # (records that all fail their checks give nothing: read on)
            before = (runs.next, runs.pending())
            if runs.pending() < limit:
                runs.load(limit, final=final)
            out = runs.take(None, limit, self.bulk_runs, final=final)
            if out or (runs.next, runs.pending()) == before:
                return out

    def _feed_lines(self, data: bytes, final: bool) -> list[dict[str, Any]]:
        buf = self._pending + data if self._pending else data
        end = buf.rfind(b"\n")
        if end < 0:
            complete, self._pending = b"", buf
        else:
            complete, self._pending = buf[: end + 1], buf[end + 1 :]
        events: list[dict[str, Any]] = []
        if self.bulk_runs:
            self._feed_bulk(complete, events)
        else:
            for line in complete.splitlines():
                self._line(line, events)
        self.offset += len(data)
        if final and self._pending.strip():
            obj = _parse(self._pending)
            if obj is not None:  # a last line that only misses its newline
                if not self._header_checked:
                    self._set_header(obj)
                else:
                    events.append(obj)
            else:
                if not self._header_checked:
                    check_header(None, self.path)
                self.cut = True
            self._pending = b""
        return events

    def _line(self, line: bytes, events: list[dict[str, Any]]) -> None:
        if not line.strip():
            return
        obj = _parse(line)
        if not self._header_checked:
            self._set_header(obj)
        elif obj is None:
            self.bad_lines += 1
        else:
            events.append(obj)

    def _lines(self, data: bytes, events: list[dict[str, Any]]) -> None:
        for line in data.splitlines():
            self._line(line, events)

    def _feed_bulk(self, complete: bytes, events: list[dict[str, Any]]) -> None:
        """Complete lines, streaks of successful run lines as RunBatch events: a streak's
        end is found by a regular expression over the bytes, not line by line."""
        pos, size = 0, len(complete)
        while pos < size:
            if self._header_checked and complete.startswith(_STREAK_PREFIX, pos):
                m = _NEXT_OTHER.search(complete, pos)
                stop = m.start() + 1 if m is not None else size
                region = complete[pos:stop]
                _run_batches(region, region.count(b"\n"), events,
                             lambda lines: self._lines(lines, events))
            else:
                stop = complete.find(b"\n", pos)
                stop = size if stop < 0 else stop + 1
                for line in complete[pos:stop].splitlines():
                    self._line(line, events)
            pos = stop

    def read_new(self, max_bytes: int = 64 * 1024 * 1024) -> list[dict[str, Any]]:
        """Read what was appended to the file (and to its run file) since the last call."""
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read(max_bytes)
        except FileNotFoundError:
            return []
        if not self._header_checked and b"\n" not in data:
            return []  # the header is still being written
        events = self.feed(data) if data else []
        if self.runs is not None and len(data) < max_bytes:
            # The JSON read to its end: the runs recorded since come out now, not at
            # the next JSON event (a training loop may print nothing for minutes).
            events.extend(self.drain_runs(limit=max(1, max_bytes // fmt.RUN_RECORD_SIZE)))
        return events
