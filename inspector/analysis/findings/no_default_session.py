"""no-default-session: eval() / Operation.run() with no default session registered."""

from __future__ import annotations

from inspector.analysis.findings._words import at, call, finding_at_run, first_per_place
from inspector.analysis.model import Finding, Related
from inspector.analysis.state import TraceState

_MARK = "No default session is registered"


def find_no_default_session(state: TraceState) -> list[Finding]:
    found = []
    for run in state.runs.failed_runs():
        if run.kind not in ("eval", "operation-run") or run.ok or run.session:
            continue
        if run.msg and _MARK not in run.msg and run.exc != "ValueError":
            continue
        ended = _last_default_end(state, run)
        message = f"{call(run)} at {at(run.site)} ran with no default session registered"
        related = []
        if ended is not None:
            sess = state.sessions.get(ended.session)
            label = sess.label if sess else "the session"
            what = "its `with ... as_default()` block ended" if ended.how == "as_default" else (
                "its `with` block ended" if ended.how == "with" else "it was closed")
            message += f": {label} stopped being the default at {at(ended.site)} when {what}"
            related.append(Related.at("default-ended", ended.site, ended.how))
        message += (". Fix: evaluate inside `with sess.as_default():` (or the session's `with` block), "
                    "or pass the session explicitly: `t.eval(session=sess)` / `sess.run(t)`.")
        found.append(finding_at_run("no-default-session", "error", run, message, related))
    return first_per_place(found)


def _last_default_end(state: TraceState, run):
    """The last event before the run that ended a default session in its thread."""
    best = None
    for item in state.lifecycle:
        if item.index > run.index:
            break
        if item.ev == "exit" and item.how in ("as_default", "with"):
            best = item
        elif item.ev == "close":
            sess = state.sessions.get(item.session)
            if sess is not None and sess.kind == "InteractiveSession":
                best = item
    return best
