"""Ctrl+C in a terminal signals the whole foreground process group: the script gets its
KeyboardInterrupt as without us, and the exit status is a shell's 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.helpers import ENV, REPO

SCRIPT = REPO / "tests" / "scripts" / "sleep_loop.py"


def _start(cmd):
    # A process group of its own, like a shell's foreground job.
    return subprocess.Popen(cmd, env={**ENV, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _interrupt(proc):
    assert proc.stdout.readline().strip() == "ready"
    # Let the script reach its sleep loop, so the interrupt lands on the same line in
    # both runs (the tracebacks are compared).
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_ctrl_c_interrupts_the_script_as_without_the_recorder(tmp_path):
    plain_code, plain_err = _interrupt(_start([sys.executable, str(SCRIPT)]))
    rec_code, rec_err = _interrupt(_start(
        [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(tmp_path / "t.jsonl"), str(SCRIPT)]))
    assert plain_code == -signal.SIGINT
    assert rec_code == 128 + signal.SIGINT
    assert "KeyboardInterrupt" in rec_err
    assert rec_err.split("tfsess-inspect: sessions")[0].strip() == plain_err.strip()


def test_sigterm_to_the_inspector_reaches_the_script(tmp_path):
    proc = _start([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(tmp_path / "t.jsonl"),
                   str(SCRIPT)])
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)  # to the inspector only
    proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM


def test_the_scripts_own_sigterm_handler_runs(tmp_path):
    script = REPO / "tests" / "scripts" / "own_handler.py"
    proc = _start([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(tmp_path / "t.jsonl"),
                   str(script)])
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)  # to the inspector, which passes it on
    out, _ = proc.communicate(timeout=60)
    assert "handler ran" in out
    assert proc.returncode == 5
