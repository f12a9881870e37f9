"""The run-record file's writer: fixed-size binary records through a shared mapping.

A successful run is most of a trace and its hot path is the recorder's cost, so it is
written with no system call and no formatting: `struct.pack_into` of 24 bytes into a
`MAP_SHARED` mapping of the file. Those pages belong to the kernel's page cache the
moment they are written, so a SIGKILL, `os._exit`, a segfault or the OOM killer loses
nothing that an `os.write` would have kept.

The file grows by segments (inspector/trace/format.py): each new one is allocated on
disk with `posix_fallocate` before it is mapped, because a store into a mapped page
that the disk cannot hold kills the process with SIGBUS; a full disk instead stops the
recording of runs with one line on stderr, as the line writer does.

Slots are handed out by `itertools.count` (atomic under the GIL), so threads never
share one; the mapping they write into is read as one tuple (`seg`), never as three
attributes that a segment switch could change in between.
"""

from __future__ import annotations

import errno
import itertools
import mmap
import os
import struct
import sys
import threading
from typing import Any

from inspector.trace import format as fmt

_RECORD = struct.Struct(fmt.RUN_RECORD)
pack_into = _RECORD.pack_into


def segment_bounds(offset: int) -> tuple[int, int]:
    """(start, end) of the segment that holds byte `offset` of a run file."""
    start, size = 0, fmt.RUNS_FIRST_SEGMENT
    while offset >= start + size:
        start += size
        size = min(size * 2, fmt.RUNS_MAX_SEGMENT)
    return start, start + size


class RunFileWriter:
    """Appends run records to ``path``; never raises into the caller after opening."""

    def __init__(self, path: str, trace_id: bytes) -> None:
        self.path = path
        self.trace_id = trace_id
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        self.failed = False
        self.slots = itertools.count()
        self._lock = threading.Lock()
        self._maps: list[mmap.mmap] = []  # the current segment and the one before
        self._allocated = 0  # bytes of the file allocated on disk
        # (start, end, mapping) of the current segment; (0, 0, None) before the first.
        self.seg: tuple[int, int, mmap.mmap | None] = (0, 0, None)
        head = struct.pack(fmt.RUNS_HEADER, fmt.RUNS_MAGIC, fmt.RUNS_VERSION,
                           fmt.RUN_RECORD_SIZE, trace_id)
        self._map_segment(0)
        if self.seg[2] is not None:
            self.seg[2][: len(head)] = head

    @staticmethod
    def offset_of(slot: int) -> int:
        return fmt.RUNS_HEADER_SIZE + slot * fmt.RUN_RECORD_SIZE

    def write(self, shape: int, ts: int, dur: int) -> None:
        """One record (the agent's hot path inlines the same three lines)."""
        o = fmt.RUNS_HEADER_SIZE + next(self.slots) * fmt.RUN_RECORD_SIZE
        start, end, mm = self.seg
        if start <= o < end:
            pack_into(mm, o - start, fmt.RUN_TAG, shape, ts, dur)
        else:
            self.write_at(o, shape, ts, dur)

    def write_at(self, o: int, shape: int, ts: int, dur: int) -> None:
        """The slow path: a slot outside the current segment (the first of a new one, or
        a thread that took its slot before a switch)."""
        with self._lock:
            if self.failed:
                return
            start, end, mm = self.seg
            if o >= end:
                self._map_segment(o)
                start, end, mm = self.seg
                if mm is None:
                    return
            if start <= o < end:
                pack_into(mm, o - start, fmt.RUN_TAG, shape, ts, dur)
                return
            # An older segment, already unmapped: map its page for this one record.
            page = o - o % mmap.ALLOCATIONGRANULARITY
            try:
                with mmap.mmap(self.fd, mmap.ALLOCATIONGRANULARITY, offset=page) as old:
                    pack_into(old, o - page, fmt.RUN_TAG, shape, ts, dur)
            except (OSError, ValueError):
                pass

    def _map_segment(self, offset: int) -> None:
        start, end = segment_bounds(offset)
        try:
            os.ftruncate(self.fd, end)
            try:
                # From where the last allocation ended: a segment skipped over (its
                # first writer is still on its way) must not be left sparse either.
                os.posix_fallocate(self.fd, self._allocated, end - self._allocated)
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                    raise
            self._allocated = max(self._allocated, end)
            mm = mmap.mmap(self.fd, end - start, offset=start)
        except (OSError, ValueError) as exc:
            self._fail(exc)
            return
        self._maps.append(mm)
        self.seg = (start, end, mm)
        # Keep the previous segment mapped (a thread may hold it between taking its slot
        # and writing); unmap the one before, so mapped pages do not add up in RSS.
        while len(self._maps) > 2:
            old = self._maps.pop(0)
            try:
                old.close()
            except BufferError:  # a thread is writing into it right now: keep it
                self._maps.insert(0, old)
                break

    def _fail(self, exc: BaseException) -> None:
        self.failed = True
        self.seg = (0, 0, None)
        reason = "the disk is full" if getattr(exc, "errno", None) == errno.ENOSPC else str(exc)
        try:
            sys.__stderr__.write(
                f"tfsess-inspect: the run records {self.path} are incomplete from here on: {reason}\n"
            )
        except Exception:
            pass

    def abandon(self) -> None:
        """In a forked child: drop the parent's mappings without writing to them again."""
        self.seg = (0, 0, None)
        self.failed = True
        for mm in self._maps:
            try:
                mm.close()
            except (BufferError, ValueError):
                pass
        self._maps = []
        try:
            os.close(self.fd)
        except OSError:
            pass


def run_line(parts: tuple, ts: int, dur: int, pid: int, extra: bytes = b"") -> bytes:
    """A successful run as a version-1 `run` line; `extra`: more fields (`,"dmem":{...}`)."""
    sid, kind, site, fs, th = parts
    return (b'{"ev":"run","s":%d,"ts":%d,"dur":%d,"k":"%s","site":%d,"fs":%d,"th":%d,"pid":%d%s}\n'
            % (sid, ts, dur, kind.encode(), site, fs, th, pid, extra))


class RunLineWriter:
    """Where no run file can be kept (the trace is a pipe or a device, or the file
    cannot be made): each run is a version-1 `run` line in the trace itself. Same
    interface as RunFileWriter for the agent's hot path, whose inline fast path never
    matches here (`seg` is empty), so every record comes to `write_at`."""

    def __init__(self, write_line: Any, parts: Any, pid: int) -> None:
        self._write_line = write_line  # TraceWriter.write_bytes
        self._parts = parts  # shape id -> (session, kind, site, fs, thread)
        self.pid = pid
        self.slots = itertools.count()
        self.seg: tuple[int, int, mmap.mmap | None] = (0, 0, None)
        self.failed = False

    def write(self, shape: int, ts: int, dur: int) -> None:
        self.write_at(0, shape, ts, dur)

    def write_at(self, o: int, shape: int, ts: int, dur: int) -> None:
        self._write_line(run_line(self._parts(shape), ts, dur, self.pid))

    def abandon(self) -> None:
        self.failed = True
