"""session-leak: a session still open when the script's own code finished."""

from __future__ import annotations

from inspector.analysis.findings._words import at
from inspector.analysis.model import Finding
from inspector.analysis.state import TraceState


def find_session_leaks(state: TraceState) -> list[Finding]:
    end = state.exit.script_end_ts
    if end is None or state.exit.script_end == "bad-target":
        return []  # still running, or killed: "open at the end" means nothing yet
    what = "notebook" if state.notebook is not None else "script"
    found = []
    for sess in state.user_sessions():
        if sess.closed_ts is not None and sess.closed_ts <= end:
            continue
        site = sess.created_site
        message = (
            f"{sess.label}, created at {at(site)}, was still open when the {what} finished "
            f"({sess.runs} runs). It holds its graph's resources (and device memory) until "
            "garbage collection. Fix: use `with tf.compat.v1.Session() as sess:` or call "
            "sess.close() in a `finally:` block."
        )
        found.append(Finding("session-leak", "warning", site.file, site.line, site.function,
                             sess.id, message, [], sess.event, cell=site.cell))
    return found
