"""The source pane's gutter marks: where the selected event's session was created,
closed or entered, where a `with` block that made it the default ended, and the line a
finding (or the script's failure) is about.

Every mark is a symbol and a note in words, never a colour alone (monochrome terminals,
colour-blind users, screenshots). The session's own marks are drawn whichever finding
is shown: a finding's related lines come on top of them, not instead of them.
"""

from __future__ import annotations

from inspector.analysis import playhead
from inspector.analysis.model import Finding, SessionInfo
from inspector.tui.source_pane import Mark

MARKS = {
    "created": Mark("+", "created", "created"),
    "closed": Mark("×", "closed", "closed"),
    "entered": Mark(">", "entered", "entered"),
    "default-ended": Mark("-", "closed", "default ended"),
}
FINDING_SYMBOL = "!"  # the line a finding or the script's failure is about


def add_mark(marks: dict[int, Mark], line: int, base: Mark, note: str) -> None:
    """One gutter mark per line: a line that both created and closed a session (a
    `with` statement) gets both symbols and both notes."""
    old = marks.get(line)
    if old is None:
        marks[line] = Mark(base.symbol, base.role, note)
    elif note not in old.note:
        symbol = (old.symbol + base.symbol)[:2]
        role = old.role if old.role == "finding" else (
            "closed" if "closed" in (old.role, base.role) else old.role)
        marks[line] = Mark(symbol, role, f"{old.note} · {note}")


def _ended_note(how: str | None, line: int) -> str:
    """What a `default-ended` mark says: the block's end is reported at its `with`
    line (Python's `__exit__` has no line of its own), so say it that way."""
    if how in ("as_default", "with"):
        return f"the `with` block that starts at line {line} ended"
    return "default ended" + (f" ({how})" if how else "")


def marks_for(sess: SessionInfo | None, finding: Finding | None, file: str, line: int | None,
              as_of: int | None = None, failure: str | None = None) -> dict[int, Mark]:
    """The marks for `file`, drawn around `line` (the selected event's, or the
    finding's). `as_of` (replay): the playhead's event; a close after it is not marked.
    `failure`: the words for the line itself when it is the script's failing line."""
    marks: dict[int, Mark] = {}
    if finding is not None and line:
        marks[line] = Mark(FINDING_SYMBOL, "finding", finding.kind)
    elif failure and line:
        marks[line] = Mark(FINDING_SYMBOL, "finding", failure)
    label = f"{sess.label} " if sess is not None else ""
    if sess is not None:
        if sess.created_site.file == file and sess.created_site.line != line:
            add_mark(marks, sess.created_site.line, MARKS["created"], label + "created")
        cs = sess.closed_site
        if as_of is not None and playhead.session_phase(sess, as_of) != "closed":
            cs = None  # replay: not closed yet as of the playhead
        if cs is not None and cs.file == file and cs.line != line:
            how = f" ({sess.closed_how})" if sess.closed_how != "explicit" else ""
            add_mark(marks, cs.line, MARKS["closed"], label + "closed" + how)
    if finding is not None:
        for rel in finding.related:
            if rel.file != file or not rel.line or rel.line == line:
                continue
            base = MARKS.get(rel.role, Mark("•", "entered", rel.role))
            if rel.role == "default-ended":
                note = _ended_note(rel.how, rel.line)
            else:
                note = base.note + (f" ({rel.how})" if rel.how and rel.how != "explicit" else "")
            add_mark(marks, rel.line, base, label + note)
    return marks
