"""One event stream from a root trace and the traces of the script's child processes.

A recorded child process writes its own file next to the root's and announces it with a
`proc` line in the root trace (inspector/agent/children.py). Readers open the root; this
module finds the children from those lines and merges their events in, in time order
(all files share the root's clock origin), with their ids moved out of the root's way:
child number k (k >= 1, in the order the `proc` lines come) adds k * ID_STRIDE to every
session, site, fetch summary, thread and graph id it writes, so the analysis sees one
trace whose sessions carry their `pid`. A forked child refers to sessions and graphs its
parent made before the fork: those ids resolve to the parent's.

A trace without `proc` lines passes through untouched. Only files named
`<root stem>.child-<pid>.jsonl` in the root's own directory are opened: a trace is data,
and the paths in it are never followed anywhere else.
"""

from __future__ import annotations

import heapq
import os
import re
from collections.abc import Iterator
from typing import Any

from inspector.trace.reader import RunBatch, TraceError, TraceTail, iter_trace

ID_STRIDE = 1_000_000

# Which fields of which events hold ids (see docs/trace-format.md).
_ID_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "site": (("id", "site"),),
    "thread": (("id", "th"),),
    "graph": (("id", "graph"),),
    "fs": (("id", "fs"),),
    "sess": (("s", "s"), ("graph", "graph"), ("parent", "s"), ("site", "site"), ("th", "th")),
    "enter": (("s", "s"), ("site", "site"), ("th", "th")),
    "exit": (("s", "s"), ("site", "site"), ("th", "th")),
    "close": (("s", "s"), ("site", "site"), ("th", "th")),
    "reset": (("site", "site"), ("th", "th")),
    "graph_reset": (("site", "site"), ("th", "th"), ("graph", "graph")),
    "run": (("s", "s"), ("site", "site"), ("fs", "fs"), ("th", "th")),
    "runerr": (("s", "s"), ("site", "site"), ("fs", "fs"), ("th", "th")),
    "mem": (("s", "s"),),
    "devices": (("s", "s"),),
    "steps": (("s", "s"),),
}
# The process's own ending belongs to the root trace: a child's is not the script's.
_ROOT_ONLY = frozenset(("exc", "script_end", "end", "proc", "test"))
_RUN_TAIL_IDS = re.compile(rb'"(site|fs|th)":(\d+)')


class _Ids:
    """How one child's ids map into the merged stream."""

    def __init__(self, offset: int, parent: _Ids | None) -> None:
        self.offset = offset
        self.parent = parent  # a forked child's parent: ids made before the fork
        self.sessions: set[int] = set()
        self.graphs: set[int] = set()

    def session(self, s: int) -> int:
        if s <= 0:
            return s
        if self.parent is not None and s not in self.sessions:
            return self.parent.session(s)
        return s + self.offset

    def graph(self, g: int) -> int:
        if g <= 0:
            return g
        if self.parent is not None and g not in self.graphs:
            return self.parent.graph(g)
        return g + self.offset

    def plain(self, v: int) -> int:
        return v + self.offset if v > 0 else v

    def event(self, ev: dict[str, Any]) -> dict[str, Any] | None:
        kind = ev.get("ev")
        if kind in _ROOT_ONLY:
            return None
        if kind == "runs":
            return self.batch(ev)  # type: ignore[arg-type]
        if kind == "sess" and isinstance(ev.get("s"), int):
            self.sessions.add(ev["s"])
        elif kind == "graph" and isinstance(ev.get("id"), int):
            self.graphs.add(ev["id"])
        for name, what in _ID_FIELDS.get(kind, ()):
            v = ev.get(name)
            if type(v) is int:
                ev[name] = self.session(v) if what == "s" else self.graph(v) if what == "graph" else self.plain(v)
        if kind == "fs":
            for key in ("fetches", "feeds"):
                for leaf in ev.get(key) or ():
                    if isinstance(leaf, list) and len(leaf) > 3 and type(leaf[3]) is int:
                        leaf[3] = self.graph(leaf[3])
        elif kind == "mem" and isinstance(ev.get("dev"), str):
            # One series per device and process: a child's memory is its own.
            ev["dev"] = f"{ev['dev']} pid {ev.get('pid')}"
        return ev

    def batch(self, b: RunBatch) -> RunBatch:
        from array import array

        sessions = array("q", (self.session(s) for s in b.session))
        rests = [_RUN_TAIL_IDS.sub(lambda m: b'"%s":%d' % (m.group(1), self.plain(int(m.group(2)))), r)
                 for r in b.rests]
        one = self.session(b.one_session) if b.one_session is not None else None
        return RunBatch(sessions, b.ts, b.dur, rests, b.rest_code, one)


def _key(ev: dict[str, Any], previous: int) -> int:
    if ev.get("ev") == "runs":
        ts = ev.ts  # type: ignore[attr-defined]
        return ts[0] if len(ts) else previous
    ts = ev.get("ts")
    return ts if type(ts) is int else previous


def _keyed(events: list[dict[str, Any]], start: int = 0) -> list[tuple[int, int, dict[str, Any]]]:
    """(time, order, event): events without a time keep their place after the one before."""
    out, prev = [], start
    for i, ev in enumerate(events):
        prev = _key(ev, prev)
        out.append((prev, i, ev))
    return out


class _Child:
    def __init__(self, path: str, ids: _Ids, pid: int, bulk_runs: bool) -> None:
        self.tail = TraceTail(path, bulk_runs=bulk_runs)
        self.ids = ids
        self.pid = pid

    def read_new(self, max_bytes: int) -> list[dict[str, Any]]:
        try:
            events = self.tail.read_new(max_bytes)
        except TraceError:
            return []
        out = []
        for ev in events:
            ev = self.ids.event(ev)
            if ev is not None:
                out.append(ev)
        return out


class ChildFinder:
    """Notices `proc` lines in the root's events and opens the children they name."""

    def __init__(self, root_path: str, bulk_runs: bool) -> None:
        self.root_path = os.path.abspath(root_path)
        self.dir = os.path.dirname(self.root_path)
        base = os.path.basename(self.root_path)
        stem = base[: -len(".jsonl")] if base.endswith(".jsonl") else base
        self._name = re.compile(re.escape(stem) + r"\.child-(\d+)\.jsonl\Z")
        self.bulk_runs = bulk_runs
        self.children: list[_Child] = []
        self._ids_by_pid: dict[int, _Ids] = {}
        self.root_pid: int | None = None

    def note(self, events: list[dict[str, Any]]) -> list[_Child]:
        """The children announced in `events` (the root's), opened; [] when none."""
        new = []
        for ev in events:
            if ev.get("ev") != "proc":
                continue
            name = ev.get("trace")
            m = self._name.match(name) if isinstance(name, str) else None
            pid = ev.get("pid")
            if m is None or type(pid) is not int or int(m.group(1)) != pid or pid in self._ids_by_pid:
                continue
            parent = self._ids_by_pid.get(ev.get("ppid")) if ev.get("how") == "fork" else None
            if ev.get("how") == "fork" and parent is None:
                parent = _Ids(0, None)  # forked from the root: the root's ids are as they are
            ids = _Ids(ID_STRIDE * (len(self.children) + 1), parent)
            self._ids_by_pid[pid] = ids
            child = _Child(os.path.join(self.dir, name), ids, pid, self.bulk_runs)
            self.children.append(child)
            new.append(child)
        return new


def merge_sorted(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two event lists, each in its own order, as one in time order (stable)."""
    if not b:
        return a
    if not a:
        return b
    return [ev for _, _, _, ev in heapq.merge(
        ((k, 0, i, ev) for k, i, ev in _keyed(a)), ((k, 1, i, ev) for k, i, ev in _keyed(b)))]


class MergedTail:
    """A TraceTail over the root trace that also follows its children (live view and
    replay; report and export through `iter_merged`, the same merge). `hold_back`: give out an event only once every file not yet at its end has
    been read past its time, so that a finished trace read in chunks comes out in time
    order; off for a live trace, whose root may be silent while a child works."""

    def __init__(self, path: str, bulk_runs: bool = False, hold_back: bool = True) -> None:
        self.root = TraceTail(path, bulk_runs=bulk_runs)
        self.finder = ChildFinder(path, bulk_runs)
        self.hold_back = hold_back
        self._held: list[tuple[int, int, dict[str, Any]]] = []
        self._order = 0
        self._time: dict[int, int] = {}  # per source (0: the root): time read up to
        self._at_end: dict[int, bool] = {}

    def __getattr__(self, name: str) -> Any:  # header, offset, cut, bad_lines, path ...
        return getattr(self.root, name)

    @property
    def children(self) -> list[_Child]:
        return self.finder.children

    @property
    def offset(self) -> int:
        """Bytes read from all the files: it moves whenever any of them was read."""
        return self.root.offset + sum(c.tail.offset for c in self.finder.children)

    def feed(self, data: bytes, final: bool = False) -> list[dict[str, Any]]:
        """The root's `feed` (the app's last call, `final=True`), and whatever is held."""
        events = self.root.feed(data, final)
        return merge_sorted(self._flush(), events) if final else events

    def _flush(self) -> list[dict[str, Any]]:
        held = [ev for _, _, ev in sorted(self._held)]
        self._held = []
        return held

    def _push(self, source: int, events: list[dict[str, Any]]) -> None:
        t = self._time.get(source, 0)
        for ev in events:
            t = _key(ev, t)
            self._order += 1
            heapq.heappush(self._held, (t, self._order, ev))
        self._time[source] = t

    def read_new(self, max_bytes: int = 64 * 1024 * 1024, final: bool = False) -> list[dict[str, Any]]:
        before = self.root.offset
        events = self.root.read_new(max_bytes)
        return self._merge(events, self.root.offset == before, max_bytes, final)

    def _merge(self, events: list[dict[str, Any]], root_at_end: bool, max_bytes: int,
               final: bool = False) -> list[dict[str, Any]]:
        """The merge itself, for `events` just read from the root however it is read:
        opens the children they announce, reads the next `max_bytes` of each child, and
        gives out what is in time order so far."""
        self.finder.note(events)
        if not self.finder.children and not self._held:
            return events
        self._at_end[0] = root_at_end
        self._push(0, events)
        for i, child in enumerate(self.finder.children, 1):
            offset = child.tail.offset
            self._push(i, child.read_new(max_bytes))
            self._at_end[i] = child.tail.offset == offset
        if final or not self.hold_back or all(self._at_end.values()):
            limit = None
        else:
            limit = min(self._time.get(i, 0) for i, done in self._at_end.items() if not done)
        out = []
        while self._held and (limit is None or self._held[0][0] <= limit):
            out.append(heapq.heappop(self._held)[2])
        return out


def iter_merged(path: str, chunk_bytes: int = 8 << 20, bulk_runs: bool = False
                ) -> tuple[TraceTail, Iterator[list[dict[str, Any]]]]:
    """`iter_trace` over a root trace and its children: the merge of `MergedTail` (with
    hold_back) over the root's batches, then over the rest of the children's files.
    Returns the root's tail (header, cut, ...). The root is read by `iter_trace`, so
    that report and export keep its checks and its errors."""
    tail, batches = iter_trace(path, chunk_bytes, bulk_runs)
    merged = MergedTail(path, bulk_runs, hold_back=True)
    merged.root = tail

    def gen() -> Iterator[list[dict[str, Any]]]:
        for batch in batches:
            yield merged._merge(batch, False, chunk_bytes)
        while True:  # the root read whole: what the children still have
            offset = merged.offset
            events = merged._merge([], True, chunk_bytes)
            if events:
                yield events
            if not events and merged.offset == offset:
                break
        if merged._held:
            yield merged._flush()

    return tail, gen()
