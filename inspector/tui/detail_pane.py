"""The detail pane: every field of the selected event."""

from __future__ import annotations

import os

from rich.table import Table
from rich.text import Text

from inspector.analysis.model import Finding, Leaf
from inspector.analysis.playhead import session_phase
from inspector.tui.events_table import KIND_NAMES, fmt_dur
from inspector.tui.places import in_function, site_place
from inspector.tui.text import clean, one_line
from inspector.tui.text_view import TextView
from inspector.tui.time_axis import format_size
from inspector.tui.view import EventInfo, TraceView

LABEL = "bold"


def _leaf(leaf: Leaf) -> str:
    name = leaf.name if leaf.name is not None else f"<{leaf.kind}>"
    if leaf.kind == "op" or (leaf.dtype is None and leaf.shape is None):
        # An op has no value (no dtype, no shape): say what it is, not `? ?`.
        return f"{name}  {leaf.kind}  [graph {leaf.graph}]"
    shape = "?" if leaf.shape is None else (
        "(" + ", ".join("?" if d is None else str(d) for d in leaf.shape) + ")"
        if isinstance(leaf.shape, list) else str(leaf.shape))
    return f"{name}  {leaf.dtype or '?'} {shape}  [{leaf.kind}, graph {leaf.graph}]"


def describe(view: TraceView, info: EventInfo, finding: Finding | None, cwd: str | None,
             as_of: int | None = None):
    """A two-column grid of the event's fields (values wrap in their column). With
    `as_of` (replay: the playhead's event), a session closed after it is said open."""
    st = view.state
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style=LABEL, justify="right", no_wrap=True)
    grid.add_column(overflow="fold")

    def field(name: str, value: str | Text, style: str = "") -> None:
        grid.add_row(name, value if isinstance(value, Text) else Text(one_line(value), style))

    def items(leaves, total: int) -> Text:
        text = Text()
        for leaf in leaves:
            text.append("• " + one_line(_leaf(leaf)) + "\n")
        if total > len(leaves):
            text.append(f"… {total - len(leaves)} more\n", "dim")  # (no noun: no plural)
        text.rstrip()
        return text

    sess = st.sessions.get(info.session)
    field("event", f"{KIND_NAMES.get(info.kind, info.kind)}  (trace event {info.index})")
    field("time", f"{info.ts / 1e9:.6f} s")
    if sess is not None:
        still_open = sess.closed_ts is None or (
            as_of is not None and session_phase(sess, as_of) != "closed")
        closed = "open" if still_open else (
            f"closed ({sess.closed_how}) at "
            f"{site_place(sess.closed_site.file, sess.closed_site.line, sess.closed_site.cell, os.path.basename)}"
            if sess.closed_site else f"closed ({sess.closed_how})")
        created = site_place(sess.created_site.file, sess.created_site.line,
                             sess.created_site.cell, os.path.basename)
        field("session", f"{sess.label}  created at {created}, {closed}")
        if sess.target:
            field("target", sess.target)
        if sess.devices:  # a remote target's list_devices()
            field(f"devices {len(sess.devices)}",
                  Text("\n".join(one_line(f"{n} ({t})") for n, t, _ in sess.devices)))
    site = info.site
    field("site", site_place(site.file, site.line, site.cell, lambda f: _rel(f, cwd))
          + in_function(site.function))
    if info.run is not None:
        run = info.run
        field("duration", fmt_dur(run.dur))
        thread = st.threads.get(run.thread, {}).get("name", "?")
        field("thread", f"{thread} ({run.thread})")
        memory = getattr(st, "memory", None)
        if memory:  # in use when the run started (and ended, if it changed)
            for device, source in memory.keys()[:4]:
                before = memory.value_at(device, source, run.ts)
                after = memory.value_at(device, source, run.ts + run.dur)
                if not (before and before[0]) and not (after and after[0]):
                    continue  # nothing in use (a source that stays at 0 says nothing)
                text = format_size(before[0]) if before else "?"
                if after and (before is None or after[0] != before[0]):
                    text += f" → {format_size(after[0])}"
                field("memory", f"{device} {source} {text}")
        for device, delta in getattr(st, "run_memory", {}).get(info.index, {}).items():
            sign = "+" if delta > 0 else "−"
            field("memory Δ", f"{device} {sign}{format_size(abs(delta))} across this run")
        if run.ok:
            field("outcome", "ok", "green")
        else:
            field("outcome", f"{run.exc}: {run.msg}", "red")
        fs = run.fetch
        field(f"fetches {fs.nfetch}", items(fs.fetches, fs.nfetch))
        field(f"feeds {fs.nfeed}", items(fs.feeds, fs.nfeed))
    elif info.life is not None:
        if info.life.how:
            field("how", info.life.how)
        if info.life.ev == "exit" and info.life.how in ("as_default", "with") and site.line:
            field("note", f"the `with` block that starts at line {site.line} ended (Python "
                          "gives a block's end the line of its `with`)")
        if info.life.already_closed:
            field("note", "the session was already closed", "red")
    if site.stack:
        stack = Text(style="dim")
        for file, line, func in site.stack:
            stack.append(one_line(f"{_rel(file, cwd)}:{line} in {func}") + "\n")
        stack.rstrip()
        field("stack", stack)
    if finding is not None:
        field(finding.severity, Text(finding.kind, "bold red"))
        field("", Text(clean(finding.message)))
    return grid


def _rel(path: str, cwd: str | None) -> str:
    if cwd and path.startswith(cwd.rstrip("/") + "/"):
        return os.path.relpath(path, cwd)
    return path


class DetailPane(TextView, can_focus=True):
    DEFAULT_CSS = """
    DetailPane {
        background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("no event selected", style="dim"), **kwargs)

    def show(self, content) -> None:
        self.update(content)
