"""Shared phrasing for finding messages."""

from __future__ import annotations

import os

from inspector.analysis.model import Finding, Related, Run, SessionInfo, Site, cell_place

CALLS = {
    "run": "sess.run()",
    "partial_run": "sess.partial_run()",
    "partial_run_setup": "sess.partial_run_setup()",
    "callable": "a callable from sess.make_callable()",
    "eval": ".eval()",
    "operation-run": "op.run()",
    "monitored-run": "a monitored session's run()",
}

CLOSED_BY = {
    "explicit": "by close()",
    "with": "when its `with` block ended",
    "gc": "when it was garbage-collected",
    "reset": "by Session.reset()",
}


def call(run: Run) -> str:
    return CALLS.get(run.kind, run.kind)


def at(site: Site | None) -> str:
    if site is None or not site.line:
        return "an unknown line"
    if site.cell is not None:
        return cell_place(site.cell, site.line)
    return f"{os.path.basename(site.file)}:{site.line}"


def created(sess: SessionInfo) -> Related:
    return Related.at("created", sess.created_site)


def finding_at_run(kind: str, severity: str, run: Run, message: str, related: list[Related]) -> Finding:
    return Finding(
        kind=kind,
        severity=severity,
        file=run.site.file,
        line=run.site.line,
        function=run.site.function,
        session=run.session,
        message=message,
        related=related,
        event=run.index,
        cell=run.site.cell,
    )


def first_per_place(findings: list[Finding]) -> list[Finding]:
    """A loop that repeats a mistake a thousand times is one finding, not a thousand."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.kind, f.session, f.file, f.line)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
