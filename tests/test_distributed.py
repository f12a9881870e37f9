"""Sessions on a remote target: real gRPC servers on loopback in the scenario scripts
(tests/scenarios/remote_*.py, run once plainly and once recorded by the session-wide
`scenario_runs` fixture). Their runs, findings and behaviour are checked with every
scenario (test_scenarios.py); here: the target and the devices they record."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from inspector.analysis import build_state
from inspector.trace.reader import read_trace
from tests.helpers import ENV, REPO, report_json


def _events(trace, ev):
    return [json.loads(line) for line in trace.read_text().splitlines() if line.startswith('{"ev":"%s"' % ev)]




def test_a_session_on_a_local_grpc_server_records_its_target_and_devices(scenario_runs):
    trace = scenario_runs["remote_local_server"][1].trace
    sessions = {e["s"]: e for e in _events(trace, "sess")}
    assert sessions[1]["target"].startswith("grpc://localhost:")
    assert sessions[2]["target"] == "grpc://127.0.0.1:1"
    (listed,) = _events(trace, "devices")
    assert listed["s"] == 1 and listed["target"] == sessions[1]["target"]
    assert [d[:2] for d in listed["devices"]] == [["/job:localhost/replica:0/task:0/device:CPU:0", "CPU"]]
    assert isinstance(listed["devices"][0][2], int) and "error" not in listed
    # listed after the session's first successful run, before its close
    runs = [e for e in read_trace(str(trace)).events if e["ev"] == "run" and e["s"] == 1]
    (close,) = [e for e in _events(trace, "close") if e["s"] == 1]
    assert runs[0]["ts"] + runs[0]["dur"] <= listed["ts"] <= close["ts"]


def test_a_session_that_never_ran_on_an_unreachable_target_is_not_contacted(scenario_runs):
    plain, recorded = scenario_runs["remote_local_server"]
    assert plain.stdout.endswith("done\n") and recorded.stdout == plain.stdout
    assert "GrpcSession::ListDevices" not in recorded.stderr
    assert not [e for e in _events(recorded.trace, "devices") if e["s"] == 2]


def test_sessions_of_a_two_task_cluster_list_both_tasks_devices(scenario_runs):
    trace = scenario_runs["remote_two_tasks"][1].trace
    targets = {e["s"]: e["target"] for e in _events(trace, "sess")}
    assert len(set(targets.values())) == 2
    listed = {e["s"]: e for e in _events(trace, "devices")}
    assert set(listed) == {1, 2}
    for sid, e in listed.items():
        assert e["target"] == targets[sid]
        assert sorted(d[0] for d in e["devices"]) == ["/job:worker/replica:0/task:0/device:CPU:0",
                                                      "/job:worker/replica:0/task:1/device:CPU:0"]


def test_report_json_gives_each_remote_session_its_devices_and_findings(scenario_runs):
    report = report_json(scenario_runs["remote_two_tasks"][1].trace)
    by_id = {s["id"]: s for s in report["sessions"]}
    assert by_id[2]["target"].startswith("grpc://localhost:")
    assert {d["name"] for d in by_id[2]["devices"]} == {"/job:worker/replica:0/task:0/device:CPU:0",
                                                        "/job:worker/replica:0/task:1/device:CPU:0"}
    assert all(d["type"] == "CPU" and d["memory_limit_bytes"] > 0 for d in by_id[2]["devices"])
    assert by_id[2]["devices_error"] is None
    (finding,) = report["findings"]
    assert (finding["kind"], finding["session"]) == ("run-after-close", 2)
    assert by_id[2]["closed"]["how"] == "with" and by_id[2]["runs"] == 3 and by_id[2]["errors"] == 1


def test_local_sessions_get_no_device_listing(scenario_runs):
    for name in ("run_after_close", "threads_one_session", "correct_usage"):
        trace = scenario_runs[name][1].trace
        assert not _events(trace, "devices"), name
        data = read_trace(str(trace))
        state = build_state(data.header, data.events)
        assert all(s.devices is None for s in state.sessions.values())


def test_the_chrome_export_names_a_remote_sessions_devices(scenario_runs, tmp_path):
    trace = scenario_runs["remote_two_tasks"][1].trace
    out = tmp_path / "t.chrome.json"
    p = subprocess.run([sys.executable, "-m", "inspector", "export", str(trace), "-o", str(out)],
                       env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    begins = [e for e in json.loads(out.read_text())["traceEvents"] if e["ph"] == "b"]
    assert len(begins) == 2
    for b in begins:
        assert b["args"]["target"].startswith("grpc://localhost:")
        assert sorted(b["args"]["devices"]) == ["/job:worker/replica:0/task:0/device:CPU:0 (CPU)",
                                                "/job:worker/replica:0/task:1/device:CPU:0 (CPU)"]


def test_a_server_gone_after_the_first_run_does_not_stop_the_script(scenario_runs):
    plain, recorded = scenario_runs["remote_server_gone"]
    assert recorded.stdout == plain.stdout
    assert recorded.stdout.endswith("still running after the server went away\n")
    (listed,) = _events(recorded.trace, "devices")
    # asked only if it still answered (a race with the kill), else said why not
    assert listed["devices"] or listed["error"].startswith("not listed: localhost:")
    assert "Could not list devices" not in recorded.stderr


def test_the_device_watcher_knows_a_run_line_of_this_process_with_or_without_optional_fields():
    from inspector.agent.devices import _ran

    def run(s: int, pid: int, tail: str = "") -> bytes:
        return (b'{"ev":"run","s":%d,"ts":1,"dur":2,"k":"run","site":1,"fs":1,"th":1,"pid":%d%s}\n'
                % (s, pid, tail.encode()))

    lines = (run(2, 77, ',"dmem":{"GPU:0":5}') + run(3, 777) + run(4, 77) + run(6, 78)
             + b'{"ev":"runerr","s":5,"ts":1,"dur":2,"k":"run","site":1,"fs":1,"th":1,"pid":77,'
               b'"exc":"RuntimeError","msg":"x"}\n')
    assert sorted(_ran(lines, dict.fromkeys([2, 3, 4, 5, 6]), b',"pid":77')) == [2, 4]


def test_the_session_detail_in_the_app_lists_a_remote_sessions_devices(scenario_runs):
    from inspector.tui.app import InspectorApp
    from inspector.tui.detail_pane import DetailPane
    from inspector.tui.sources import TraceFile
    from tests.test_tui_app import loaded

    async def go() -> str:
        app = InspectorApp(TraceFile(str(scenario_runs["remote_two_tasks"][1].trace)))
        async with app.run_test(size=(200, 50)) as pilot:  # wide: a device name on one line
            await loaded(pilot)  # opens on the first finding: the run after close on session 2
            return app.query_one(DetailPane).text

    import asyncio

    text = asyncio.run(go())
    assert "run-after-close" in text and "devices 2" in text
    shown = [line.split("CPU:0 (CPU)")[0].split()[-1] for line in text.splitlines() if "(CPU)" in line]
    assert sorted(shown) == ["/job:worker/replica:0/task:0/device:", "/job:worker/replica:0/task:1/device:"]


def _text_report(trace) -> str:
    # wide enough that rich does not wrap a devices line in the middle of a name
    p = subprocess.run([sys.executable, "-m", "inspector", "report", str(trace)],
                       env={**ENV, "PYTHONPATH": str(REPO), "COLUMNS": "400"},
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_the_text_report_lists_a_remote_sessions_target_and_devices(scenario_runs):
    trace = scenario_runs["remote_two_tasks"][1].trace
    targets = {e["s"]: e["target"] for e in _events(trace, "sess")}
    lines = _text_report(trace).splitlines()
    devices = [line.strip() for line in lines if "devices" in line]
    assert [line.split(", devices: ")[0] for line in devices] == [f"target {targets[s]}" for s in (1, 2)]
    for line in devices:  # in the order list_devices() gave them, which differs between the masters
        assert sorted(line.split(", devices: ")[1].split(", ")) == [
            "/job:worker/replica:0/task:0/device:CPU:0", "/job:worker/replica:0/task:1/device:CPU:0"]
    # each under its own session's line
    for s in (1, 2):
        at = next(i for i, line in enumerate(lines) if f"#{s} " in line and "created" in line)
        assert lines[at + 1].strip().startswith(f"target {targets[s]},")


def test_the_text_report_says_when_a_remote_session_has_no_devices_listed(scenario_runs):
    text = _text_report(scenario_runs["remote_local_server"][1].trace)
    # session 2 never ran on its unreachable target: never asked
    assert "target grpc://127.0.0.1:1, devices not listed" in text
    assert "devices: /job:localhost/replica:0/task:0/device:CPU:0\n" in text


def test_the_text_report_shortens_a_long_device_list_and_shows_an_error(scenario_runs, tmp_path):
    lines = scenario_runs["remote_two_tasks"][1].trace.read_text().splitlines()
    many = [[f"/job:worker/replica:0/task:{i}/device:CPU:0", "CPU", 1 << 28] for i in range(12)]
    edited = []
    for line in lines:
        ev = json.loads(line)
        if ev["ev"] == "devices" and ev["s"] == 1:
            line = json.dumps({**ev, "devices": many})
        elif ev["ev"] == "devices":
            line = json.dumps({**{k: v for k, v in ev.items() if k != "devices"}, "devices": [],
                               "error": "not listed: localhost:1 did not answer (timed out)"})
        edited.append(line)
    trace = tmp_path / "t.jsonl"
    trace.write_text("\n".join(edited) + "\n")
    original = scenario_runs["remote_two_tasks"][1].trace
    shutil.copy(f"{original}.runs", f"{trace}.runs")  # its successful runs
    devices = [line.strip() for line in _text_report(trace).splitlines() if "devices" in line]
    assert devices[0].endswith(", devices (12): /job:worker/replica:0/task:0/device:CPU:0, "
                               "/job:worker/replica:0/task:1/device:CPU:0, "
                               "/job:worker/replica:0/task:2/device:CPU:0, …")
    assert devices[1].endswith(", devices: not listed: localhost:1 did not answer (timed out)")


def test_the_text_report_of_local_sessions_has_no_devices_line(scenario_runs):
    text = _text_report(scenario_runs["correct_usage"][1].trace)
    assert "sessions " in text and "devices" not in text and "target" not in text
