"""Processes forked by a test: each records into a trace of its own beside the run's
(`<run trace stem>.child-<pid>.jsonl`, inspector/agent/children.py) and announces itself
with a `proc` line in the run's trace, which the plugin reads among the test's events.
A finding in such a child is the test's, as if the test's own process had made it."""

from __future__ import annotations

import glob
import os
from typing import Any

# Nothing of the agent at import: pytest loads the plugin in every run, and without
# --tfsess it must import none of it.


def forked_pids(events: list[dict[str, Any]]) -> set[int]:
    """The pids of the children forked during these events (their `proc` lines)."""
    return {ev["pid"] for ev in events
            if ev.get("ev") == "proc" and ev.get("how") == "fork" and isinstance(ev.get("pid"), int)}


def findings_in(run_trace: str, pids: set[int]) -> list[Any]:
    """The findings about events of these children: the run's trace merged with its
    children's traces (ids of sessions made before the fork resolve to the parent's),
    analysed as one, and kept only where the event is a child's."""
    from inspector.analysis import find_all
    from inspector.analysis.state import StateBuilder
    from inspector.trace.merge import iter_merged

    tail, batches = iter_merged(run_trace)
    events = [ev for batch in batches for ev in batch]
    builder = StateBuilder(tail.header or {})
    builder.feed_all(events)
    return [f for f in find_all(builder.state)
            if f.event is not None and 0 <= f.event < len(events)
            and events[f.event].get("pid") in pids]


def remove_child_traces(run_trace: str) -> None:
    """The children's files of a temporary run trace (trace, run records, output)."""
    from inspector.agent.children import child_trace_path

    pattern = glob.escape(child_trace_path(run_trace, 0)).replace(".child-0.", ".child-*.")
    for path in glob.glob(pattern) + glob.glob(pattern + ".*"):
        try:
            os.unlink(path)
        except OSError:
            pass
