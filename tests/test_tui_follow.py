"""`tfsess-inspect follow TRACE`: the app on a trace that another real process is writing
(a job recording itself through TFSESS_INSPECT_TRACE), driven by the pilot; and the
notebook's cells on the timeline."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from inspector.tui.app import InspectorApp
from inspector.tui.findings_panel import FindingsPanel
from inspector.tui.follow import FollowedTrace
from inspector.tui.key_footer import KeyFooter
from inspector.tui.sources import TraceFile
from inspector.tui.timeline import Timeline
from tests.helpers import ENV, REPO
from tests.test_tui_live import SIZE, status, text_of, wait_for

# Waits for a file before closing its session and running it again, so the test says
# when the job goes on (no sleeps, no timed assertions).
JOB = '''\
import os, sys, time
import tensorflow as tf
tf.compat.v1.disable_eager_execution()
x = tf.constant(5)
sess = tf.compat.v1.Session()
print("first", sess.run(x), flush=True)
while not os.path.exists("go"):
    time.sleep(0.05)
sess.close()
try:
    sess.run(x)
except RuntimeError:
    print("caught", flush=True)
sys.exit(3)
'''


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _start_job(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    (tmp_path / "job.py").write_text(JOB)
    trace = tmp_path / "job.jsonl"
    agent = subprocess.run([sys.executable, "-m", "inspector", "agent-path"],
                           env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                           timeout=60, check=True).stdout.strip()
    env = {**ENV, "TFSESS_INSPECT_TRACE": str(trace),
           "PYTHONPATH": agent + os.pathsep + str(REPO)}
    job = subprocess.Popen([sys.executable, "job.py"], cwd=tmp_path, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    # The app is opened once the job has made its session: the trace exists by then.
    deadline = time.monotonic() + 120
    while b'"ev":"sess"' not in (trace.read_bytes() if trace.exists() else b""):
        assert job.poll() is None, "the job ended early"
        assert time.monotonic() < deadline, "the job never made its session"
        time.sleep(0.05)
    return job, trace


def test_follow_shows_a_job_as_it_runs_goes_quiet_and_exits(tmp_path):
    job, trace = _start_job(tmp_path)
    clock = FakeClock()
    try:
        async def go():
            app = InspectorApp(FollowedTrace(str(trace), clock=clock))
            async with app.run_test(size=SIZE) as pilot:
                await wait_for(pilot, lambda: "sessions 1" in status(app), timeout=60)
                assert status(app).lstrip().startswith("running")
                assert "job.py" in status(app) and "no news" not in status(app)
                assert app.footer_mode == "live"
                # ctrl+c stops nothing of someone else's: the footer says what it does
                def footer_words() -> dict[str, str]:
                    return {k.key: k.description
                            for k in app.query_one(KeyFooter).query("FooterKey")}

                await wait_for(pilot, lambda: "ctrl+c" in footer_words(), timeout=10)
                assert footer_words()["ctrl+c"] == "Quit", footer_words()

                # The job waits: its trace stops growing. Said as news that stopped,
                # never as a hang (the clock moves on until the note shows).
                async def quiet() -> bool:
                    for _ in range(50):
                        clock.now += 6
                        await pilot.pause(0.3)
                        if "no news for" in status(app):
                            return True
                    return False

                assert await quiet(), status(app)
                assert status(app).lstrip().startswith("running")
                assert "hung" not in status(app)

                (tmp_path / "go").write_text("")  # the job goes on, fails a run, exits 3
                await wait_for(pilot, lambda: "exited with code 3" in status(app), timeout=60)
                await wait_for(pilot, lambda: "run-after-close" in text_of(
                    app.query_one(FindingsPanel)), timeout=10)
                said = status(app)
                assert "findings 1 (1 error)" in said and "no news" not in said
                # then a post-mortem, as usual
                await wait_for(pilot, lambda: app.footer_mode == "post-mortem", timeout=10)
                await pilot.press("q")  # not ours to stop: quitting asks nothing

        asyncio.run(go())
        assert job.wait(timeout=60) == 3
        assert job.stdout.read() == "first 5\ncaught\n"
    finally:
        if job.poll() is None:
            job.kill()
            job.wait()


def test_follow_of_a_missing_file_or_a_non_trace_is_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n")
    for name, said in (("missing.jsonl", "tfsess-inspect: missing.jsonl: no such file"),
                       ("notes.txt", "tfsess-inspect: notes.txt")):
        for argv in (["follow", name], ["replay", "--follow", name]):
            p = subprocess.run([sys.executable, "-m", "inspector", *argv], cwd=tmp_path,
                               env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True,
                               text=True, timeout=60)
            assert p.returncode == 2, p.stderr
            assert p.stderr.startswith(said) and p.stderr.count("\n") == 1, p.stderr


# -- the cells lane -------------------------------------------------------------------------
def _notebook_trace(path: Path) -> Path:
    """A notebook's trace whose cells ran 1, 2, 4, 3, 4 (make a session, run it, close it,
    run it again: the re-run fails), as the extension writes it."""
    lines = [{"ev": "header", "format": "tfsess-trace", "version": 2, "pid": 7, "ppid": 1,
              "python": "3.11", "executable": "python", "cwd": str(path.parent),
              "start_wall": 0.0, "t0_mono_ns": 0, "tensorflow": None, "script": "nb.ipynb",
              "module": False, "argv": ["nb.ipynb"], "notebook": True}]
    order = [(1, "import"), (2, "make"), (3, "use"), (4, "close"), (5, "use")]
    for n, which in order:
        ts = n * 1_000_000_000
        file = f"/tmp/ipykernel_7/{which}.py"
        lines += [{"ev": "src", "pid": 7, "file": file, "sha256": None, "text": f"# {which}\n"},
                  {"ev": "cell", "pid": 7, "ts": ts, "phase": "start", "n": n, "file": file,
                   "id": which},
                  {"ev": "site", "pid": 7, "id": n, "file": file, "line": 1, "func": "<module>",
                   "stack": []}]
        if which == "make":
            lines.append({"ev": "sess", "pid": 7, "s": 1, "ts": ts + 10, "kind": "Session",
                          "target": "", "graph": 0, "site": n, "th": 1})
        elif which == "close":
            lines.append({"ev": "close", "pid": 7, "s": 1, "ts": ts + 10, "how": "explicit",
                          "site": n, "th": 1})
        elif which == "use" and n == 5:
            lines.append({"ev": "runerr", "s": 1, "ts": ts + 10, "dur": 5, "k": "run", "site": n,
                          "fs": 0, "th": 1, "pid": 7, "exc": "RuntimeError", "msg": "closed"})
        elif which == "use":
            lines.append({"ev": "run", "s": 1, "ts": ts + 10, "dur": 5, "k": "run", "site": n,
                          "fs": 0, "th": 1, "pid": 7})
        lines.append({"ev": "cell", "pid": 7, "ts": ts + 500, "phase": "end", "n": n,
                      "ok": n != 5, "error": "RuntimeError: closed" if n == 5 else None})
    lines.append({"ev": "end", "pid": 7, "ts": 6_000_000_000, "code": 0, "signal": None})
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def test_the_timeline_shows_cell_executions_on_their_own_lane_re_runs_marked(tmp_path):
    trace = _notebook_trace(tmp_path / "nb.jsonl")

    async def go():
        app = InspectorApp(TraceFile(str(trace)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.final and app.view.state is not None)
            await pilot.pause()
            lines = text_of(app.query_one(Timeline)).splitlines()
            (lane,) = [line for line in lines if "cells  5 executions" in line]
            marks = lane.split("executions", 1)[1]
            assert "Session #1 cell [2]" in text_of(app.query_one(Timeline))
            # Each execution by its count, in time order; the re-run of a cell is marked.
            assert marks.index("1") < marks.index("2") < marks.index("3") < marks.index("4")
            assert "↺5" in marks and "↺3" not in marks
            # Call sites read as cells in the panes, not as the kernel's file names.
            assert "cell [5], line 1" in text_of(app.query_one(FindingsPanel))
            assert "use.py" not in text_of(app.query_one(FindingsPanel))

    asyncio.run(go())
