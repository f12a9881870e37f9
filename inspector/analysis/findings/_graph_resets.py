"""The story a graph-mismatch finding tells when `tf.compat.v1.reset_default_graph()`
ran between a session's creation and the failing run: the session still runs the old
graph, tensors built since are on the new one. In a notebook, naming the cells (the reset
cell executed after the cell that made the session). Pure functions of the trace state."""

from __future__ import annotations

from inspector.analysis.cells import cell_run
from inspector.analysis.findings._words import at
from inspector.analysis.model import Run, SessionInfo
from inspector.analysis.state import GraphReset, TraceState


def reset_between(state: TraceState, sess: SessionInfo, run: Run) -> GraphReset | None:
    """The last default-graph reset of the session's process after it was created and
    before `run`, that left a graph other than the session's as the default."""
    found = None
    for reset in state.graph_resets:
        if reset.index >= run.index:
            break
        if reset.index > sess.event and reset.pid == sess.pid and reset.graph != sess.graph:
            found = reset
    return found


def graph_reset_story(state: TraceState, sess: SessionInfo, run: Run) -> str | None:
    """What a reset of the default graph did to this session's run; None if none ran."""
    reset = reset_between(state, sess, run)
    if reset is None:
        return None
    resetter = cell_run(state, reset.site.cell)
    maker = cell_run(state, sess.created_site.cell)
    if resetter is not None and maker is not None and resetter.index > maker.index:
        user = cell_run(state, run.site.cell)
        tensors = f"the tensors cell [{user.n}] runs" if user is not None else "tensors built since"
        return (f"Cell [{resetter.n}] reset the default graph after cell [{maker.n}] created "
                f"{sess.label} on the old one: {tensors} are on the new graph. Re-run cell "
                f"[{maker.n}] after the reset (it makes a session on the new graph), or build "
                f"the graph and the session in one cell.")
    return (f"The default graph was reset at {at(reset.site)}, after {sess.label} was created: "
            f"tensors built since are on the new graph.")
