"""report/export (`iter_merged`) and replay (`MergedTail`) merge a root trace with its
children by one merge: same events, same order, whatever the chunk size."""

from __future__ import annotations

import json

import pytest

from inspector.trace.merge import ID_STRIDE, MergedTail, iter_merged
from inspector.trace.reader import TraceError

HEADER = {"ev": "header", "format": "tfsess-trace", "version": 1, "pid": 1, "t0_mono_ns": 0}


def _write(path, events) -> None:
    path.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events))


def _traces(tmp_path):
    root = tmp_path / "t.jsonl"
    root_events = [HEADER, {"ev": "out", "fd": 1, "pid": 1, "text": "a", "ts": 5}]
    for pid, how in ((7, "spawn"), (8, "fork")):
        root_events.append({"ev": "proc", "pid": pid, "ppid": 1, "ts": 10 + pid, "how": how,
                            "trace": f"t.child-{pid}.jsonl"})
        child = [{**HEADER, "pid": pid, "child": how, "root_trace": "t.jsonl"},
                 {"ev": "site", "id": 1, "file": "c.py", "line": 3, "func": "f", "stack": [], "pid": pid},
                 {"ev": "thread", "id": 1, "name": "MainThread", "native": pid, "pid": pid},
                 {"ev": "sess", "s": 2, "ts": 20 + pid, "kind": "Session", "target": "", "graph": 1,
                  "site": 1, "th": 1, "pid": pid}]
        child += [{"ev": "run", "s": 2, "ts": 30 + 7 * i + pid, "dur": 3, "k": "run", "site": 1, "fs": 1,
                   "th": 1, "pid": pid} for i in range(200)]
        # the parent's session 1, made before the fork: the forked child's run is on it
        child.append({"ev": "run", "s": 1, "ts": 3000 + pid, "dur": 1, "k": "run", "site": 1, "fs": 1,
                      "th": 1, "pid": pid})
        _write(tmp_path / f"t.child-{pid}.jsonl", child)
    root_events += [{"ev": "out", "fd": 1, "pid": 1, "text": "b", "ts": 40 + 10 * i} for i in range(150)]
    root_events.append({"ev": "end", "ts": 5000})
    _write(root, root_events)
    return root


def _flat(events) -> list:
    out = []
    for ev in events:
        if ev.get("ev") == "runs":  # a column batch: its runs one by one (batches depend on chunks)
            out += [("run", ev.session[i], ev.ts[i]) for i in range(len(ev.ts))]
        else:
            out.append(json.dumps(ev, sort_keys=True))
    return out


def _polled(path, chunk: int, bulk: bool) -> list:
    tail = MergedTail(str(path), bulk_runs=bulk, hold_back=True)
    events = []
    while True:
        offset = tail.offset
        got = tail.read_new(chunk)
        events += got
        if not got and tail.offset == offset:
            break
    return events + tail.feed(b"", final=True)


@pytest.mark.parametrize("chunk", [8 << 20, 4096, 700])
@pytest.mark.parametrize("bulk", [True, False])
def test_report_and_replay_read_the_same_merged_events(tmp_path, chunk, bulk):
    root = _traces(tmp_path)
    tail, batches = iter_merged(str(root), chunk, bulk)
    merged = _flat(ev for batch in batches for ev in batch)
    assert merged == _flat(_polled(root, chunk, bulk))
    assert tail.header["pid"] == 1 and not tail.cut and tail.bad_lines == 0
    assert len(merged) == 1 + 2 + 150 + 1 + 2 * (3 + 201)  # the children's headers are not events


def test_the_merge_shifts_child_ids_and_keeps_time_order(tmp_path):
    root = _traces(tmp_path)
    _, batches = iter_merged(str(root), 700)
    events = [ev for batch in batches for ev in batch]
    sessions = sorted({(ev["pid"], ev["s"]) for ev in events if ev["ev"] in ("sess", "run")})
    # child 1 (spawn) shifted by one stride, child 2 (fork) by two; the forked child's
    # run on its parent's pre-fork session 1 is the root's session 1
    assert sessions == [(7, ID_STRIDE + 1), (7, ID_STRIDE + 2), (8, 1), (8, 2 * ID_STRIDE + 2)]
    times = [ev["ts"] for ev in events if "ts" in ev]
    assert times == sorted(times)


def test_report_still_gets_the_readers_errors(tmp_path):
    with pytest.raises(TraceError, match="no such file"):
        iter_merged(str(tmp_path / "none.jsonl"))
    (tmp_path / "e.jsonl").write_text("")
    with pytest.raises(TraceError, match="is empty: the recording never started"):
        iter_merged(str(tmp_path / "e.jsonl"))
    (tmp_path / "x.jsonl").write_text('{"ev":"out"}\n')
    with pytest.raises(TraceError, match="is not a tfsess-inspect trace"):
        iter_merged(str(tmp_path / "x.jsonl"))
