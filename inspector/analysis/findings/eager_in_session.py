"""eager-in-session: tensors built eagerly (TF2's default) fetched through a Session."""

from __future__ import annotations

from inspector.analysis.findings._words import at, call, created, finding_at_run, first_per_place
from inspector.analysis.model import Finding
from inspector.analysis.state import TraceState

_MARKS = ("The Session graph is empty", "EagerTensor", "not supported when eager execution is enabled")


def find_eager_in_session(state: TraceState) -> list[Finding]:
    found = []
    for run in state.runs.failed_runs():
        eager = [leaf for leaf in run.fetch.fetches + run.fetch.feeds if leaf.kind == "eager"]
        said = bool(run.msg) and any(m in run.msg for m in _MARKS)
        if not eager and not said:
            continue
        sess = state.sessions.get(run.session)
        message = (
            f"{call(run)} at {at(run.site)} was given eager tensors: on TensorFlow 2, tensors built "
            "outside a graph are computed at once (eager execution) and never enter the session's "
            "graph, so a tf.compat.v1.Session cannot run them"
        )
        if run.msg:
            message += f" (TensorFlow said: {run.exc}: {run.msg})"
        message += (". Fix: call tf.compat.v1.disable_eager_execution() at the top of the script, or "
                    "build the tensors inside `with tf.Graph().as_default() as g:` and use "
                    "tf.compat.v1.Session(graph=g); in plain TF2 code, drop the session and use the "
                    "tensor's value (.numpy()).")
        found.append(finding_at_run("eager-in-session", "error", run, message,
                                    [created(sess)] if sess else []))
    return first_per_place(found)
