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

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


UNKNOWN_SITE = Site(0, "?", 0, "?")


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

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "function": self.function,
            "session": self.session,
            "message": self.message,
            "related": [
                {"role": r.role, "file": r.file, "line": r.line, **({"how": r.how} if r.how else {})}
                for r in self.related
            ],
            "event": self.event,
        }


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
