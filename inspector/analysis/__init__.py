"""Pure functions from trace events to sessions, runs and findings (no I/O, no UI)."""

from inspector.analysis.findings import find_all
from inspector.analysis.state import TraceState, build_state

__all__ = ["TraceState", "build_state", "find_all"]
