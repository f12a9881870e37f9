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


class TraceError(Exception):
    """The file is not a trace this version can read (one line for the user)."""


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


# (At most 18 digits: the numbers must fit the analysis' 64-bit columns.)
_RUN_OK_LINES = re.compile(
    rb'^\{"ev":"run","s":(\d{1,18}),"ts":(\d{1,18}),"dur":(\d{1,18}),("k":"[a-z_-]+",'
    rb'"site":\d{1,18},"fs":\d{1,18},"th":\d{1,18},"pid":\d{1,18})\}\r?$',
    re.M,
)


class RunBatch(dict):
    """A streak of consecutive successful run lines, as columns instead of one dict per
    line (a million runs would be a million dicts). It is an event of type ``runs``
    that only readers make (never in a file); `StateBuilder` takes it whole. Produced
    only for a `TraceTail(..., bulk_runs=True)`."""

    __slots__ = ("columns",)

    def __init__(self, columns: list[tuple[bytes, ...]]) -> None:
        super().__init__(ev="runs", n=len(columns[0]) if columns else 0)
        # s, ts, dur: tuples of each run's digits; then each line's fixed tail
        # (`"k":...,"pid":N`), which repeats from run to run
        self.columns = columns


def _run_batch(lines: list[bytes]) -> RunBatch | None:
    matches = _RUN_OK_LINES.findall(b"\n".join(lines))
    if len(matches) != len(lines):
        return None  # some line is not of the fixed shape: parse them one by one
    return RunBatch(list(zip(*matches, strict=True)))


def _parse(line: bytes) -> dict[str, Any] | None:
    if line.startswith(fmt.RUN_OK_PREFIX):
        m = _RUN_OK.match(line)
        if m is not None:
            s, ts, dur, k, site, fs, th, pid = m.groups()
            return {"ev": "run", "s": int(s), "ts": int(ts), "dur": int(dur), "k": k.decode(),
                    "site": int(site), "fs": int(fs), "th": int(th), "pid": int(pid)}
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
    events = tail.feed(first, final=last)
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
                yield tail.feed(data, final=last)

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
    _pending: bytes = b""
    _header_checked: bool = field(default=False)

    def feed(self, data: bytes, final: bool = False) -> list[dict[str, Any]]:
        buf = self._pending + data if self._pending else data
        end = buf.rfind(b"\n")
        if end < 0:
            complete, self._pending = b"", buf
        else:
            complete, self._pending = buf[: end + 1], buf[end + 1 :]
        events: list[dict[str, Any]] = []
        streak: list[bytes] = []
        bulk = self.bulk_runs and self._header_checked
        for line in complete.splitlines():
            if bulk and line.startswith(fmt.RUN_OK_PREFIX):
                streak.append(line)
                continue
            if streak:
                self._flush(streak, events)
            if not line.strip():
                continue
            obj = _parse(line)
            if not self._header_checked:
                self.header = check_header(obj, self.path)
                self._header_checked = True
                continue
            if obj is None:
                self.bad_lines += 1
                continue
            events.append(obj)
            if not bulk and self.bulk_runs:
                bulk = True  # the header was just read
        if streak:
            self._flush(streak, events)
        self.offset += len(data)
        if final and self._pending.strip():
            obj = _parse(self._pending)
            if obj is not None:  # a last line that only misses its newline
                if not self._header_checked:
                    self.header = check_header(obj, self.path)
                    self._header_checked = True
                else:
                    events.append(obj)
            else:
                if not self._header_checked:
                    check_header(None, self.path)
                self.cut = True
            self._pending = b""
        return events

    def _flush(self, streak: list[bytes], events: list[dict[str, Any]]) -> None:
        batch = _run_batch(streak)
        if batch is not None:
            events.append(batch)
        else:
            for line in streak:
                obj = _parse(line)
                if obj is None:
                    self.bad_lines += 1
                else:
                    events.append(obj)
        streak.clear()

    def read_new(self, max_bytes: int = 64 * 1024 * 1024) -> list[dict[str, Any]]:
        """Read what was appended to the file since the last call."""
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read(max_bytes)
        except FileNotFoundError:
            return []
        if not data:
            return []
        if not self._header_checked and b"\n" not in data:
            return []  # the header is still being written
        return self.feed(data)
