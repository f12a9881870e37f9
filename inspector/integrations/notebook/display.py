"""What a notebook shows under a cell that produced findings: plain text (terminal
IPython, and every front-end's fallback) and a compact HTML block (Jupyter).

Pure functions of findings and the trace state; every user string is escaped in the
HTML (tensor names, messages and paths can hold `<`)."""

from __future__ import annotations

import html

from inspector.analysis.model import Finding, SessionInfo, cell_place, known_file, known_line
from inspector.analysis.state import TraceState

_COLOURS = {"error": "#c62828", "warning": "#a66b00", "info": "#1565c0"}
FIX_MARK = " Fix: "


def place(file: str, line: int, cell: int | None) -> str:
    if cell is not None:
        return cell_place(cell, line)
    known = known_file(file)
    if known is None:
        return "no line of the script on the stack"
    number = known_line(line)
    return f"{known}:{number}" if number is not None else known


def split_fix(message: str) -> tuple[str, str | None]:
    """(the message, its fix) from a finding's message, which ends in ` Fix: ...`."""
    at = message.rfind(FIX_MARK)
    if at < 0:
        return message, None
    return message[:at], message[at + len(FIX_MARK):]


def _session_line(sess: SessionInfo | None) -> str | None:
    if sess is None:
        return None
    created = sess.created_site
    text = f"{sess.label}: created {place(created.file, created.line, created.cell)}"
    if not sess.known:
        text = f"{sess.label}: made before recording started, first used " \
               f"{place(created.file, created.line, created.cell)}"
    if sess.closed_site is not None:
        closed = sess.closed_site
        text += f", closed {place(closed.file, closed.line, closed.cell)} ({sess.closed_how})"
    else:
        text += ", open"
    return text


def finding_lines(state: TraceState, f: Finding) -> list[tuple[str, str]]:
    """The parts of one finding, as (role, text): title, session, message, fix."""
    message, fix = split_fix(f.message)
    parts = [("title", f"tfsess-inspect: {f.severity} {f.kind} at {place(f.file, f.line, f.cell)}")]
    session = _session_line(state.sessions.get(f.session))
    if session:
        parts.append(("session", session))
    parts.append(("message", message))
    if fix:
        parts.append(("fix", "Fix: " + fix))
    return parts


def as_text(state: TraceState, findings: list[Finding]) -> str:
    out = []
    for f in findings:
        for role, text in finding_lines(state, f):
            out.append(text if role == "title" else "  " + text)
    return "\n".join(out)


def as_html(state: TraceState, findings: list[Finding]) -> str:
    blocks = []
    for f in findings:
        colour = _COLOURS.get(f.severity, "#555")
        rows = []
        for role, text in finding_lines(state, f):
            esc = html.escape(text)
            if role == "title":
                rows.append(f'<div style="font-weight:bold;color:{colour}">{esc}</div>')
            elif role == "fix":
                rows.append(f'<div style="margin-left:1em;font-style:italic">{esc}</div>')
            else:
                rows.append(f'<div style="margin-left:1em">{esc}</div>')
        blocks.append(
            f'<div class="tfsess-finding" style="border-left:4px solid {colour};padding:2px 8px;'
            f'margin:4px 0;font-family:monospace;font-size:90%;white-space:pre-wrap">'
            + "".join(rows) + "</div>")
    return "".join(blocks)
