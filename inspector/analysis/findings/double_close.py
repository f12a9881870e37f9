"""double-close (info): close() on a session that was already closed. Harmless, but
it often means two owners think they manage the same session."""

from __future__ import annotations

from inspector.analysis.findings._words import at, created
from inspector.analysis.model import Finding, Related
from inspector.analysis.state import TraceState


def find_double_closes(state: TraceState) -> list[Finding]:
    found = []
    for item in state.lifecycle:
        if item.ev != "close" or not item.already_closed or item.how == "gc":
            continue
        sess = state.sessions.get(item.session)
        if sess is None or sess.parent:
            continue
        first = sess.closed_site
        message = (f"{sess.label} was closed again at {at(item.site)}; it was already closed at "
                   f"{at(first)}. Harmless, but only one place should own the session's lifetime.")
        related = [created(sess)]
        if first is not None:
            related.append(Related.at("closed", first, sess.closed_how))
        found.append(Finding("double-close", "info", item.site.file, item.site.line,
                             item.site.function, sess.id, message, related, item.index,
                             cell=item.site.cell))
    return found
