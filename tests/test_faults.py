"""Faults the recorder survives with every event before the fault in the trace."""

from __future__ import annotations

import signal

import pytest

from inspector.analysis import build_state
from inspector.trace.reader import read_trace
from tests.helpers import REPO, run_plain, run_recorded

SCRIPT = REPO / "tests" / "scripts" / "faults.py"


@pytest.mark.parametrize("fault,code", [
    ("segfault", 128 + signal.SIGSEGV),
    ("sigabrt", 128 + signal.SIGABRT),
    ("chdir", 0),
    ("close-stdio", 0),
])
def test_fault_keeps_every_run_before_it(tmp_path, fault, code):
    trace = tmp_path / f"{fault}.jsonl"
    rec = run_recorded(SCRIPT, fault, trace=trace, cwd=tmp_path)
    plain = run_plain(SCRIPT, fault, cwd=tmp_path)
    assert rec.code == code
    assert (128 - plain.code if plain.code < 0 else plain.code) == code
    data = read_trace(str(trace))
    state = build_state(data.header, data.events)
    assert len(state.runs) == 20 and all(r.ok for r in state.runs)
    assert state.exit.code == code
    if code == 0:
        (sess,) = state.user_sessions()
        assert sess.closed_how == "explicit"


def test_a_full_disk_stops_the_trace_not_the_script(tmp_path):
    """The script's interpreter may write at most 2 KiB to a file (ulimit -f, EFBIG as a
    full disk gives ENOSPC): the trace stops there, said once; the script runs on."""
    import os
    import subprocess
    import sys

    from tests.helpers import ENV

    wrapper = tmp_path / "python-limited"
    wrapper.write_text(f'#!/bin/sh\nulimit -f 4\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    trace = tmp_path / "full.jsonl"
    p = subprocess.run(
        [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(trace), "--python", str(wrapper),
         str(SCRIPT), "none"],
        cwd=tmp_path, env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stderr.count("is incomplete from here on") == 1
    assert os.path.getsize(trace) > 0
