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
    return json.loads((d / "out.json").read_text()), report


def _tracks(doc) -> dict[tuple[int, int], str]:
    return {(e["pid"], e["tid"]): e["args"]["name"] for e in doc["traceEvents"]
            if e["ph"] == "M" and e["name"] == "thread_name"}


def test_export_is_a_chrome_trace_object_with_known_phases(exported):
    doc, _ = exported
    assert isinstance(doc["traceEvents"], list)
    assert doc["displayTimeUnit"] in ("ms", "ns")
    phases = Counter(e["ph"] for e in doc["traceEvents"])
    assert set(phases) <= {"M", "X", "i", "b", "e", "C"}
    for e in doc["traceEvents"]:
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
        if e["ph"] != "M":
            assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0


def test_each_run_is_a_complete_event_with_duration_and_fetch_names(exported):
    doc, report = exported
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
    doc, report = exported
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
    doc, report = exported
    begins = {e["id"]: e for e in doc["traceEvents"] if e["ph"] == "b"}
    ends = {e["id"]: e for e in doc["traceEvents"] if e["ph"] == "e"}
    assert set(begins) == set(ends) == {f"{s['pid']}:{s['id']}" for s in report["sessions"]}
    for ident, b in begins.items():
        assert ends[ident]["ts"] >= b["ts"]
        assert b["args"]["closed"].endswith("(explicit)")


def test_findings_are_instants_on_the_track_of_their_run(exported):
    doc, report = exported
    instants = [e for e in doc["traceEvents"] if e["ph"] == "i" and e["cat"] == "finding"]
    assert [e["args"]["kind"] for e in instants] == [f["kind"] for f in report["findings"]]
    (rac,) = [e for e in instants if e["args"]["kind"] == "run-after-close"]
    assert rac["s"] == "t"
    assert _tracks(doc)[(rac["pid"], rac["tid"])] == "Session #1 · MainThread"
    failed = [e for e in doc["traceEvents"] if e["ph"] == "X" and "error" in e["args"]]
    assert rac["ts"] == failed[0]["ts"]
    assert rac["args"]["at"] == f"{SCRIPT}:33"


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
