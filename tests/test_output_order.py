"""The script's output is recorded in the order the script wrote it: a stdout line
written before a traceback (stderr) is never kept after it, in the trace's `out` events
or in TRACE.out, even when the process reading the output is busy (the live view's app
shares it) and the stdout pipe has a backlog to work through."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from inspector.launch import ScriptProcess, output_path
from tests.helpers import ENV, REPO

RUNS = 8
LAST = "epoch 2 final train loss 0.0000"

# ~70 KB of progress lines (more than a pipe holds: the reader has a backlog), then the
# line, then an uncaught exception. Python flushes stdout before printing the traceback,
# so the script's file descriptors see: all of stdout, then the traceback on stderr.
SCRIPT = f"""\
for step in range(3000):
    print(f"step {{step}} loss {{1 / (step + 1):.6f}}")
print({LAST!r})
raise RuntimeError("diverged")
"""


def _busy(stop: threading.Event) -> None:
    """Load on the reading process: C-level work that holds the GIL for a while each time,
    as the app's drawing and the trace follower's parsing do."""
    while not stop.is_set():
        sum(range(300_000))


def _out_events(trace: Path) -> list[dict]:
    events = []
    for line in trace.read_text(encoding="utf-8").splitlines():
        ev = json.loads(line)
        if ev.get("ev") == "out":
            events.append(ev)
    return events


def _check_order(trace: Path) -> None:
    events = _out_events(trace)
    stdout = "".join(e["text"] for e in events if e["fd"] == 1)
    assert stdout.endswith(LAST + "\n") and stdout.count("\n") == 3001, stdout[-200:]
    last = next(i for i, e in enumerate(events) if e["fd"] == 1 and LAST in e["text"])
    tb = next(i for i, e in enumerate(events) if e["fd"] == 2 and "Traceback" in e["text"])
    assert last < tb, [(e["fd"], e["ts"], e["text"][-40:]) for e in events[max(0, tb - 3):last + 1]]
    assert events[last]["ts"] <= events[tb]["ts"]
    raw = Path(output_path(str(trace))).read_text(encoding="utf-8")
    assert raw.index(LAST) < raw.index("Traceback"), raw[-400:]


@pytest.fixture(scope="module")
def script(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("order") / "train.py"
    path.write_text(SCRIPT)
    return path


def test_stdout_written_before_a_traceback_is_recorded_before_it_under_load(script):
    stop = threading.Event()
    hogs = [threading.Thread(target=_busy, args=(stop,), daemon=True) for _ in range(2)]
    for hog in hogs:
        hog.start()
    try:
        for n in range(RUNS):
            trace = script.parent / f"run{n}.jsonl"
            proc = ScriptProcess(str(script), [], str(trace), passthrough=False)
            proc.start()
            assert proc.wait() == 1
            _check_order(trace)
    finally:
        stop.set()
        for hog in hogs:
            hog.join()


def test_run_no_tui_echoes_and_records_the_scripts_order(script):
    """The CLI, with the script's stdout and stderr going to one pipe (`2>&1 | tee`)."""
    trace = script.parent / "cli.jsonl"
    p = subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(trace), str(script)],
                       cwd=script.parent, env={**ENV, "PYTHONPATH": str(REPO)},
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert p.returncode == 1, p.stdout[-2000:]
    assert p.stdout.index(LAST) < p.stdout.index("Traceback")
    _check_order(trace)
