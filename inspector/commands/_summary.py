"""The human summary of a trace (end of `run --no-tui`, and `report --format text`)."""

from __future__ import annotations

import os

from rich.console import Console, RenderableType
from rich.text import Text

from inspector.analysis.memory import format_bytes, session_peak, summary
from inspector.analysis.model import Finding, SessionInfo, cell_place, known_file, known_line
from inspector.analysis.state import TraceState, may_be_missing
from inspector.tui.text import clean

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
# Said instead of a file and line the trace does not have (say, a session dropped by a
# thread that runs no Python code of the script).
NO_PLACE = "no line of the script on the stack"
_CLOSED_BY = {"explicit": "by close()", "with": "when its `with` block ended",
              "gc": "by garbage collection", "reset": "by Session.reset()"}


def _rel(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = path
    return clean(rel if not rel.startswith("..") else path)


def _place(file: str, line: int, cell: int | None = None, notebook: str | None = None) -> str | None:
    """`file:line` (relative when under the working directory), `file` alone when the line
    is unknown, None when the file is; in a notebook's cell, `NOTEBOOK cell [7], line 3`."""
    if cell is not None:
        where = cell_place(cell, line)
        return f"{_rel(notebook)} {where}" if notebook else where
    known = known_file(file)
    if known is None:
        return None
    number = known_line(line)
    return f"{_rel(known)}:{number}" if number is not None else _rel(known)


def _memory_line(state: TraceState) -> Text | None:
    """One line: the peak of each device, per source (`rss`: the process's resident memory)."""
    per_device: dict[str, list[str]] = {}
    for entry in summary(state.memory):
        if not entry["peak_bytes"]:
            continue  # (see print_summary: no "0 B" peaks)
        per_device.setdefault(entry["device"], []).append(
            f"{format_bytes(entry['peak_bytes'])} {entry['source']}")
    if not per_device:
        return None
    line = Text("  memory peak: ", style="bold")
    line.append(" · ".join(f"{dev} {', '.join(parts)}" for dev, parts in per_device.items()))
    return line


_DEVICES_SHOWN = 3  # a cluster can have hundreds: the line stays one line


def _devices_line(s: SessionInfo) -> Text | None:
    """A remote session's target and what its list_devices() said (`devices` event);
    None for the local target, whose devices are the process's own."""
    if not s.target:
        return None
    line = Text(f"    target {clean(s.target)}, devices")
    if s.devices_error is not None:
        line.append(f": {clean(s.devices_error)}", style="yellow")
    elif s.devices is None:
        # asked only after a successful run (docs/trace-format.md): often none at all
        line.append(" not listed", style="dim")
    else:
        names = [clean(name) for name, _, _ in s.devices[:_DEVICES_SHOWN]]
        if len(s.devices) > _DEVICES_SHOWN:
            line.append(f" ({len(s.devices)}): {', '.join(names)}, …")
        else:
            line.append(f": {', '.join(names) or 'none'}")
    return line


_MESSAGE_INDENT = 4


def _emit(console: Console, renderable: RenderableType) -> None:
    """Print one logical line. On a terminal it wraps to the terminal's width; anywhere
    else (a CI log, a file, a pipe) it stays one line however long: Rich would wrap it at
    an assumed 80 columns, breaking paths and messages apart for whoever greps the log."""
    console.print(renderable, soft_wrap=not console.is_terminal)


def _emit_indented(console: Console, message: Text) -> None:
    """The message below its finding, indented; on a terminal, wrapped lines keep the indent."""
    indent = " " * _MESSAGE_INDENT
    if not console.is_terminal:
        _emit(console, Text(indent) + message)
        return
    for piece in message.wrap(console, max(20, console.width - _MESSAGE_INDENT)):
        piece.rstrip()
        _emit(console, Text(indent) + piece)


def _watch_lines(state: TraceState) -> list[Text]:
    """What the recorder could not watch on this TensorFlow: never a silent "no findings"."""
    lines = []
    if state.untested:
        lines.append(Text("  " + clean(state.untested), style="yellow"))
    if state.unwatched:
        text = "  not watched on this TensorFlow: " + ", ".join(clean(p) for p in state.unwatched)
        missing = may_be_missing(state)
        if missing:
            text += "; findings that may be missing: " + ", ".join(clean(k) for k in missing)
        lines.append(Text(text, style="yellow"))
    return lines


def print_summary(console: Console, state: TraceState, findings: list[Finding], trace_path: str,
                  cut: bool = False) -> None:
    # Every user-controlled string goes in through Text.append (never parsed as markup)
    # and through clean() (escape sequences shown, not sent to the terminal).
    sessions = state.user_sessions()
    head = Text("tfsess-inspect: ", style="bold")
    head.append(f"sessions {len(sessions)} · runs {len(state.runs)} · findings {len(findings)}")
    counts = [(sum(1 for f in findings if f.severity == sev), sev) for sev in _STYLE]
    said = [(n, sev) for n, sev in counts if n]
    if said:  # every severity counted, so a warning is not a bare number
        head.append(" (")
        for i, (n, sev) in enumerate(said):
            head.append(", " if i else "")
            head.append(f"{n} {sev}{'s' if n != 1 and sev != 'info' else ''}",
                        style="bold red" if sev == "error" else _STYLE[sev])
        head.append(")")
    _emit(console, head)
    for s in sessions:
        line = Text(f"  {clean(s.label):<24}", style="bold")
        created = _place(s.created_site.file, s.created_site.line, s.created_site.cell,
                         state.notebook)
        line.append(f" created {created}" if created else f" created ({NO_PLACE})")
        if s.closed_site is not None:
            closed = _place(s.closed_site.file, s.closed_site.line, s.closed_site.cell,
                            state.notebook)
            how = clean(str(s.closed_how))
            if closed:
                line.append(f", closed {closed} ({how})")
            else:
                line.append(f", closed {_CLOSED_BY.get(how, f'({how})')} ({NO_PLACE})")
        else:
            line.append(", never closed", style="yellow")
        line.append(f", {s.runs} run{'s' if s.runs != 1 else ''}")
        if s.errors:
            line.append(f", {s.errors} failed", style="red")
        peaks = session_peak(state.memory, s.created_ts, s.closed_ts, s.id)
        # (A source that never reported anything, an allocator an eager script never
        # used, is left out rather than shown as a peak of 0 B.)
        shown = [f"{clean(dev)} {format_bytes(v)} {clean(src)}"
                 for dev, by_source in peaks.items() for src, v in by_source.items() if v]
        if shown:
            line.append(", peak " + ", ".join(shown))
        _emit(console, line)
        devices = _devices_line(s)
        if devices is not None:
            _emit(console, devices)
    memory = _memory_line(state)
    if memory is not None:
        _emit(console, memory)
    for f in findings:
        # The finding on one line, its message on the next, indented (on a terminal,
        # every wrapped line of it keeps the indent).
        line = Text("  ")
        line.append(f"{f.severity:<7} ", style=_STYLE.get(f.severity, ""))
        line.append(f"{f.kind}", style="bold")
        place = _place(f.file, f.line, f.cell, state.notebook)
        if place:
            line.append(f"  {place}", style="underline")
        else:
            line.append(f"  ({NO_PLACE})")
        _emit(console, line)
        _emit_indented(console, Text(clean(f.message)))
    for line in _watch_lines(state):
        _emit(console, line)
    if cut:
        _emit(console, Text("  the trace ends in a cut line: the script died while it was being written",
                            style="yellow"))
    tail = Text(f"  trace: {_rel(trace_path)}", style="dim")
    _emit(console, tail)
