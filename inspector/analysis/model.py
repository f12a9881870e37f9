"""What the analysis knows: sites, sessions, runs, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Site:
    id: int
    file: str
    line: int
    function: str
    stack: tuple[tuple[str, int, str], ...] = ()
    # The execution count of the notebook cell this site's file is the code of (the cell
    # that ran last under that file name when the site was recorded); None: a file.
    cell: int | None = None

    @property
    def where(self) -> str:
        if self.cell is not None:
            return cell_place(self.cell, self.line)
        return f"{self.file}:{self.line}"


def cell_place(cell: int, line: int | None) -> str:
    """How a place in a notebook cell reads: `cell [7], line 3` (as Jupyter numbers cells)."""
    return f"cell [{cell}], line {line}" if known_line(line) is not None else f"cell [{cell}]"


# Where the trace has no place for an event (no site recorded, or a site with no line of
# the script on the stack: a session dropped by a thread running no Python code of the
# script), the analysis keeps these placeholders so every Site has a file and a line.
# They never reach an interface as such: `known_file` / `known_line` / `known_function`
# turn them into None (null in `report --format json`), and the texts say it in words.
UNKNOWN_FILE = "?"
UNKNOWN_FUNCTION = "?"
UNKNOWN_SITE = Site(0, UNKNOWN_FILE, 0, UNKNOWN_FUNCTION)


def known_file(file: str | None) -> str | None:
    """The file of a site, or None when the trace did not say."""
    return file if file and file != UNKNOWN_FILE else None


def known_line(line: int | None) -> int | None:
    """The line of a site (1-based), or None when the trace did not say."""
    return line if isinstance(line, int) and line >= 1 else None


def known_function(function: str | None) -> str | None:
    return function if function and function != UNKNOWN_FUNCTION else None


@dataclass(frozen=True, slots=True)
class Leaf:
    """One fetched or fed item: name, dtype, shape, graph id, kind
    (tensor, op, variable, sparse, eager, name, or a type name)."""

    name: str | None
    dtype: str | None
    shape: Any
    graph: int
    kind: str


@dataclass(frozen=True, slots=True)
class FetchSummary:
    id: int
    fetches: tuple[Leaf, ...]
    nfetch: int
    feeds: tuple[Leaf, ...]
    nfeed: int


EMPTY_SUMMARY = FetchSummary(0, (), 0, (), 0)


@dataclass(slots=True)
class SessionInfo:
    id: int
    pid: int
    kind: str
    target: str
    graph: int
    created_ts: int
    created_site: Site
    thread: int
    parent: int = 0
    config: str | None = None
    known: bool = True  # False: made before the recorder started
    closed_ts: int | None = None
    closed_site: Site | None = None
    closed_how: str | None = None
    event: int = 0  # index of the creation event
    closed_event: int | None = None
    runs: int = 0
    errors: int = 0
    entered: list[tuple[int, Site, str]] = field(default_factory=list)  # (ts, site, how)
    # A session on a remote target: what its list_devices() said (`devices` event),
    # as (name, type, memory limit in bytes or None); None: not listed.
    devices: list[tuple[str, str, int | None]] | None = None
    devices_error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} #{self.id}"


@dataclass(slots=True)
class Run:
    index: int  # event index in the trace
    session: int
    kind: str
    ts: int
    dur: int
    site: Site
    fetch: FetchSummary
    thread: int
    pid: int
    ok: bool
    exc: str | None = None
    msg: str | None = None


@dataclass(frozen=True, slots=True)
class Related:
    role: str  # created, closed, entered, default-ended
    file: str
    line: int
    how: str | None = None
    cell: int | None = None  # the notebook cell (execution count) of file:line, if in one

    @classmethod
    def at(cls, role: str, site: Site, how: str | None = None) -> Related:
        return cls(role, site.file, site.line, how, site.cell)


@dataclass(slots=True)
class Finding:
    kind: str
    severity: str  # error, warning, info
    file: str
    line: int
    function: str
    session: int
    message: str
    related: list[Related] = field(default_factory=list)
    event: int | None = None  # index of the event the finding is about
    cell: int | None = None  # the notebook cell (execution count) of file:line, if in one

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "file": known_file(self.file),
            "line": known_line(self.line),
            "function": known_function(self.function),
            "session": self.session,
            "message": self.message,
            "related": [
                {"role": r.role, "file": known_file(r.file), "line": known_line(r.line),
                 **({"how": r.how} if r.how else {}),
                 **({"cell": r.cell} if r.cell is not None else {})}
                for r in self.related
            ],
            "event": self.event,
            "cell": self.cell,
        }


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
