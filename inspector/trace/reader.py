"""Read a trace: whole (report, replay) or as it grows (the live view).

A trace is data: lines are parsed with json.loads and nothing else. The reader
tolerates a last line cut in the middle (the script crashed while writing it) and
says so; it rejects another format or a newer version with one clear line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from inspector.trace import format as fmt
from inspector.trace.errors import TraceError
from inspector.trace.run_batch import RunBatch
from inspector.trace.run_lines import RUN_OK, run_batches
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


# Output lines are the most after run lines (a script printing a line per run: two per run).
# Their text is read without json when it holds no escape but \n (json's strings
# never hold a raw quote or control character; anything else goes through json).
_OUT = re.compile(
    rb'\{"ev":"out","pid":(\d{1,18}),"fd":(\d{1,18}),"ts":(\d{1,18}),"text":"([^"\x00-\x1f]*)"\}\r?$'
)


# A streak of run lines (read in bulk by run_lines.py) is found from the first bytes of
# its lines: where the next line that is not a run line of the fixed shape begins.
_STREAK_PREFIX = b'{"ev":"run","s":'
_NEXT_OTHER = re.compile(rb'\n(?!\{"ev":"run","s":)')


def _parse(line: bytes) -> dict[str, Any] | None:
    if line.startswith(fmt.RUN_OK_PREFIX):
        m = RUN_OK.match(line)
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
                run_batches(region, region.count(b"\n"), events,
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
