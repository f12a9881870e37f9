"""eager-in-session: tensors built eagerly (TF2's default) fetched through a Session.

The evidence is the run's recorded fetch summary (a fetch or feed the agent saw as an
EagerTensor or an eager variable), or else TensorFlow's own error when it names the
eager case. TensorFlow's error is quoted only when it is about eager tensors: a run on
a closed session fails with "Attempted to use a closed Session." whatever it was given,
which says nothing about eagerness (that is run-after-close's evidence)."""

from __future__ import annotations

from inspector.analysis.findings._words import at, call, created, finding_at_run, first_per_place
from inspector.analysis.model import Finding, Leaf
from inspector.analysis.state import TraceState

_MARKS = ("The Session graph is empty", "EagerTensor", "not supported when eager execution is enabled")
_SHOWN = 3  # eager items described by their dtype and shape; the rest are counted


def find_eager_in_session(state: TraceState) -> list[Finding]:
    found = []
    for run in state.runs.failed_runs():
        fetched = [leaf for leaf in run.fetch.fetches if leaf.kind == "eager"]
        fed = [leaf for leaf in run.fetch.feeds if leaf.kind == "eager"]
        # TensorFlow's words count only when the recorder saw no graph element in the
        # run: "The Session graph is empty" is also what a graph tensor run on a session
        # of an empty graph gets (a graph-mismatch, not this).
        in_a_graph = any(leaf.graph for leaf in run.fetch.fetches + run.fetch.feeds)
        said = bool(run.msg) and any(m in run.msg for m in _MARKS) and not in_a_graph
        if not fetched and not fed and not said:
            continue
        sess = state.sessions.get(run.session)
        message = f"{call(run)} at {at(run.site)} was given eager tensors: "
        if fetched or fed:
            message += _recorded_evidence(fetched, fed)
        else:
            message += f"TensorFlow said: {run.exc}: {run.msg.rstrip('.')}"
        message += (". On TensorFlow 2, tensors built outside a graph are computed at once (eager "
                    "execution) and never enter the session's graph, so a tf.compat.v1.Session "
                    "cannot run them")
        if (fetched or fed) and said:
            message += f" (TensorFlow said: {run.exc}: {run.msg.rstrip('.')})"
        elif (fetched or fed) and run.exc:
            message += (f" (this run failed first for another reason, {run.exc}; its eager tensors "
                        "would have failed it anyway)")
        message += (". Fix: call tf.compat.v1.disable_eager_execution() at the top of the script, or "
                    "build the tensors inside `with tf.Graph().as_default() as g:` and use "
                    "tf.compat.v1.Session(graph=g); in plain TF2 code, drop the session and use the "
                    "tensor's value (.numpy()).")
        found.append(finding_at_run("eager-in-session", "error", run, message,
                                    [created(sess)] if sess else []))
    return first_per_place(found)


def _recorded_evidence(fetched: list[Leaf], fed: list[Leaf]) -> str:
    """What the recorder saw in the run's arguments (its fetch summary), e.g. "the recorder
    saw its fetch as an eager tensor (int32, shape []): ..."."""
    parts = []
    for leaves, role in ((fetched, "fetch"), (fed, "feed")):
        if not leaves:
            continue
        described = ", ".join(_describe(leaf) for leaf in leaves[:_SHOWN])
        more = f" and {len(leaves) - _SHOWN} more" if len(leaves) > _SHOWN else ""
        if len(leaves) == 1:
            parts.append(f"its {role} as an eager tensor ({described})")
        else:
            parts.append(f"{len(leaves)} of its {role}es as eager tensors ({described}{more})")
    return ("the recorder saw " + " and ".join(parts)
            + ": an EagerTensor or a variable made in eager mode, which belongs to no graph")


def _describe(leaf: Leaf) -> str:
    dtype = leaf.dtype or "unknown dtype"
    if isinstance(leaf.shape, list):
        dims = ", ".join("?" if d is None else str(d) for d in leaf.shape)
        return f"{dtype}, shape [{dims}]"
    return dtype
