"""Open a finished trace in the same app (`tfsess-inspect replay TRACE`)."""

from __future__ import annotations

from inspector.tui.app import InspectorApp
from inspector.tui.sources import TraceFile


def run_replay(trace_path: str, follow: bool = False) -> int:
    """Show a trace. Returns 0 (the app's own status, not the script's)."""
    InspectorApp(TraceFile(trace_path, follow=follow)).run()
    return 0
