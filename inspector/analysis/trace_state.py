"""The state of a recorded run, as `StateBuilder` (inspector/analysis/state.py) grows it
event by event: sessions, runs, sites, sources, output, cells, how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector.analysis.memory import MemoryStore
from inspector.analysis.model import UNKNOWN_SITE, FetchSummary, SessionInfo, Site
from inspector.analysis.output import OutputTail
from inspector.analysis.runs import RunStore


@dataclass
class Source:
    file: str
    sha256: str | None
    text: str | None


@dataclass
class Lifecycle:
    """A non-run event worth listing: session created, entered, exited, closed, reset."""

    index: int
    ev: str
    ts: int
    session: int
    site: Site
    how: str | None = None
    already_closed: bool = False


@dataclass
class GraphReset:
    """A `tf.compat.v1.reset_default_graph()` that succeeded (`graph_reset` events)."""

    index: int
    ts: int
    site: Site
    graph: int  # the new default graph (0: not recorded)
    pid: int


@dataclass
class CellRun:
    """One execution of a notebook cell (`cell` events, docs/trace-format.md)."""

    n: int | None  # the execution count, as the notebook shows it ([7]); None: not counted
    file: str  # the name the kernel compiled the cell under (its call sites carry it)
    index: int  # the event index of its start
    ts: int
    cell_id: str | None = None  # the notebook's id of the cell, when the front-end sent it
    end_ts: int | None = None
    ok: bool | None = None  # None: still running (or the kernel died in it)
    error: str | None = None  # "Type: message" of what the cell raised

    @property
    def label(self) -> str:
        return f"cell [{self.n}]" if self.n is not None else "a cell"


@dataclass
class ExitInfo:
    code: int | None = None
    signal: int | None = None
    exception: str | None = None
    exception_site: tuple[str, int, str] | None = None
    script_end: str | None = None  # how the script's own code ended: return, exit, exception
    script_end_ts: int | None = None
    end_ts: int | None = None


@dataclass
class TraceState:
    header: dict[str, Any]
    event_count: int = 0  # events after the header; a run's `index` counts in the same way
    sites: dict[int, Site] = field(default_factory=dict)
    summaries: dict[int, FetchSummary] = field(default_factory=dict)
    threads: dict[int, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[int, SessionInfo] = field(default_factory=dict)
    runs: RunStore = field(init=False)
    memory: MemoryStore = field(default_factory=MemoryStore)  # `mem` events: see analysis/memory.py
    lifecycle: list[Lifecycle] = field(default_factory=list)
    resets: list[Lifecycle] = field(default_factory=list)
    graph_resets: list[GraphReset] = field(default_factory=list)  # default-graph resets
    sources: dict[str, Source] = field(default_factory=dict)
    # A run's device-memory change (`dmem`: GPUs only, see docs/trace-format.md), by the
    # run's event index; only changes other than zero are kept.
    run_memory: dict[int, dict[str, int]] = field(default_factory=dict)
    output: OutputTail = field(default_factory=OutputTail)  # a bounded tail: analysis/output.py
    warnings: list[str] = field(default_factory=list)
    # A path of TensorFlow the agent could not watch (`warn` with `unwatched`) -> the kinds
    # of finding that may be missing because of it.
    unwatched: dict[str, list[str]] = field(default_factory=dict)
    untested: str | None = None  # the warning when TensorFlow is outside the tested range
    tensorflow: str | None = None
    exit: ExitInfo = field(default_factory=ExitInfo)
    last_ts: int = 0
    # A notebook's trace: the notebook's path (`notebook` event, or the header's `script`
    # when the header says `notebook`), and its cell executions in the order they ran.
    notebook: str | None = None
    cells: list[CellRun] = field(default_factory=list)
    cell_files: dict[str, CellRun] = field(default_factory=dict)  # file -> its latest run
    recording: bool = True  # False after `%tfsess off` (a `recording` event), until `on`

    def __post_init__(self) -> None:
        self.runs = RunStore(self.sites, self.summaries)
        head = self.header if isinstance(self.header, dict) else {}
        if head.get("notebook") is True and isinstance(head.get("script"), str):
            self.notebook = head["script"]

    @property
    def finished(self) -> bool:
        return self.exit.end_ts is not None or self.exit.script_end is not None

    def site(self, sid: int | None) -> Site:
        return self.sites.get(sid or 0, UNKNOWN_SITE)

    def user_sessions(self) -> list[SessionInfo]:
        """Sessions the script made itself (not the raw ones inside a monitored session).
        With child processes (inspector/trace/merge.py): grouped by process, the
        script's own first, each group in order of creation."""
        found = [s for s in self.sessions.values() if not s.parent]
        root = self.header.get("pid")
        if any(s.pid != root for s in found):
            found.sort(key=lambda s: (s.pid != root, s.pid))
        return found
