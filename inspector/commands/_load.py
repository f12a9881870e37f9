"""Load a trace and analyse it: shared by report, replay and export."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from inspector.analysis import find_all
from inspector.analysis.model import Finding
from inspector.analysis.state import StateBuilder, TraceState
from inspector.commands import CommandError
from inspector.trace.merge import iter_merged
from inspector.trace.reader import TraceError


@dataclass
class Loaded:
    path: str
    state: TraceState
    findings: list[Finding]
    cut: bool
    bad_lines: int


def load_trace(path: str) -> Loaded:
    """Read and analyse a trace batch by batch (a million-run trace never exists as a
    million dicts at once)."""
    try:
        tail, batches = iter_merged(path, bulk_runs=True)  # with the script's children
        builder = StateBuilder(tail.header)
        for batch in batches:
            builder.feed_all(batch)
    except TraceError as exc:
        raise CommandError(str(exc)) from None
    state = builder.state
    if tail.bad_lines:
        # Lines that are not JSON events (binary data, invalid UTF-8, a huge line of
        # garbage) are skipped; the user hears of it once, on stderr.
        n = tail.bad_lines
        sys.stderr.write(f"tfsess-inspect: warning: {path}: {n} line{'s' if n != 1 else ''} skipped "
                         f"(not a JSON event: binary data or invalid UTF-8)\n")
    if tail.bad_runs:
        n = tail.bad_runs
        sys.stderr.write(f"tfsess-inspect: warning: {path}: {n} run record{'s' if n != 1 else ''} "
                         f"skipped (not a run of this trace)\n")
    if tail.runs_cut:
        sys.stderr.write(f"tfsess-inspect: warning: {path}: its run file is cut short inside "
                         f"a record (the runs before it are all there)\n")
    return Loaded(path, state, find_all(state), tail.cut, tail.bad_lines)
