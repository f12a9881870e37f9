"""Read a trace: whole (report, replay) or as it grows (the live view).

A trace is data: lines are parsed with json.loads and nothing else. The reader
tolerates a last line cut in the middle (the script crashed while writing it) and
says so; it rejects another format or a newer version with one clear line.
"""

from __future__ import annotations

import json
import os
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


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return obj if isinstance(obj, dict) and isinstance(obj.get("ev"), str) else None


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
        for line in complete.splitlines():
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
