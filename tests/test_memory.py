"""Device memory (issue 5): the agent's sampler in real TensorFlow processes, and the
analysis of `mem` events.

The GPU test uses a STAND-IN (tests/scripts/memory_gpu_standin.py): no machine here has
a GPU, so the script replaces TensorFlow's public `list_logical_devices` and
`get_memory_info` with fakes that also answer for "GPU:0". The recorder reads a real
GPU through the same two functions.
"""

from __future__ import annotations

import concurrent.futures
import json
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.analysis import build_state
from inspector.analysis.memory import MemoryStore, session_peak, summary
from inspector.trace.reader import read_trace
from tests.helpers import (
    ENV,
    REPO,
    Result,
    comparable_stderr,
    report_json,
    run_plain,
    run_recorded,
    strip_summary,
)

SCRIPTS = REPO / "tests" / "scripts"
MIB = 1 << 20


THREADS_AND_FORK = r"""
import os, sys, threading, time
if sys.argv[1:] == ["tf"]:
    import tensorflow
print(sorted(t.name for t in threading.enumerate()), flush=True)
x = bytearray(64 << 20)
for i in range(0, len(x), 4096):
    x[i] = 1
time.sleep(0.3)
pid = os.fork()
if pid == 0:
    time.sleep(0.3)
    os._exit(7)
_, status = os.waitpid(pid, 0)
print("child", os.waitstatus_to_exitcode(status))
"""


@pytest.fixture(scope="session")
def memory_runs(tmp_path_factory) -> dict[str, Result]:
    """The real TensorFlow runs of this module, two at a time."""
    out: Path = tmp_path_factory.mktemp("memory")
    (out / "threads.py").write_text(THREADS_AND_FORK)
    jobs = {
        "steps": lambda: run_recorded(SCRIPTS / "memory_steps.py", "eager", trace=out / "steps.jsonl", cwd=out),
        "interval0": lambda: run_recorded(SCRIPTS / "memory_steps.py", trace=out / "interval0.jsonl", cwd=out,
                                          extra=("--memory-interval", "0")),
        "vdev_plain": lambda: run_plain(SCRIPTS / "memory_virtual_devices.py", cwd=out),
        "vdev": lambda: run_recorded(SCRIPTS / "memory_virtual_devices.py", trace=out / "vdev.jsonl", cwd=out,
                                     extra=("--memory-interval", "0.01")),
        "fork": lambda: run_recorded(out / "threads.py", "tf", trace=out / "fork.jsonl", cwd=out,
                                     extra=("--memory-interval", "0.02")),
        "step_stats": lambda: run_recorded(SCRIPTS / "memory_step_stats.py", trace=out / "steps_stats.jsonl",
                                           cwd=out, extra=("--step-stats", "--memory-interval", "0")),
        "gpu": lambda: run_recorded(SCRIPTS / "memory_gpu_standin.py", trace=out / "gpu.jsonl", cwd=out),
    }
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


def _mem_events(trace: Path) -> list[dict]:
    return [ev for ev in read_trace(str(trace)).events if ev.get("ev") == "mem"]


def _state(trace: Path):
    data = read_trace(str(trace))
    return build_state(data.header, data.events)




# -- real TensorFlow -------------------------------------------------------------
def test_four_64_mib_variables_show_as_steps_in_rss_and_allocator(memory_runs):
    res = memory_runs["steps"]
    assert res.code == 0, res.stderr
    state = _state(res.trace)
    sess = state.sessions[1]
    ts, cur = state.memory.series("CPU:0", "rss")
    at_creation = state.memory.value_at("CPU:0", "rss", sess.created_ts + 1)
    assert at_creation is not None
    grown = max(cur) - at_creation[0]
    assert grown >= 200 * MIB, f"rss grew {grown / MIB:.0f} MiB"
    # The allocator sees each 64 MiB variable land, one step at a time.
    _, alloc = state.memory.series("CPU:0", "allocator")
    steps = [v for i, v in enumerate(alloc) if i == 0 or v != alloc[i - 1]]
    assert [v for v in steps if v >= 64 * MIB][:4] == [64 * MIB, 128 * MIB, 192 * MIB, 256 * MIB]
    report = report_json(res.trace)
    entries = {(m["device"], m["source"]): m for m in report["memory"]}
    assert entries[("CPU:0", "allocator")]["peak_bytes"] >= 256 * MIB
    assert entries[("CPU:0", "rss")]["peak_bytes"] - entries[("CPU:0", "rss")]["min_bytes"] >= 200 * MIB
    assert report["sessions"][0]["peak_memory_bytes"]["CPU:0"]["allocator"] == 256 * MIB
    assert "memory peak: CPU:0" in res.stderr


def test_memory_interval_0_records_only_the_session_readings(memory_runs):
    res = memory_runs["interval0"]
    assert res.code == 0, res.stderr
    mem = _mem_events(res.trace)
    assert mem, "session creation and close still take one reading"
    assert {(ev["at"], ev["s"]) for ev in mem} == {("sess", 1), ("close", 1)}
    # No eager context in this script: the process's memory only.
    assert {(ev["dev"], ev["src"]) for ev in mem} == {("CPU:0", "rss")}


def test_virtual_devices_configured_after_the_first_session_work_as_without_the_recorder(memory_runs):
    plain, rec = memory_runs["vdev_plain"], memory_runs["vdev"]
    assert "configured after the first session" in plain.stdout
    assert (rec.code, rec.stdout) == (plain.code, plain.stdout)
    assert comparable_stderr(strip_summary(rec.stderr)) == comparable_stderr(plain.stderr)
    # Sampled every 10 ms all along, and the allocator read once the script itself had
    # brought the eager context up (listing its logical devices).
    mem = _mem_events(rec.trace)
    alloc = [ev for ev in mem if ev["src"] == "allocator"]
    assert alloc and len([ev for ev in mem if "at" not in ev]) >= 10


def test_gpu_stand_in_is_sampled_through_tensorflows_public_functions(memory_runs):
    res = memory_runs["gpu"]
    assert res.code == 0, res.stderr
    state = _state(res.trace)
    assert ("GPU:0", "allocator") in state.memory.keys()
    _, cur = state.memory.series("GPU:0", "allocator")
    steps = [v for i, v in enumerate(cur) if i == 0 or v != cur[i - 1]]
    assert steps == [0, 64 * MIB, 128 * MIB, 192 * MIB, 32 * MIB]
    report = report_json(res.trace)
    gpu = [m for m in report["memory"] if m["device"] == "GPU:0"]
    assert gpu == [{"device": "GPU:0", "source": "allocator", "samples": len(cur),
                    "min_bytes": 0, "peak_bytes": 192 * MIB}]
    assert report["sessions"][0]["peak_memory_bytes"]["GPU:0"] == {"allocator": 192 * MIB}
    assert "GPU:0 192.0 MiB allocator" in res.stderr
    # each run's line carries the change across it, read around the run itself
    runs = [json.loads(line) for line in res.trace.read_text().splitlines() if line.startswith('{"ev":"run",')]
    assert [r.get("dmem") for r in runs] == [{"GPU:0": 64 * MIB}] * 3
    assert sorted(state.run_memory.values(), key=str) == [{"GPU:0": 64 * MIB}] * 3


def test_sampler_is_a_named_daemon_and_forked_children_are_not_sampled(memory_runs):
    res = memory_runs["fork"]
    assert res.code == 0, res.stderr
    assert res.stdout.splitlines() == ["['MainThread', 'tfsess-memory']", "child 7"]
    header = read_trace(str(res.trace)).header
    mem = _mem_events(res.trace)
    assert mem and {ev["pid"] for ev in mem} == {header["pid"]}
    # The 64 MiB the script touched after importing TensorFlow.
    assert max(ev["cur"] for ev in mem) - min(ev["cur"] for ev in mem) >= 60 * MIB


def test_step_stats_record_allocators_and_slowest_ops_without_changing_the_script(memory_runs):
    res = memory_runs["step_stats"]
    assert res.code == 0, res.stderr
    assert res.stdout.splitlines() == [
        "run 262144.0", "run 262144.0", "eval 262144.0", "own metadata 262144.0 0", "own tracing 262144.0 True",
    ]
    state = _state(res.trace)
    # Traced: the initializer, both runs, eval (through BaseSession.run) and the call that
    # traced itself; the call with its own untraced RunMetadata got none, as without us.
    assert len(state.memory.steps) == 5
    runs = list(state.runs)
    traced = [runs[i] for i in (0, 1, 2, 3, 5)]
    for run in traced:
        stats = state.memory.step_stats(run.ts, run.ts + run.dur, run.session)
        assert stats is not None and stats.ops > 0
    assert state.memory.step_stats(runs[4].ts, runs[4].ts + runs[4].dur, runs[4].session) is None
    first = state.memory.step_stats(runs[1].ts, runs[1].ts + runs[1].dur, 1)
    assert any(name == "the_matmul" for name, _ in first.slowest)
    assert first.allocators and all(peak > 0 and allocated > 0 for _, peak, allocated in first.allocators)


# -- without TensorFlow (fast) ------------------------------------------------------
def test_a_script_without_tensorflow_gets_no_thread_of_ours(tmp_path):
    script = tmp_path / "threads.py"
    script.write_text(THREADS_AND_FORK)
    res = run_recorded(script, trace=tmp_path / "t.jsonl", cwd=tmp_path, extra=("--memory-interval", "0.02"),
                       timeout=60)
    assert res.code == 0, res.stderr
    assert res.stdout.splitlines() == ["['MainThread']", "child 7"]
    assert _mem_events(res.trace) == []


def test_memory_interval_must_be_a_number_of_seconds(tmp_path):
    p = subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "--memory-interval", "-1",
                        str(tmp_path / "x.py")], env={**ENV, "PYTHONPATH": str(REPO)},
                       capture_output=True, text=True)
    assert p.returncode == 2 and "must be 0 or more seconds" in p.stderr


# -- analysis ----------------------------------------------------------------------
def _store(samples) -> MemoryStore:
    store = MemoryStore()
    for s in samples:
        store.add(*s)
    return store


def test_summary_is_one_entry_per_device_and_source_cpu_first():
    store = _store([
        (10, "GPU:0", "allocator", 5, 9),
        (10, "CPU:0", "allocator", 3, 3),
        (10, "CPU:0", "rss", 100, 120),
        (20, "CPU:0", "rss", 90, 130),
    ])
    assert summary(store) == [
        {"device": "CPU:0", "source": "rss", "samples": 2, "min_bytes": 90, "peak_bytes": 130},
        {"device": "CPU:0", "source": "allocator", "samples": 1, "min_bytes": 3, "peak_bytes": 3},
        {"device": "GPU:0", "source": "allocator", "samples": 1, "min_bytes": 5, "peak_bytes": 9},
    ]


def test_session_peak_counts_its_close_reading_and_a_peak_reached_between_samples():
    store = _store([
        (0, "GPU:0", "allocator", 10, 50),    # before the session: peak 50 is not its own
        (100, "GPU:0", "allocator", 10, 50, 1),  # tagged creation reading
        (150, "GPU:0", "allocator", 20, 80),  # the allocator's peak rose to 80 meanwhile
        (201, "GPU:0", "allocator", 30, 80, 1),  # tagged close reading, just after the close event
        (300, "GPU:0", "allocator", 500, 500),  # after the session
    ])
    assert session_peak(store, 100, 200, 1) == {"GPU:0": {"allocator": 80}}
    assert session_peak(store, 100, None, 1) == {"GPU:0": {"allocator": 500}}
    assert session_peak(store, 400, 450, 2) == {}


def test_series_and_value_at_read_the_store_as_it_grows():
    store = _store([(10, "CPU:0", "rss", 1), (20, "CPU:0", "rss", 2)])
    ts, cur = store.series("CPU:0", "rss")
    assert (list(ts), list(cur)) == ([10, 20], [1, 2])
    store.add(30, "CPU:0", "rss", 3)
    assert list(cur) == [1, 2, 3]  # the same arrays, grown
    assert store.value_at("CPU:0", "rss", 25) == (2, -1)
    assert store.value_at("CPU:0", "rss", 5) is None
    assert store.series("GPU:7", "allocator") == (ts[:0], cur[:0])
    store.add(40, "CPU:0", "rss", 1 << 70)  # not a reading: ignored
    assert len(cur) == 3


def test_a_trace_without_memory_events_reports_none():
    from inspector.analysis.report import build_report

    header = {"ev": "header", "format": "tfsess-trace", "version": 1, "pid": 1}
    state = build_state(header, [
        {"ev": "sess", "pid": 1, "s": 1, "ts": 5, "kind": "Session", "site": 0},
        {"ev": "close", "pid": 1, "s": 1, "ts": 9, "how": "explicit", "site": 0},
    ])
    report = build_report(state, [])
    assert report["memory"] == [] and report["sessions"][0]["peak_memory_bytes"] is None


def test_a_runs_memory_change_is_in_its_details(memory_runs):
    import asyncio

    from inspector.tui.app import InspectorApp
    from inspector.tui.detail_pane import DetailPane
    from inspector.tui.sources import TraceFile
    from tests.test_tui_app import SIZE, loaded

    res = memory_runs["gpu"]

    async def go():
        app = InspectorApp(TraceFile(str(res.trace)))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("g")  # the start; then the first run
            for _ in range(60):
                info = app.view.info(app.selected_ref)
                if info.run is not None:
                    break
                await pilot.press("j")
            await pilot.pause()
            return app.query_one(DetailPane).text

    text = " ".join(asyncio.run(go()).split())
    assert "memory Δ GPU:0 +64.0 MiB across this run" in text, text
