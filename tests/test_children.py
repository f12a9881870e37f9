"""The script's Python child processes are recorded into their own traces, and report,
replay and the live view merge them into one timeline (issue #6)."""

from __future__ import annotations

import json

import pytest

from inspector.analysis.state import StateBuilder
from inspector.trace.merge import ID_STRIDE, MergedTail
from tests.helpers import (
    REPO,
    comparable_stderr,
    report_json,
    run_plain,
    run_recorded,
    strip_summary,
)

SCRIPTS = REPO / "tests" / "scripts"
PARENT = SCRIPTS / "children_parent.py"
CHILD = SCRIPTS / "children_child.py"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("children")
    trace = tmp / "t.jsonl"
    return run_plain(PARENT, timeout=300), run_recorded(PARENT, trace=trace, timeout=300), tmp




def test_the_script_behaves_as_without_the_recorder(recorded):
    plain, rec, _ = recorded
    assert rec.code == plain.code == 0
    assert sorted(rec.stdout.splitlines()) == sorted(plain.stdout.splitlines())
    assert "forked 5.0" in rec.stdout and "subprocess exit 0" in rec.stdout
    assert comparable_stderr(strip_summary(rec.stderr)) == comparable_stderr(plain.stderr)


def test_each_child_that_imports_tensorflow_has_its_own_trace(recorded):
    _, rec, tmp = recorded
    files = sorted(p.name for p in tmp.glob("t.child-*.jsonl"))
    procs = [json.loads(line) for line in (tmp / "t.jsonl").read_text().splitlines()
             if line.startswith('{"ev":"proc"')]
    # the subprocess, one pool worker, the forked child; not the child without TensorFlow
    assert len(procs) == 3 == len(files), (procs, files)
    assert sorted(p["trace"] for p in procs) == files
    assert sorted(p["how"] for p in procs) == ["fork", "spawn", "spawn"]
    root_pid = json.loads((tmp / "t.jsonl").read_text().splitlines()[0])["pid"]
    for name in files:
        header = json.loads((tmp / name).read_text().splitlines()[0])
        assert header["format"] == "tfsess-trace" and header["root_trace"] == "t.jsonl"
        assert header["t0_mono_ns"] == json.loads((tmp / "t.jsonl").read_text().splitlines()[0])["t0_mono_ns"]
        assert header["pid"] != root_pid


def test_report_merges_the_children(recorded):
    _, rec, tmp = recorded
    report = report_json(tmp / "t.jsonl")
    pids = {s["pid"] for s in report["sessions"]}
    assert len(pids) == 3  # subprocess, pool worker, forked child (the root made none)
    assert len({s["id"] for s in report["sessions"]}) == len(report["sessions"]) == 4
    assert all(s["id"] > ID_STRIDE for s in report["sessions"])
    by_kind = {(f["kind"], f["file"], f["line"]) for f in report["findings"]}
    line = CHILD.read_text().splitlines().index("    sess.run(c)  # the line the finding points at") + 1
    assert ("run-after-close", str(CHILD), line) in by_kind
    forked = CHILD.parent / "children_parent.py"
    assert any(k == "session-leak" and f == str(forked) for k, f, _ in by_kind)
    assert report["runs"] == 2 + 2 + 1


def test_replay_reads_the_children_in_time_order(recorded):
    _, _, tmp = recorded
    tail = MergedTail(str(tmp / "t.jsonl"), bulk_runs=True, hold_back=True)
    events = []
    while True:  # small reads, as the app polls: the held-back merge across many polls
        offset = tail.offset
        got = tail.read_new(4096)
        events += got
        if not got and tail.offset == offset:
            break
    events += tail.feed(b"", final=True)
    builder = StateBuilder(tail.header)
    builder.feed_all(events)
    assert len(builder.state.sessions) == 4
    times = [ev["ts"] for ev in events if isinstance(ev.get("ts"), int) and ev.get("ev") in ("sess", "close", "proc")]
    assert times == sorted(times)


def test_a_path_in_a_proc_line_is_never_followed_elsewhere(tmp_path):
    root = tmp_path / "r.jsonl"
    elsewhere = tmp_path / "other.jsonl"
    elsewhere.write_text('{"ev":"header","format":"tfsess-trace","version":1,"pid":9}\n')
    header = {"ev": "header", "format": "tfsess-trace", "version": 1, "pid": 1}
    lines = [header,
             {"ev": "proc", "pid": 9, "ppid": 1, "ts": 1, "how": "spawn", "trace": "other.jsonl"},
             {"ev": "proc", "pid": 9, "ppid": 1, "ts": 1, "how": "spawn", "trace": "../r.child-9.jsonl"},
             {"ev": "proc", "pid": 8, "ppid": 1, "ts": 1, "how": "spawn", "trace": "r.child-9.jsonl"}]
    root.write_text("".join(json.dumps(x) + "\n" for x in lines))
    tail = MergedTail(str(root))
    tail.read_new()
    assert tail.children == []


def test_the_replay_app_shows_a_lane_group_per_process(recorded):
    import asyncio

    from inspector.tui.app import InspectorApp
    from inspector.tui.sources import TraceFile
    from inspector.tui.timeline import Timeline
    from tests.test_tui_app import SIZE, loaded, text_of

    _, _, tmp = recorded
    report = report_json(tmp / "t.jsonl")
    child_pids = [str(s["pid"]) for s in report["sessions"]]

    async def go():
        app = InspectorApp(TraceFile(str(tmp / "t.jsonl")))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            return text_of(app.query_one(Timeline))

    drawn = asyncio.run(go())
    lanes = [line for line in drawn.splitlines() if "Session #" in line]
    assert len(lanes) == 4, drawn
    # grouped: each process's lanes next to each other, each labelled with its pid
    order = [next(p for p in child_pids if f"pid {p} " in line) for line in lanes]
    assert order == sorted(order, key=order.index) and all(order)
    assert [order[i] for i in range(len(order)) if i == 0 or order[i] != order[i - 1]] == list(dict.fromkeys(order))


def test_the_live_view_follows_the_children_as_they_run(tmp_path):
    import asyncio

    from inspector.tui.app import InspectorApp
    from inspector.tui.sources import LiveScript
    from tests.test_tui_app import SIZE, wait_for

    source = LiveScript(str(PARENT), [], str(tmp_path / "live.jsonl"))

    async def go():
        app = InspectorApp(source)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.final and app.exited, timeout=240)
            await pilot.pause()
            st = app.view.state
            return {s.pid for s in st.sessions.values()}, st.header["pid"], [f.kind for f in app.view.findings]

    pids, root, kinds = asyncio.run(go())
    assert len(pids) == 3 and root not in pids
    assert "run-after-close" in kinds
