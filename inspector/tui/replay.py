"""Open a finished trace in the same app (`tfsess-inspect replay TRACE`)."""

from __future__ import annotations

from inspector.trace.reader import check_trace_file
from inspector.tui.app import InspectorApp
from inspector.tui.sources import TraceFile


def run_replay(trace_path: str, follow: bool = False) -> int:
    """Show a recorded trace (`follow`: keep reading while it grows). Returns 0; raises
    TraceError before opening the app if the file is not a trace."""
    check_trace_file(trace_path)
    InspectorApp(TraceFile(trace_path, follow=follow)).run()
    return 0
