"""Load a trace and analyse it: shared by report, replay and export."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.analysis import build_state, find_all
from inspector.analysis.model import Finding
from inspector.analysis.state import TraceState
from inspector.commands import CommandError
from inspector.trace.reader import TraceError, read_trace


@dataclass
class Loaded:
    path: str
    state: TraceState
    findings: list[Finding]
    cut: bool
    bad_lines: int


def load_trace(path: str) -> Loaded:
    try:
        data = read_trace(path)
    except TraceError as exc:
        raise CommandError(str(exc)) from None
    state = build_state(data.header, data.events)
    return Loaded(path, state, find_all(state), data.cut, data.bad_lines)
