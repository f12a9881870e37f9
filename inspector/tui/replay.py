"""Open a finished trace in the same app (`tfsess-inspect replay TRACE`)."""

from __future__ import annotations

import json
import os

from inspector.trace.reader import TraceError, check_header
from inspector.tui.app import InspectorApp
from inspector.tui.sources import TraceFile


def check_trace(path: str) -> None:
    """Raise TraceError (one line for the user) unless `path` starts like a trace we
    can read; reads the first line only, so a big trace opens at once."""
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
    except ValueError:
        header = None
    check_header(header, path)


def run_replay(trace_path: str, follow: bool = False) -> int:
    """Show a recorded trace (`follow`: keep reading while it grows). Returns 0; raises
    TraceError before opening the app if the file is not a trace."""
    check_trace(trace_path)
    InspectorApp(TraceFile(trace_path, follow=follow)).run()
    return 0
