"""Events -> the state of a recorded run: sessions, runs, sites, sources, output
(the state's data classes: inspector/analysis/trace_state.py).

`StateBuilder.feed` takes events in file order, so the live view can grow the state
as the trace grows; `build_state` does it for a whole trace.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from inspector.analysis.memory import StepStats
from inspector.analysis.model import (
    FetchSummary,
    Leaf,
    SessionInfo,
    Site,
)
from inspector.analysis.output import Output  # noqa: F401 (re-exported)

# What the state is (its data classes) lives in trace_state.py; imported by this name
# all over the package, so re-exported here.
from inspector.analysis.trace_state import (  # noqa: F401
    CellRun,
    ExitInfo,
    GraphReset,
    Lifecycle,
    Source,
    TraceState,
)

_INT64 = 1 << 63


def _int(v: Any, default: int = 0) -> int:
    """An integer field of an event, or `default` when it is not one (a trace is data:
    anything may be in it) or does not fit the 64-bit columns."""
    if isinstance(v, int) and not isinstance(v, bool) and -_INT64 <= v < _INT64:
        return v
    return default


def _str(v: Any, default: str = "") -> str:
    return v if isinstance(v, str) else default


def _leaf(raw: Any) -> Leaf:
    if not isinstance(raw, list) or len(raw) < 5:
        return Leaf(None, None, None, 0, "?")
    name, dtype, shape, graph, kind = raw[:5]
    return Leaf(
        name if isinstance(name, str) else None,
        dtype if isinstance(dtype, str) else None,
        shape,
        _int(graph),
        _str(kind, "?"),
    )


class StateBuilder:
    def __init__(self, header: dict[str, Any]) -> None:
        self.state = TraceState(header=header)

    def feed_all(self, events: Iterable[dict[str, Any]]) -> None:
        for ev in events:
            self.feed(ev)

    def feed(self, ev: dict[str, Any]) -> None:
        st = self.state
        index = st.event_count
        if ev.get("ev") == "runs":  # a reader's RunBatch: n successful runs at once
            _on_run_batch(st, ev, index)
            return
        st.event_count += 1
        kind = ev.get("ev")
        ts = _int(ev.get("ts"), st.last_ts)
        if ts > st.last_ts:
            st.last_ts = ts
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(st, ev, index, ts)


def _on_run(st: TraceState, ev: dict, index: int, ts: int) -> None:
    ok = ev.get("ev") == "run"
    sid = _int(ev.get("s"))
    dur = _int(ev.get("dur"))
    error = None if ok else (_str(ev.get("exc"), "?"), _str(ev.get("msg")))
    st.runs.append(index, sid, ts, dur, _str(ev.get("k"), "run"), _int(ev.get("site")),
                   _int(ev.get("fs")), _int(ev.get("th")), _int(ev.get("pid")), error)
    if ts + dur > st.last_ts:
        st.last_ts = ts + dur
    dmem = ev.get("dmem")
    if isinstance(dmem, dict):
        changed = {str(d): v for d, v in dmem.items() if type(v) is int and v}
        if changed:
            st.run_memory[index] = changed
    sess = st.sessions.get(sid)
    if sess is not None:
        sess.runs += 1
        if not ok:
            sess.errors += 1


def _on_run_batch(st: TraceState, batch: Any, index: int) -> None:
    ts = getattr(batch, "ts", None)
    if not ts:
        return
    st.runs.extend_batch(index, batch)
    st.event_count += len(ts)
    if getattr(batch, "sequential", False):  # one after another: the last ends last
        st.last_ts = max(st.last_ts, ts[-1] + batch.dur[-1])
    else:
        st.last_ts = max(st.last_ts, max(map(int.__add__, ts, batch.dur)))
    one = batch.one_session
    counts = Counter(batch.session) if one is None else {one: len(ts)}
    for sid, count in counts.items():
        sess = st.sessions.get(sid)
        if sess is not None:
            sess.runs += count


def _on_site(st: TraceState, ev: dict, index: int, ts: int) -> None:
    stack = tuple(
        (_str(f[0]), _int(f[1]), _str(f[2]))
        for f in ev.get("stack") or ()
        if isinstance(f, list) and len(f) >= 3
    )
    sid = _int(ev.get("id"))
    file = _str(ev.get("file"), "?")
    cell = st.cell_files.get(file)
    st.sites[sid] = Site(sid, file, _int(ev.get("line")), _str(ev.get("func"), "?"), stack,
                         cell.n if cell is not None else None)


def _on_cell(st: TraceState, ev: dict, index: int, ts: int) -> None:
    """A notebook cell started (`phase: start`) or finished (`end`) executing."""
    n = ev.get("n")
    n = n if isinstance(n, int) and not isinstance(n, bool) else None
    if ev.get("phase") == "end":
        for cell in reversed(st.cells):
            if cell.n == n and cell.end_ts is None:
                cell.end_ts = ts
                cell.ok = ev.get("ok") is not False
                err = ev.get("error")
                cell.error = err if isinstance(err, str) else None
                break
        return
    file = _str(ev.get("file"))
    cid = ev.get("id")
    cell = CellRun(n, file, index, ts, cid if isinstance(cid, str) else None)
    st.cells.append(cell)
    if file:
        st.cell_files[file] = cell


def _on_recording(st: TraceState, ev: dict, index: int, ts: int) -> None:
    st.recording = ev.get("on") is not False


def _on_notebook(st: TraceState, ev: dict, index: int, ts: int) -> None:
    """`tfsess-inspect run NOTEBOOK.ipynb`: the kernel says which notebook it runs. The
    header is the notebook runner's; what a reader shows as the script (its path, argv,
    its process) becomes the notebook and the kernel, the runner's pid is kept aside."""
    path = ev.get("path")
    if not isinstance(path, str) or not path:
        return
    st.notebook = path
    header = dict(st.header) if isinstance(st.header, dict) else {}
    kernel = _int(ev.get("pid"))
    if kernel and header.get("pid") != kernel:
        header["runner_pid"] = header.get("pid")
        header["pid"] = kernel
    header.update(script=path, argv=[path], module=False, notebook=True)
    st.header = header


def _on_fs(st: TraceState, ev: dict, index: int, ts: int) -> None:
    fid = _int(ev.get("id"))
    st.summaries[fid] = FetchSummary(
        fid,
        tuple(_leaf(x) for x in ev.get("fetches") or ()),
        _int(ev.get("nfetch")),
        tuple(_leaf(x) for x in ev.get("feeds") or ()),
        _int(ev.get("nfeed")),
    )


def _on_session(st: TraceState, ev: dict, index: int, ts: int) -> None:
    sid = _int(ev.get("s"))
    st.sessions[sid] = SessionInfo(
        id=sid,
        pid=_int(ev.get("pid")),
        kind=_str(ev.get("kind"), "Session"),
        target=_str(ev.get("target")),
        graph=_int(ev.get("graph")),
        created_ts=ts,
        created_site=st.site(_int(ev.get("site"))),
        thread=_int(ev.get("th")),
        parent=_int(ev.get("parent")),
        config=ev.get("config") if isinstance(ev.get("config"), str) else None,
        known=ev.get("known") is not False,
        event=index,
    )
    st.lifecycle.append(Lifecycle(index, "sess", ts, sid, st.site(_int(ev.get("site")))))


def _on_enter_exit(st: TraceState, ev: dict, index: int, ts: int) -> None:
    sid = _int(ev.get("s"))
    site = st.site(_int(ev.get("site")))
    how = _str(ev.get("how"), "with")
    st.lifecycle.append(Lifecycle(index, ev["ev"], ts, sid, site, how))
    sess = st.sessions.get(sid)
    if sess is not None and ev["ev"] == "enter":
        sess.entered.append((ts, site, how))


def _on_close(st: TraceState, ev: dict, index: int, ts: int) -> None:
    sid = _int(ev.get("s"))
    site = st.site(_int(ev.get("site")))
    already = ev.get("already_closed") is True
    how = _str(ev.get("how"), "explicit")
    st.lifecycle.append(Lifecycle(index, "close", ts, sid, site, how, already))
    sess = st.sessions.get(sid)
    if sess is not None and sess.closed_ts is None:
        sess.closed_ts = ts
        sess.closed_site = site
        sess.closed_how = how
        sess.closed_event = index


def _on_reset(st: TraceState, ev: dict, index: int, ts: int) -> None:
    """Session.reset(target) closes every session on that target (for the local
    target "", every in-process session) below Python: TensorFlow's Python objects
    still look open, so this is where the analysis marks them closed."""
    target = _str(ev.get("target"))
    site = st.site(_int(ev.get("site")))
    item = Lifecycle(index, "reset", ts, 0, site, target)
    st.lifecycle.append(item)
    st.resets.append(item)
    for sess in st.sessions.values():
        if sess.closed_ts is None and sess.target == target and sess.pid == _int(ev.get("pid")):
            sess.closed_ts = ts
            sess.closed_site = site
            sess.closed_how = "reset"
            sess.closed_event = index


def _on_graph_reset(st: TraceState, ev: dict, index: int, ts: int) -> None:
    if ev.get("error") is None:  # a reset that raised changed nothing
        st.graph_resets.append(GraphReset(index, ts, st.site(_int(ev.get("site"))),
                                          _int(ev.get("graph")), _int(ev.get("pid"))))


def _on_source(st: TraceState, ev: dict, index: int, ts: int) -> None:
    file = _str(ev.get("file"))
    text = ev.get("text")
    sha = ev.get("sha256")
    st.sources[file] = Source(file, sha if isinstance(sha, str) else None, text if isinstance(text, str) else None)


def _on_output(st: TraceState, ev: dict, index: int, ts: int) -> None:
    st.output.append(Output(ts, _int(ev.get("fd"), 1), _str(ev.get("text"))))


def _on_thread(st: TraceState, ev: dict, index: int, ts: int) -> None:
    st.threads[_int(ev.get("id"))] = {"name": _str(ev.get("name"), "?"), "native": _int(ev.get("native"))}


def _on_memory(st: TraceState, ev: dict, index: int, ts: int) -> None:
    peak = ev.get("peak")
    st.memory.add(ts, _str(ev.get("dev"), "?"), _str(ev.get("src"), "?"), _int(ev.get("cur")),
                  _int(peak, -1), _int(ev.get("s")))


def _on_steps(st: TraceState, ev: dict, index: int, ts: int) -> None:
    alloc = tuple((_str(a[0], "?"), _int(a[1]), _int(a[2])) for a in ev.get("alloc") or ()
                  if isinstance(a, list) and len(a) >= 3)
    slow = tuple((_str(o[0], "?"), _int(o[1])) for o in ev.get("slow") or () if isinstance(o, list) and len(o) >= 2)
    st.memory.add_steps(StepStats(ts, _int(ev.get("s")), alloc, slow, _int(ev.get("ops"))))


def _on_devices(st: TraceState, ev: dict, index: int, ts: int) -> None:
    sess = st.sessions.get(_int(ev.get("s")))
    if sess is None or sess.pid != _int(ev.get("pid")):
        return
    devices = []
    for d in ev.get("devices") or ():
        if isinstance(d, list) and len(d) >= 2:
            limit = d[2] if len(d) > 2 and isinstance(d[2], int) and not isinstance(d[2], bool) else None
            devices.append((_str(d[0], "?"), _str(d[1], "?"), limit))
    sess.devices = devices
    err = ev.get("error")
    sess.devices_error = err if isinstance(err, str) else None


def _on_tf(st: TraceState, ev: dict, index: int, ts: int) -> None:
    st.tensorflow = ev.get("version") if isinstance(ev.get("version"), str) else None


def _on_warning(st: TraceState, ev: dict, index: int, ts: int) -> None:
    st.warnings.append(_str(ev.get("message")))
    if isinstance(ev.get("untested"), str):
        st.untested = _str(ev.get("message"))
    path = ev.get("unwatched")
    if isinstance(path, str):
        kinds = ev.get("findings")
        st.unwatched[path] = [k for k in kinds if isinstance(k, str)] if isinstance(kinds, list) else []


def may_be_missing(state: TraceState) -> list[str]:
    """The kinds of finding the trace cannot rule out: a path they need was not watched."""
    return sorted({k for kinds in state.unwatched.values() for k in kinds})


def _on_exception(st: TraceState, ev: dict, index: int, ts: int) -> None:
    st.exit.exception = f"{_str(ev.get('type'), '?')}: {_str(ev.get('msg'))}"
    site = ev.get("site")
    if isinstance(site, list) and len(site) >= 3:
        st.exit.exception_site = (_str(site[0]), _int(site[1]), _str(site[2]))


def _on_script_end(st: TraceState, ev: dict, index: int, ts: int) -> None:
    st.exit.script_end = _str(ev.get("how"), "return")
    st.exit.script_end_ts = ts
    if st.exit.code is None and isinstance(ev.get("code"), int):
        st.exit.code = ev["code"]


def _on_end(st: TraceState, ev: dict, index: int, ts: int) -> None:
    st.exit.end_ts = ts
    if isinstance(ev.get("code"), int):
        st.exit.code = ev["code"]
    sig = ev.get("signal")
    st.exit.signal = sig if isinstance(sig, int) else None


_HANDLERS = {
    "run": _on_run,
    "runerr": _on_run,
    "site": _on_site,
    "fs": _on_fs,
    "sess": _on_session,
    "enter": _on_enter_exit,
    "exit": _on_enter_exit,
    "close": _on_close,
    "reset": _on_reset,
    "graph_reset": _on_graph_reset,
    "src": _on_source,
    "out": _on_output,
    "thread": _on_thread,
    "tf": _on_tf,
    "mem": _on_memory,
    "devices": _on_devices,
    "steps": _on_steps,
    "warn": _on_warning,
    "exc": _on_exception,
    "script_end": _on_script_end,
    "end": _on_end,
    "cell": _on_cell,
    "notebook": _on_notebook,
    "recording": _on_recording,
}


def build_state(header: dict[str, Any], events: Iterable[dict[str, Any]]) -> TraceState:
    builder = StateBuilder(header)
    builder.feed_all(events)
    return builder.state
