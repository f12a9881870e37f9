"""The Chrome trace-event format (Perfetto, chrome://tracing) of a recorded run.

Layout of the timeline:
- one process per recorded `pid` (`process_name` metadata: the script and its pid);
- in it, one track ("thread" in the format's words) per session and thread that ran on
  it: `Session #2 (Session) · MainThread`. A session used from two threads gets two
  tracks, so that runs on one track never overlap (the format needs complete events on
  one track to nest);
- each run is a complete event (`"ph": "X"`) on its track, with its duration and, in
  `args`, its fetch and feed names, call site and outcome;
- each session's lifetime (created .. closed) is an async slice (`"ph": "b"`/`"e"`) of
  the process, with its created/closed lines in `args`;
- each finding is an instant event (`"ph": "i"`) on the track of the run (or session)
  it is about;
- memory as counter events (`"ph": "C"`): a counter track per device and source
  (`memory CPU:0 rss`, `memory GPU:0 allocator`) on the process it was read in, one
  event per sample, `args.bytes` the bytes in use.

Times are microseconds from the trace's `ts = 0` (the format's unit). The output is
produced as a stream of text chunks (`iter_chrome_json`) so that a million runs never
exist as a million dicts, and the caller can write them as they come.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left
from collections.abc import Callable, Iterator
from typing import Any

from inspector.analysis.findings._words import CALLS
from inspector.analysis.model import (
    EMPTY_SUMMARY,
    UNKNOWN_SITE,
    Finding,
    Leaf,
    known_file,
    known_function,
    known_line,
)
from inspector.analysis.state import TraceState

PROGRESS_EVERY = 100_000  # runs between two calls of the progress callback
_MAX_NAMES = 16  # fetch/feed names kept in a run's args

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _us(ns: int) -> str:
    """Nanoseconds as the format's microseconds, exactly (no float rounding)."""
    return "%d.%03d" % divmod(ns, 1000) if ns >= 0 else "-" + _us(-ns)


def _leaf_name(leaf: Leaf) -> str:
    return leaf.name if leaf.name is not None else f"<{leaf.kind}>"


def _names(leaves: tuple[Leaf, ...], total: int) -> list[str]:
    names = [_leaf_name(x) for x in leaves[:_MAX_NAMES]]
    if total > len(names):
        names.append(f"... ({total - len(names)} more)")
    return names


_NO_PLACE = "no line of the script on the stack"


def _site_words(file: str, line: int) -> str:
    """`file:line`, `file` when the line is unknown, or words when the file is."""
    known = known_file(file)
    if known is None:
        return _NO_PLACE
    return f"{known}:{line}" if known_line(line) else known


def _short_site(file: str, line: int) -> str:
    known = known_file(file)
    if known is None:
        return "unknown"
    return f"{os.path.basename(known)}:{line}" if known_line(line) else os.path.basename(known)


def memory_counters(state: TraceState) -> Iterator[str]:
    """Memory as counter events, one per sample of each device and source (`mem` events,
    see analysis/memory.py): one counter track per series, named `memory CPU:0 rss`,
    `memory GPU:0 allocator`, ..., on the process it was read in (the script's; a child
    process's series, `CPU:0 pid N` in a merged trace, on process N), with the bytes in
    use as `args.bytes`. A counter holds its value until its next event, as a series
    does until its next sample, so the agent's "only when it changed" samples draw
    exactly."""
    store = state.memory
    if not store:
        return
    root = _header_pid(state)
    for device, source in store.keys():
        pid, name = _series_process(device, root)
        ts_col, cur_col = store.series(device, source)
        head = '{"ph":"C","cat":"memory","name":%s,"pid":%d,"tid":0,"ts":' % (
            _dumps(f"memory {name} {source}"), pid)
        for i in range(len(ts_col)):
            yield '%s%s,"args":{"bytes":%d}}' % (head, _us(max(ts_col[i], 0)), cur_col[i])


def _series_process(device: str, root: int) -> tuple[int, str]:
    """(pid, device) of a memory series: a merged child's `CPU:0 pid 123` is process 123's."""
    name, sep, pid = device.rpartition(" pid ")
    if sep and pid.isdigit():
        return int(pid), name
    return root, device


def _header_pid(state: TraceState) -> int:
    pid = state.header.get("pid")
    return pid if isinstance(pid, int) and not isinstance(pid, bool) else 0


class _Tracks:
    """(pid, session, thread) -> a small tid, with the metadata events of new tracks."""

    def __init__(self, state: TraceState) -> None:
        self.state = state
        self.tids: dict[tuple[int, int, int], int] = {}
        self.pids: set[int] = set()

    def process_meta(self, pid: int) -> list[str]:
        if pid in self.pids:
            return []
        self.pids.add(pid)
        script = self.state.header.get("script")
        name = f"{os.path.basename(script) if isinstance(script, str) else 'python'} (pid {pid})"
        return [
            _dumps({"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": name}}),
            _dumps({"ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0,
                    "args": {"sort_index": len(self.pids)}}),
        ]

    def tid(self, pid: int, session: int, thread: int, out: list[str]) -> int:
        key = (pid, session, thread)
        tid = self.tids.get(key)
        if tid is not None:
            return tid
        tid = self.tids[key] = len(self.tids) + 1
        out.extend(self.process_meta(pid))
        sess = self.state.sessions.get(session)
        if sess is not None:
            label = sess.label
        else:
            label = f"Session #{session}" if session else "no session"
        th = self.state.threads.get(thread)
        th_name = th["name"] if th else f"thread {thread}"
        name = f"{label} · {th_name}"
        out.append(_dumps({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                           "args": {"name": name}}))
        out.append(_dumps({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": tid,
                           "args": {"sort_index": session * 1000 + thread}}))
        return tid


def iter_chrome_events(state: TraceState, findings: list[Finding],
                       progress: Callable[[int, int], None] | None = None) -> Iterator[str]:
    """Each event of the export as one JSON object's text, in no particular order (the
    format does not need one)."""
    tracks = _Tracks(state)
    out: list[str] = []

    # Sessions: async slices over their lifetime.
    end_ts = state.exit.end_ts if state.exit.end_ts is not None else state.last_ts
    for sess in sorted(state.sessions.values(), key=lambda s: s.id):
        out.extend(tracks.process_meta(sess.pid))
        cs = sess.created_site
        args: dict[str, Any] = {
            "session": sess.id, "kind": sess.kind, "target": sess.target,
            "created": _site_words(cs.file, cs.line), "runs": sess.runs, "failed runs": sess.errors,
        }
        if sess.parent:
            args["parent"] = sess.parent
        if sess.devices is not None:  # a remote target's list_devices()
            args["devices"] = [f"{n} ({t})" for n, t, _ in sess.devices]
        if sess.closed_site is not None:
            args["closed"] = f"{_site_words(sess.closed_site.file, sess.closed_site.line)} ({sess.closed_how})"
        else:
            args["closed"] = "never"
        ident = f"{sess.pid}:{sess.id}"
        name = sess.label
        out.append(_dumps({"ph": "b", "cat": "session", "name": name, "id": ident,
                           "pid": sess.pid, "tid": 0, "ts": float(_us(sess.created_ts)),
                           "args": args}))
        closed = sess.closed_ts if sess.closed_ts is not None else max(end_ts, sess.created_ts)
        out.append(_dumps({"ph": "e", "cat": "session", "name": name, "id": ident,
                           "pid": sess.pid, "tid": 0, "ts": float(_us(closed))}))
    yield from out
    out.clear()

    # Runs: the bulk. Column arrays, and the constant part of each line cached per
    # (kind, fetch summary, site, track).
    runs = state.runs
    total = len(runs)
    ts_col, dur_col, s_col, ok_col = runs.ts, runs.dur, runs.session, runs.ok
    shape_of = _shape_reader(runs)
    tails: dict[tuple, str] = {}
    for i in range(total):
        if progress is not None and i and i % PROGRESS_EVERY == 0:
            progress(i, total)
        sid = s_col[i]
        shape = shape_of(i)
        kind, site, fs, th, pid = shape
        tid = tracks.tid(pid, sid, th, out)
        if out:
            yield from out
            out.clear()
        if ok_col[i]:
            key = (shape, sid)
            tail = tails.get(key)
            if tail is None:
                tail = tails[key] = _run_tail(state, kind, fs, site, sid, pid, tid, None)
        else:
            tail = _run_tail(state, kind, fs, site, sid, pid, tid, runs.errors.get(i))
        yield '{"ph":"X","ts":%s,"dur":%s,%s' % (_us(ts_col[i]), _us(dur_col[i]), tail)
    if progress is not None and total:
        progress(total, total)

    # Findings: instants on the track of what they are about.
    for f in findings:
        yield from _finding_events(state, f, tracks, out)
        out.clear()

    # The script's end, as a process-wide instant.
    if state.exit.script_end_ts is not None:
        pid = _header_pid(state)
        yield from tracks.process_meta(pid)
        args = {"how": state.exit.script_end, "exit code": state.exit.code}
        if state.exit.exception:
            args["exception"] = state.exit.exception
        yield _dumps({"ph": "i", "s": "p", "name": "script ended", "cat": "script", "pid": pid,
                      "tid": 0, "ts": float(_us(state.exit.script_end_ts)), "args": args})

    if state.memory:
        root = _header_pid(state)
        for device, _source in state.memory.keys():
            yield from tracks.process_meta(_series_process(device, root)[0])
        yield from memory_counters(state)


def _shape_reader(runs) -> Callable[[int], tuple[str, int, int, int, int]]:
    """Position -> (kind, site, fs, thread, pid) from RunStore's columns, without making
    a Run object per run (the store keeps what repeats as one "shape" per combination)."""
    if hasattr(runs, "shapes"):
        shapes, codes = runs.shapes, runs.shape
        return lambda i: shapes[codes[i]]
    if hasattr(runs, "kinds"):  # the layout before shapes: one column per field
        return lambda i: (runs.kinds[runs.kind[i]], runs.site[i], runs.fs[i], runs.thread[i],
                          runs.pid[i])

    def slow(i: int) -> tuple[str, int, int, int, int]:
        r = runs[i]
        return r.kind, r.site.id, r.fetch.id, r.thread, r.pid

    return slow


def _run_tail(state: TraceState, kind: str, fs: int, site: int, sid: int, pid: int, tid: int,
              error: tuple[str, str] | None) -> str:
    """Everything of a run's event after its ts and dur (closing brace included)."""
    summary = state.summaries.get(fs, EMPTY_SUMMARY)
    where = state.sites.get(site, UNKNOWN_SITE)
    fetches = _names(summary.fetches, summary.nfetch)
    label = CALLS.get(kind, kind).replace("()", "")
    name = label if not fetches else f"{label}({fetches[0]}{', ...' if len(fetches) > 1 else ''})"
    args: dict[str, Any] = {
        "session": sid,
        "call": kind,
        "site": _site_words(where.file, where.line),
        "fetches": fetches,
    }
    if known_function(where.function):
        args["function"] = where.function
    if summary.nfeed:
        args["feeds"] = _names(summary.feeds, summary.nfeed)
    body: dict[str, Any] = {"name": name, "cat": "run" if error is None else "run,error",
                            "pid": pid, "tid": tid}
    if error is not None:
        args["error"] = f"{error[0]}: {error[1]}"
        body["cname"] = "terrible"
    body["args"] = args
    return _dumps(body)[1:]


def _finding_events(state: TraceState, f: Finding, tracks: _Tracks, out: list[str]) -> list[str]:
    runs = state.runs
    ts = pid = sid = th = None
    if f.event is not None:
        pos = bisect_left(runs.index, f.event)
        if pos < len(runs) and runs.index[pos] == f.event:
            run = runs[pos]
            ts, pid, sid, th = run.ts, run.pid, run.session, run.thread
    sess = state.sessions.get(f.session)
    if ts is None:
        if sess is None:
            return []
        pid, sid, th = sess.pid, sess.id, sess.thread
        ts = sess.created_ts
        if f.kind == "session-leak" and state.exit.script_end_ts is not None:
            ts = state.exit.script_end_ts
        elif f.event is not None:
            for item in state.lifecycle:
                if item.index == f.event:
                    ts = item.ts
                    break
    tid = tracks.tid(pid, sid, th, out)
    out.append(_dumps({
        "ph": "i", "s": "t", "name": f"{f.severity}: {f.kind}", "cat": "finding",
        "pid": pid, "tid": tid, "ts": float(_us(ts)),
        "args": {"kind": f.kind, "severity": f.severity, "at": _site_words(f.file, f.line),
                 "where": _short_site(f.file, f.line), "message": f.message},
    }))
    return out


def iter_chrome_json(state: TraceState, findings: list[Finding], *, trace_path: str = "",
                     progress: Callable[[int, int], None] | None = None,
                     batch: int = 4096) -> Iterator[str]:
    """The whole JSON document, as chunks of text (one JSON event per line)."""
    other = {
        "tool": "tfsess-inspect",
        "trace": trace_path,
        "script": state.header.get("script"),
        "tensorflow": state.tensorflow,
        "start_wall": state.header.get("start_wall"),
    }
    yield '{"traceEvents":[\n'
    first = True
    chunk: list[str] = []
    for line in iter_chrome_events(state, findings, progress):
        chunk.append(line)
        if len(chunk) >= batch:
            yield ("" if first else ",\n") + ",\n".join(chunk)
            first = False
            chunk.clear()
    if chunk:
        yield ("" if first else ",\n") + ",\n".join(chunk)
    yield '\n],\n"displayTimeUnit":"ms",\n"otherData":' + _dumps(other) + "}\n"
