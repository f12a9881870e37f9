"""The run file (trace format version 2): successful runs as binary records in a shared
mapping. Crash safety at scale, feed shapes that change, and every kind of bad run file
said in one line by the real CLI; arbitrary bytes never crash the reader."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.analysis import build_state
from inspector.analysis.state import StateBuilder
from inspector.trace import format as fmt
from inspector.trace.reader import TraceError, TraceTail, iter_trace, read_trace
from inspector.trace.run_writer import RunFileWriter
from tests.helpers import ENV, REPO, run_recorded

TRACE_ID = bytes(range(16))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inspector", *args], env={**ENV, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120)


def _synthetic(tmp: Path, runs: int = 5, trace_id: bytes = TRACE_ID) -> Path:
    """A small version-2 trace written by the real run-file writer."""
    trace = tmp / "t.jsonl"
    header = {"ev": "header", "format": fmt.FORMAT_NAME, "version": 2, "pid": 7, "argv": [],
              "runs": {"file": "t.jsonl.runs", "id": trace_id.hex(), "record": 24}}
    lines = [header,
             {"ev": "sess", "pid": 7, "s": 1, "ts": 1, "kind": "Session", "site": 0, "th": 1},
             {"ev": "rshape", "pid": 7, "id": 1, "s": 1, "k": "run", "site": 0, "fs": 0, "th": 1},
             {"ev": "close", "pid": 7, "s": 1, "ts": 10_000, "how": "explicit", "site": 0, "th": 1}]
    trace.write_text("".join(json.dumps(x) + "\n" for x in lines))
    w = RunFileWriter(str(trace) + ".runs", trace_id)
    for i in range(runs):
        w.write(1, 100 + i * 10, 5)
    return trace


def test_runs_come_back_in_place_among_the_json_events(tmp_path):
    trace = _synthetic(tmp_path, runs=5)
    data = read_trace(str(trace))
    kinds = [e["ev"] for e in data.events]
    assert kinds == ["sess", "run", "run", "run", "run", "run", "close"]
    assert [e["ts"] for e in data.events if e["ev"] == "run"] == [100, 110, 120, 130, 140]
    _, batches = iter_trace(str(trace), bulk_runs=True)
    events = [e for b in batches for e in b]
    assert [e["ev"] for e in events] == ["sess", "runs", "close"] and events[1]["n"] == 5


def test_many_runs_come_out_in_bounded_batches(tmp_path):
    trace = _synthetic(tmp_path, runs=300_000)
    _, batches = iter_trace(str(trace), bulk_runs=True)
    sizes = [e["n"] for b in batches for e in b if e["ev"] == "runs"]
    assert sum(sizes) == 300_000
    state = build_state(read_trace(str(trace)).header, read_trace(str(trace)).events)
    assert len(state.runs) == 300_000


@pytest.mark.parametrize("damage, says", [
    ("missing", "no such file"),
    ("garbage", "is not a tfsess-inspect run-record file"),
    ("other-trace", "holds the runs of another trace"),
    ("newer", "written by a newer tfsess-inspect"),
    ("header-cut", "cut short before its header ends"),
])
def test_a_bad_run_file_is_one_line_and_exit_2(tmp_path, damage, says):
    trace = _synthetic(tmp_path)
    runs = Path(str(trace) + ".runs")
    raw = runs.read_bytes()
    if damage == "missing":
        runs.unlink()
    elif damage == "garbage":
        runs.write_bytes(os.urandom(len(raw)))
    elif damage == "other-trace":
        runs.write_bytes(raw[:16] + bytes(16) + raw[32:])
    elif damage == "newer":
        runs.write_bytes(raw[:8] + struct.pack("<I", 99) + raw[12:])
    elif damage == "header-cut":
        runs.write_bytes(raw[:20])
    for command in (("report", str(trace)), ("export", str(trace), "--format", "chrome", "-o",
                                             str(tmp_path / "x.json"))):
        p = _cli(*command)
        assert p.returncode == 2, (command, p.stdout, p.stderr)
        assert says in p.stderr and "Traceback" not in p.stderr
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_a_run_file_cut_in_a_record_opens_with_a_warning(tmp_path):
    trace = _synthetic(tmp_path, runs=5)
    runs = Path(str(trace) + ".runs")
    runs.write_bytes(runs.read_bytes()[: 48 + 24 * 3 + 10])  # a copy that stopped
    p = _cli("report", str(trace), "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["runs"] == 3
    assert "cut" in p.stderr and "run" in p.stderr


def test_records_that_are_not_runs_are_skipped_and_counted(tmp_path):
    trace = _synthetic(tmp_path, runs=5)
    runs = Path(str(trace) + ".runs")
    raw = bytearray(runs.read_bytes())
    raw[48 + 24: 48 + 48] = b"\xff" * 24  # record 1: another tag
    runs.write_bytes(bytes(raw))
    p = _cli("report", str(trace), "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["runs"] == 4
    assert "1 run record skipped" in p.stderr


def _read_v2(trace: Path, run_bytes: bytes):
    Path(str(trace) + ".runs").write_bytes(run_bytes)
    tail = TraceTail(str(trace), bulk_runs=True)
    try:
        events = tail.feed(trace.read_bytes(), final=True)
    except TraceError:
        return None
    StateBuilder(tail.header).feed_all(events)
    return events


@settings(max_examples=120, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_run_file_bytes_never_crash_the_reader(tmp_path_factory, data):
    trace = _synthetic(tmp_path_factory.mktemp("p"), runs=2)
    _read_v2(trace, data)


@settings(max_examples=120, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_records_after_a_valid_run_file_header_never_crash_the_reader(tmp_path_factory, data):
    trace = _synthetic(tmp_path_factory.mktemp("p"), runs=0)
    head = Path(str(trace) + ".runs").read_bytes()[:48]
    assert _read_v2(trace, head + data) is not None


def test_sigkill_after_100000_runs_from_two_threads_loses_none_that_returned(tmp_path):
    """Every run that returned before the SIGKILL is in the run file, with its feed
    shapes (the batch of 3 every hundredth step says so), and no record is damaged."""
    trace, counter = tmp_path / "killed.jsonl", tmp_path / "counter"
    proc = subprocess.Popen(
        [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(trace),
         str(REPO / "tests" / "scripts" / "killed_after_many_runs.py"), str(counter)],
        env={**ENV, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    done = pid = 0
    while done < 100_000 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if counter.exists() and counter.stat().st_size == 16:
            done, pid = struct.unpack("<qq", counter.read_bytes())
    assert done >= 100_000, f"only {done} runs in 240 s"
    os.kill(pid, signal.SIGKILL)  # the script, not the inspector: as the OOM killer would
    assert proc.wait(timeout=60) == 128 + signal.SIGKILL
    done = struct.unpack("<q", counter.read_bytes()[:8])[0]
    tail = TraceTail(str(trace))
    events = tail.feed(trace.read_bytes(), final=True)
    state = build_state(tail.header, events)
    assert tail.bad_runs == 0 and not tail.runs_cut
    # A run is recorded before it returns, and counted after: at most the two threads'
    # last runs are recorded and not yet counted.
    assert done <= len(state.runs) <= done + 2
    assert state.exit.signal == signal.SIGKILL
    feeds = {tuple(r.fetch.feeds[0].shape) for r in state.runs if r.fetch.feeds}
    assert feeds == {(8, 4), (3, 4)}


def test_a_recorded_script_writes_its_runs_to_the_run_file(tmp_path):
    trace = tmp_path / "t.jsonl"
    r = run_recorded(REPO / "tests" / "scenarios" / "threads_one_session.py", trace=trace)
    assert r.code == 0, r.stderr
    text = trace.read_text()
    assert '"ev":"run",' not in text  # no JSON run lines: records
    header = json.loads(text.splitlines()[0])
    assert header["version"] == 2 and header["runs"]["file"] == "t.jsonl.runs"
    data = read_trace(str(trace))
    assert sum(1 for e in data.events if e["ev"] == "run") > 0


def test_valid_records_after_many_bad_ones_are_still_read(tmp_path, monkeypatch):
    """Reading goes on past a chunk in which every record fails its checks."""
    import inspector.trace.reader as reader

    monkeypatch.setattr(reader, "RUNS_CHUNK", 4)
    trace = _synthetic(tmp_path, runs=12)
    runs = Path(str(trace) + ".runs")
    raw = bytearray(runs.read_bytes())
    raw[48: 48 + 24 * 8] = b"\xee" * (24 * 8)  # the first 8 records: not run records
    runs.write_bytes(bytes(raw))
    tail = TraceTail(str(trace))
    events = tail.feed(trace.read_bytes(), final=True)
    assert sum(1 for e in events if e["ev"] == "run") == 4 and tail.bad_runs == 8


def test_a_trace_renamed_with_its_run_file_still_reads(tmp_path):
    trace = _synthetic(tmp_path, runs=3)
    moved = tmp_path / "renamed.jsonl"
    trace.rename(moved)
    Path(str(trace) + ".runs").rename(str(moved) + ".runs")
    assert sum(1 for e in read_trace(str(moved)).events if e["ev"] == "run") == 3


def test_a_trace_that_is_a_pipe_gets_its_runs_as_lines(tmp_path):
    """No run file beside a trace sent to a pipe: the runs are `run` lines in it."""
    script = tmp_path / "pipe_trace.py"
    script.write_text(
        "import os, sys, threading\n"
        "fifo = sys.argv[1]\n"
        "got = []\n"
        "reader = threading.Thread(target=lambda: got.append(open(fifo, 'rb').read()))\n"
        "reader.start()\n"
        "from inspector.agent import recorder, runs\n"
        "rec = recorder.start(fifo, header={'script': 'x'})\n"
        "class Session: pass\n"
        "sess = Session()\n"
        "run = runs.recorded_run('run', lambda self, fetches: 42, runs.RUN)\n"
        "assert run(sess, 'c:0') == 42 and run(sess, 'c:0') == 42\n"
        "os.close(rec.writer.fd)\n"
        "reader.join()\n"
        "sys.stdout.write(got[0].decode())\n")
    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)
    p = subprocess.run([sys.executable, str(script), str(fifo)], env={**ENV, "PYTHONPATH": str(REPO)},
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    assert "runs" not in lines[0]
    assert [e["ev"] for e in lines].count("run") == 2
    assert not (tmp_path / "trace.fifo.runs").exists()


def test_a_shape_id_near_the_limit_costs_nothing(tmp_path):
    """An `rshape` line with a huge id (a damaged trace) must not make the reader build
    anything of that size."""
    trace = _synthetic(tmp_path, runs=2)
    with open(trace, "a") as fh:
        fh.write(json.dumps({"ev": "rshape", "pid": 7, "id": (1 << 31) - 1, "s": 1, "k": "run",
                             "site": 0, "fs": 0, "th": 1}) + "\n")
    data = read_trace(str(trace))
    assert sum(1 for e in data.events if e["ev"] == "run") == 2
