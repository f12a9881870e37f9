"""Append-only, crash-safe line writer.

Each event is one ``os.write`` on an ``O_APPEND`` descriptor: once the call returns,
the line belongs to the kernel, so SIGKILL, ``os._exit`` or a segfault cannot lose it.
Two processes (the script and the inspector that tees its output) may append to the
same file: O_APPEND makes each write land whole at the end.
"""

from __future__ import annotations

import errno
import os
import sys


class TraceWriter:
    """Writes whole lines to a trace file; never raises into the caller after opening."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        self.failed = False

    def write(self, line: str) -> None:
        self.write_bytes(line.encode("utf-8", "surrogateescape"))

    def write_bytes(self, data: bytes) -> None:
        """One whole line, already encoded: the run hot path formats bytes directly."""
        if self.failed:
            return
        try:
            n = os.write(self.fd, data)
            while n < len(data):  # a short write (a signal, a nearly full disk): finish it
                data = data[n:]
                n = os.write(self.fd, data)
                if n == 0:
                    raise OSError(errno.ENOSPC, "no progress writing the trace")
        except OSError as exc:
            # A full disk or a closed descriptor must not stop the script: say it once.
            self.failed = True
            reason = "the disk is full" if exc.errno == errno.ENOSPC else str(exc)
            try:
                sys.__stderr__.write(
                    f"tfsess-inspect: the trace {self.path} is incomplete from here on: {reason}\n"
                )
            except Exception:
                pass

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass
