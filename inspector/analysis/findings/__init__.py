"""Findings: one module per kind, each a pure function of the trace state.

Where is `run-after-close` decided? In `run_after_close.py`. Adding a kind means one
module here, its entry in FINDERS, and its tests.
"""

from __future__ import annotations

from collections.abc import Callable

from inspector.analysis.findings.double_close import find_double_closes
from inspector.analysis.findings.eager_in_session import find_eager_in_session
from inspector.analysis.findings.graph_mismatch import find_graph_mismatches
from inspector.analysis.findings.no_default_session import find_no_default_session
from inspector.analysis.findings.run_after_close import find_runs_after_close
from inspector.analysis.findings.session_leak import find_session_leaks
from inspector.analysis.model import Finding
from inspector.analysis.state import TraceState

FINDERS: list[Callable[[TraceState], list[Finding]]] = [
    find_runs_after_close,
    find_no_default_session,
    find_graph_mismatches,
    find_eager_in_session,
    find_session_leaks,
    find_double_closes,
]

# What each kind means, for help texts (SARIF rules, the TUI's help screen).
KINDS: dict[str, str] = {
    "run-after-close": "A run (sess.run, a callable, eval, op.run, a monitored run) on a session that was already closed.",
    "no-default-session": "Tensor.eval() or Operation.run() with no default session registered.",
    "graph-mismatch": "A fetch or feed from another graph than the session's.",
    "eager-in-session": "Eagerly built tensors (TensorFlow 2's default) fetched through a tf.compat.v1.Session.",
    "session-leak": "A session still open when the script finished.",
    "double-close": "A session closed more than once.",
}


def find_all(state: TraceState) -> list[Finding]:
    """All findings, in the order their events happened."""
    found: list[Finding] = []
    for finder in FINDERS:
        found.extend(finder(state))
    found.sort(key=lambda f: (f.event if f.event is not None else 1 << 62))
    return found
