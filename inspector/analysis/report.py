"""The `report --format json` object (a public interface: change it only additively)."""

from __future__ import annotations

from typing import Any

from inspector.analysis.memory import session_peak, summary
from inspector.analysis.model import Finding, Site, known_file, known_line
from inspector.analysis.state import TraceState, may_be_missing


def _where(site: Site) -> dict[str, Any]:
    """A site as `{"file", "line"}`, each null when the trace has no such place."""
    return {"file": known_file(site.file), "line": known_line(site.line)}


def build_report(state: TraceState, findings: list[Finding], cut: bool = False) -> dict[str, Any]:
    sessions = []
    for s in sorted(state.sessions.values(), key=lambda s: s.id):
        closed = None
        if s.closed_site is not None:
            closed = {**_where(s.closed_site), "how": s.closed_how}
        sessions.append({
            "id": s.id,
            "pid": s.pid,
            "kind": s.kind,
            "target": s.target,
            "graph": s.graph,
            "created": _where(s.created_site),
            "closed": closed,
            "runs": s.runs,
            "errors": s.errors,
            "parent": s.parent or None,
            "peak_memory_bytes": session_peak(state.memory, s.created_ts, s.closed_ts, s.id) or None,
            "devices": None if s.devices is None else [
                {"name": n, "type": t, "memory_limit_bytes": m} for n, t, m in s.devices],
            "devices_error": s.devices_error,
        })
    header = {k: v for k, v in state.header.items() if k != "ev"}
    if state.tensorflow:
        header["tensorflow"] = state.tensorflow
    return {
        "trace": header,
        "events": state.event_count,
        "runs": len(state.runs),
        "sessions": sessions,
        "findings": [f.to_json() for f in findings],
        "memory": summary(state.memory),
        "exit": {
            "code": state.exit.code,
            "signal": state.exit.signal,
            "exception": state.exit.exception,
        },
        "cut": cut,
        "warnings": list(state.warnings),
        # The kinds of finding this trace cannot rule out: a TensorFlow path they need was
        # not watched on the running release (docs/compatibility.md).
        "may_be_missing": may_be_missing(state),
        "unwatched": [{"path": p, "findings": k} for p, k in state.unwatched.items()],
        # A notebook's trace: the notebook, and every cell execution in the order they ran.
        "notebook": state.notebook,
        "cells": [{"n": c.n, "id": c.cell_id, "file": c.file, "ok": c.ok, "error": c.error}
                  for c in state.cells],
    }
