"""`tfsess-inspect export TRACE --format chrome`: the Chrome trace-event JSON that
Perfetto and chrome://tracing load, checked event by event."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import ENV, REPO, run_recorded

SCRIPT = REPO / "tests" / "scripts" / "export_tracks.py"


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "inspector", *args], cwd=cwd,
                          env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[dict, dict]:
    """The export script recorded once, exported, and read back with its JSON report."""
    d: Path = tmp_path_factory.mktemp("export")
    r = run_recorded(SCRIPT, trace=d / "t.jsonl", cwd=d)
    assert r.code == 0, r.stderr
    p = cli("export", str(r.trace), "--format", "chrome", "-o", str(d / "out.json"))
    assert p.returncode == 0, p.stderr
    report = json.loads(cli("report", str(r.trace), "--format", "json").stdout)
    return json.loads((d / "out.json").read_text()), report, r.trace


def _tracks(doc) -> dict[tuple[int, int], str]:
    return {(e["pid"], e["tid"]): e["args"]["name"] for e in doc["traceEvents"]
            if e["ph"] == "M" and e["name"] == "thread_name"}


def test_export_is_a_chrome_trace_object_with_known_phases(exported):
    doc, _, _ = exported
    assert isinstance(doc["traceEvents"], list)
    assert doc["displayTimeUnit"] in ("ms", "ns")
    phases = Counter(e["ph"] for e in doc["traceEvents"])
    assert set(phases) <= {"M", "X", "i", "b", "e", "C"}
    for e in doc["traceEvents"]:
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
        if e["ph"] != "M":
            assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0


def test_each_run_is_a_complete_event_with_duration_and_fetch_names(exported):
    doc, report, _ = exported
    runs = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert len(runs) == report["runs"] == 7
    for e in runs:
        assert e["dur"] >= 0
        assert e["args"]["fetches"] == ["total:0"]
        assert e["args"]["feeds"] == ["x:0"]
        assert e["name"] == "sess.run(total:0)"
        assert e["args"]["site"].startswith(str(SCRIPT) + ":")
    failed = [e for e in runs if "error" in e["args"]]
    assert len(failed) == 1 and "closed Session" in failed[0]["args"]["error"]


def test_one_track_per_session_and_thread_in_the_process(exported):
    doc, report, _ = exported
    pid = report["trace"]["pid"]
    names = {e["args"]["name"] for e in doc["traceEvents"]
             if e["ph"] == "M" and e["name"] == "process_name"}
    assert names == {f"export_tracks.py (pid {pid})"}
    tracks = _tracks(doc)
    assert sorted(tracks.values()) == ["Session #1 · MainThread", "Session #2 · MainThread",
                                       "Session #2 · feeder"]
    per_track = Counter(tracks[(e["pid"], e["tid"])] for e in doc["traceEvents"] if e["ph"] == "X")
    assert per_track == {"Session #1 · MainThread": 4, "Session #2 · MainThread": 1,
                         "Session #2 · feeder": 2}
    # runs on one track never overlap (complete events on a track must nest)
    by_track: dict = {}
    for e in doc["traceEvents"]:
        if e["ph"] == "X":
            by_track.setdefault(e["tid"], []).append((e["ts"], e["ts"] + e["dur"]))
    for spans in by_track.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_sessions_are_async_slices_from_creation_to_close(exported):
    doc, report, _ = exported
    begins = {e["id"]: e for e in doc["traceEvents"] if e["ph"] == "b"}
    ends = {e["id"]: e for e in doc["traceEvents"] if e["ph"] == "e"}
    assert set(begins) == set(ends) == {f"{s['pid']}:{s['id']}" for s in report["sessions"]}
    for ident, b in begins.items():
        assert ends[ident]["ts"] >= b["ts"]
        assert b["args"]["closed"].endswith("(explicit)")


def test_findings_are_instants_on_the_track_of_their_run(exported):
    doc, report, _ = exported
    instants = [e for e in doc["traceEvents"] if e["ph"] == "i" and e["cat"] == "finding"]
    assert [e["args"]["kind"] for e in instants] == [f["kind"] for f in report["findings"]]
    (rac,) = [e for e in instants if e["args"]["kind"] == "run-after-close"]
    assert rac["s"] == "t"
    assert _tracks(doc)[(rac["pid"], rac["tid"])] == "Session #1 · MainThread"
    failed = [e for e in doc["traceEvents"] if e["ph"] == "X" and "error" in e["args"]]
    assert rac["ts"] == failed[0]["ts"]
    assert rac["args"]["at"] == f"{SCRIPT}:33"


def _counters(doc) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for e in doc["traceEvents"]:
        if e["ph"] == "C":
            out.setdefault(e["name"], []).append(e)
    return out


def test_memory_is_a_counter_track_per_device_and_source_with_each_sample(exported):
    doc, report, trace = exported
    mem = [json.loads(line) for line in trace.read_text().splitlines() if line.startswith('{"ev":"mem"')]
    assert any(m["dev"] == "CPU:0" and m["src"] == "rss" for m in mem)  # the recording sampled
    counters = _counters(doc)
    assert set(counters) == {f"memory {m['dev']} {m['src']}" for m in mem}
    pid = report["trace"]["pid"]
    for entry in report["memory"]:
        name = f"memory {entry['device']} {entry['source']}"
        events = counters[name]
        raw = [m for m in mem if m["dev"] == entry["device"] and m["src"] == entry["source"]]
        # one counter event per recorded line, in order, with its bytes and time (µs)
        assert [e["args"] for e in events] == [{"bytes": m["cur"]} for m in raw]
        last = 0
        for e, m in zip(events, raw, strict=True):
            last = max(last, m["ts"])  # lines of two threads may land a hair out of order
            assert e["ts"] == last / 1000  # both the float nearest to the exact µs
            assert (e["pid"], e["tid"], e["cat"]) == (pid, 0, "memory")
        assert len(events) == entry["samples"]
        assert min(e["args"]["bytes"] for e in events) == entry["min_bytes"]
        assert max(e["args"]["bytes"] for e in events) <= entry["peak_bytes"]
    # the readings taken when each session was created and closed are among them
    rss_times = {e["ts"] for e in counters["memory CPU:0 rss"]}
    tagged = [m for m in mem if m.get("at") in ("sess", "close") and m["src"] == "rss"]
    assert len(tagged) >= 4 and all(m["ts"] / 1000 in rss_times for m in tagged)


def test_each_memory_series_gets_its_own_counter_and_no_memory_gives_none(tmp_path):
    trace = tmp_path / "mem.jsonl"
    _synthetic_trace(trace, 2)
    with open(trace, "a") as fh:
        fh.write('{"ev":"mem","pid":7,"ts":500,"dev":"CPU:0","src":"rss","cur":1000,"peak":1000}\n')
        fh.write('{"ev":"mem","pid":7,"ts":1500,"dev":"GPU:0","src":"allocator","cur":256,"peak":512}\n')
        fh.write('{"ev":"mem","pid":7,"ts":2500,"dev":"CPU:0","src":"rss","cur":3000,"peak":3000}\n')
    p = cli("export", str(trace), "-o", "-")
    assert p.returncode == 0, p.stderr
    counters = _counters(json.loads(p.stdout))
    assert {k: [(e["ts"], e["args"]["bytes"]) for e in v] for k, v in counters.items()} == {
        "memory CPU:0 rss": [(0.5, 1000), (2.5, 3000)],
        "memory GPU:0 allocator": [(1.5, 256)],
    }
    # a child process's series in a merged trace (`CPU:0 pid N`) is on process N's track
    with open(trace, "a") as fh:
        fh.write('{"ev":"mem","pid":7,"ts":3000,"dev":"CPU:0 pid 9","src":"rss","cur":77,"peak":77}\n')
    doc = json.loads(cli("export", str(trace), "-o", "-").stdout)
    (child,) = [e for e in doc["traceEvents"] if e["ph"] == "C" and e["pid"] == 9]
    assert (child["name"], child["args"]) == ("memory CPU:0 rss", {"bytes": 77})
    assert any(e["ph"] == "M" and e["name"] == "process_name" and e["pid"] == 9
               for e in doc["traceEvents"])
    bare = tmp_path / "bare.jsonl"
    _synthetic_trace(bare, 2)
    p = cli("export", str(bare), "-o", "-")
    assert p.returncode == 0 and not _counters(json.loads(p.stdout))


def _synthetic_trace(path: Path, runs: int) -> None:
    head = {"ev": "header", "format": "tfsess-trace", "version": 1, "pid": 7, "ppid": 1,
            "python": "3", "executable": "python", "cwd": str(path.parent), "start_wall": 0.0,
            "t0_mono_ns": 0, "tensorflow": None, "script": "big.py", "module": False,
            "argv": ["big.py"]}
    with open(path, "w") as fh:
        fh.write(json.dumps(head) + "\n")
        fh.write('{"ev":"site","pid":7,"id":1,"file":"/x/big.py","line":3,"func":"f","stack":[]}\n')
        fh.write('{"ev":"thread","pid":7,"id":1,"name":"MainThread","native":7}\n')
        fh.write('{"ev":"fs","pid":7,"id":1,"fetches":[["y:0","float32",[],1,"tensor"]],'
                 '"nfetch":1,"feeds":[],"nfeed":0}\n')
        fh.write('{"ev":"sess","pid":7,"s":1,"ts":1,"kind":"Session","target":"","graph":1,'
                 '"config":null,"parent":0,"site":1,"th":1,"known":true}\n')
        fh.writelines('{"ev":"run","s":1,"ts":%d,"dur":900,"k":"run","site":1,"fs":1,"th":1,'
                      '"pid":7}\n' % (1000 * (i + 1)) for i in range(runs))


def test_a_big_export_streams_and_shows_progress(tmp_path, monkeypatch, capsys):
    from inspector import cli as cli_mod
    from inspector.analysis import chrome_trace
    from inspector.commands import export

    trace = tmp_path / "big.jsonl"
    _synthetic_trace(trace, 120_000)
    monkeypatch.setattr(export, "PROGRESS_AFTER_S", 0.0)
    monkeypatch.setattr(chrome_trace, "PROGRESS_EVERY", 50_000)
    assert cli_mod.main(["export", str(trace)]) == 0  # default name: big.chrome.json
    err = capsys.readouterr().err
    assert "export: 120,000 of 120,000 runs (100%)" in err
    doc = json.loads((tmp_path / "big.chrome.json").read_text())
    assert sum(1 for e in doc["traceEvents"] if e["ph"] == "X") == 120_000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tfsess-export-")]


def test_export_to_a_missing_directory_is_a_one_line_error(tmp_path):
    trace = tmp_path / "t.jsonl"
    _synthetic_trace(trace, 1)
    p = cli("export", str(trace), "-o", str(tmp_path / "no" / "out.json"))
    assert p.returncode == 2 and p.stderr.startswith("tfsess-inspect: cannot write")
