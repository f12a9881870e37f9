"""The state of a trace's writer, for a view that follows a trace another process is
writing (`tfsess-inspect follow`): only the trace says how its writer is doing."""

from __future__ import annotations

from inspector.analysis.state import TraceState

# A writer that has said nothing for this long is shown as quiet ("no news for 12 s"),
# never as hung: a training step, a notebook waiting for its user, a job between epochs
# can all be silent for minutes.
NO_NEWS_AFTER_S = 5.0


def writer_state(state: TraceState | None) -> str:
    """`starting` (no header yet), `running`, or `exited` (the trace has its `end`)."""
    if state is None:
        return "starting"
    if state.exit.end_ts is not None:
        return "exited"
    return "running"


def quiet_note(state: TraceState | None, quiet_s: float) -> str | None:
    """What to say of a running writer that has not added to its trace for `quiet_s`
    seconds: None while it is recent news."""
    if writer_state(state) != "running" or quiet_s < NO_NEWS_AFTER_S:
        return None
    if state is not None and not state.recording:
        return f"recording off (%tfsess off) · no news for {_seconds(quiet_s)}"
    return f"no news for {_seconds(quiet_s)}"


def _seconds(s: float) -> str:
    s = int(s)
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} min"
    return f"{s // 3600} h"
