"""run-after-close: any run kind on a session that was closed before it."""

from __future__ import annotations

from inspector.analysis.cells import closed_out_of_order
from inspector.analysis.findings._words import (
    CLOSED_BY,
    at,
    call,
    created,
    finding_at_run,
    first_per_place,
)
from inspector.analysis.model import Finding, Related
from inspector.analysis.state import TraceState


def find_runs_after_close(state: TraceState) -> list[Finding]:
    found = []
    for run in state.runs.failed_runs():
        sess = state.sessions.get(run.session)
        if sess is None:
            continue
        how, site = _closed_before(state, run, sess)
        if how is None:
            continue
        closed_words = CLOSED_BY.get(how, how)
        message = (
            f"{call(run)} at {at(run.site)} used {sess.label} after it was closed "
            f"{closed_words} at {at(site)} (created at {at(sess.created_site)})."
        )
        if run.msg:
            message += f" TensorFlow said: {run.exc}: {run.msg}"
        story = closed_out_of_order(state, run.site, sess.created_site, site, sess.closed_event,
                                    "reset" if how == "reset" else "closed")
        if story:
            message += " " + story
        message += " " + _fix(how, sess.kind)
        related = [created(sess)]
        if site is not None:
            related.append(Related.at("closed", site, how))
        related += [Related.at("entered", s, h) for _, s, h in sess.entered[:1]]
        found.append(finding_at_run("run-after-close", "error", run, message, related))
    return first_per_place(found)


def _closed_before(state: TraceState, run, sess):
    if sess.closed_event is None or sess.closed_event > run.index:
        return None, None
    if sess.closed_how == "reset" and run.ok:
        return None, None  # a reset whose close did not reach this session
    # A run that finished after a close but started before it raced with the close;
    # it only counts if it failed.
    if run.ts >= (sess.closed_ts or 0) or not run.ok:
        return sess.closed_how, sess.closed_site
    return None, None


def _fix(how: str, kind: str) -> str:
    if how == "with":
        return "Fix: move the run inside the `with` block, or keep the session open until its last run."
    if how == "gc":
        return "Fix: keep a reference to the session (and close it explicitly) while it is still used."
    if how == "reset":
        return "Fix: make a new session after Session.reset(), or reset after the last run."
    if "Monitored" in kind:
        return ("A closed monitored session fails with \"'NoneType' object has no attribute 'run'\". "
                "Fix: run inside its `with` block, or close it after the last run.")
    return "Fix: run before close(), or close the session after its last run (try/finally or a `with` block)."
