"""What the plugin says about a finding: its place relative to the test run's root (or
words when the trace has none) and the text that fails a test phase."""

from __future__ import annotations

import os
from collections.abc import Callable


def rel(path: str, rootpath: str) -> str:
    """`path` relative to the run's root when it is under it."""
    try:
        relative = os.path.relpath(path, rootpath)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def where(file: str, line: int, rootpath: str) -> str:
    """`file:line`, `file` when the line is unknown, words when the file is."""
    # (Imported here: the plugin module is imported in every pytest run, on or off.)
    from inspector.analysis.model import known_file, known_line

    known = known_file(file)
    if known is None:  # no line of the script (or test) was on the stack
        return "(no line of the script on the stack)"
    return f"{rel(known, rootpath)}:{line}" if known_line(line) else rel(known, rootpath)


def failure_text(errors: list, when: str, where: Callable[[str, int], str]) -> str:
    """The report of a phase failed by session errors: each with its place and related lines."""
    lines = [f"tfsess-inspect: {len(errors)} TensorFlow session error"
             f"{'s' if len(errors) != 1 else ''} in this test"
             f"{'' if when == 'call' else f' ({when})'}:"]
    for f in errors:
        lines.append(f"{where(f.file, f.line)}: {f.kind}: {f.message}")
        for r in f.related:
            how = f" ({r.how})" if r.how else ""
            lines.append(f"    {r.role}{how} at {where(r.file, r.line)}")
    return "\n".join(lines)
