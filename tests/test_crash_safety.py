"""Every event reaches the OS before the call it records returns: a SIGKILL mid-run
leaves every earlier run in the trace."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from inspector.analysis import build_state
from inspector.trace.reader import read_trace
from tests.helpers import ENV, REPO


def test_sigkill_mid_run_keeps_every_earlier_run(tmp_path):
    trace = tmp_path / "killed.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(trace),
         str(REPO / "tests" / "scripts" / "killed_mid_run.py")],
        env={**ENV, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True,
    )
    printed = 0
    deadline = time.monotonic() + 120
    while printed < 500 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        printed = int(line)
    # Kill the script itself (not the inspector), as the OOM killer would.
    script_pid = read_trace(str(trace)).header["pid"]
    os.kill(script_pid, signal.SIGKILL)
    assert proc.wait(timeout=60) == 128 + signal.SIGKILL
    data = read_trace(str(trace))
    state = build_state(data.header, data.events)
    assert printed >= 500
    # Each printed count was printed after its runs returned, so each is in the trace.
    assert len(state.runs) >= printed
    assert all(r.ok for r in state.runs)
    assert state.exit.signal == signal.SIGKILL and state.exit.code == 137
