"""graph-mismatch: a fetch or feed from another graph than the session's."""

from __future__ import annotations

from inspector.analysis.findings._graph_resets import graph_reset_story
from inspector.analysis.findings._words import at, call, created, finding_at_run, first_per_place
from inspector.analysis.model import Finding
from inspector.analysis.state import TraceState

_MARKS = ("is not an element of this graph", "graph is different from the session's graph",
          "must be from the same graph")


def find_graph_mismatches(state: TraceState) -> list[Finding]:
    found = []
    for run in state.runs.failed_runs():
        sess = state.sessions.get(run.session)
        foreign = []
        if sess is not None and sess.graph:
            foreign = [
                leaf for leaf in run.fetch.fetches + run.fetch.feeds
                if leaf.graph and leaf.graph != sess.graph and leaf.kind != "eager"
            ]
        said = bool(run.msg) and any(m in run.msg for m in _MARKS)
        if not foreign and not said:
            continue
        label = sess.label if sess else "the session"
        names = ", ".join(repr(leaf.name) for leaf in foreign[:3] if leaf.name)
        message = f"{call(run)} at {at(run.site)} "
        if foreign:
            message += (f"used {names or 'tensors'} from graph #{foreign[0].graph}, "
                        f"but {label} runs graph #{sess.graph}")
        else:
            message += f"used a tensor from another graph than {label}'s"
        if sess is not None:
            message += f" (session created at {at(sess.created_site)})"
        if run.msg:
            message += f". TensorFlow said: {run.exc}: {run.msg.rstrip('.')}"
        story = graph_reset_story(state, sess, run) if sess is not None else None
        if story:
            message += ". " + story.rstrip(".")
        message += (". Fix: build the tensors in the session's graph (`with graph.as_default():` and "
                    "`tf.compat.v1.Session(graph=graph)`), or run them in a session of their own graph.")
        found.append(finding_at_run("graph-mismatch", "error", run, message,
                                    [created(sess)] if sess else []))
    return first_per_place(found)
