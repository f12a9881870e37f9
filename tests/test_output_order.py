"""The script's output is recorded in the order the script wrote it: a stdout line
written before a traceback (stderr) is never kept after it, in the trace's `out` events,
in TRACE.out or in what `run --no-tui` passes through; and the script sees the same
stdout and stderr as under plain python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from inspector.launch import ScriptProcess, output_path
from tests.helpers import REPO

LAST = "epoch 2 final train loss 0.0000"
# The environment of a user's shell: Python block-buffers a stdout that is a pipe.
BUFFERED_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

# ~70 KB of progress lines (more than a pipe holds: the reader has a backlog), then the
# line, then an uncaught exception.
BACKLOG = f"""\
for step in range(3000):
    print(f"step {{step}} loss {{1 / (step + 1):.6f}}")
print({LAST!r})
raise RuntimeError("diverged")
"""

# A line on stdout, then stderr written three ways a training script does it. The pause
# at exit (atexit runs before Python's last flush of stdout) keeps a stdout that is
# still buffered from reaching its pipe close enough to the stderr write to be read
# with it: without the fix, the order in the trace is then always wrong.
_PAUSE = "import atexit, time\natexit.register(time.sleep, 0.3)\n"
AFTER_A_PRINT = {
    "uncaught": _PAUSE + f"print({LAST!r})\nraise RuntimeError('diverged')\n",
    "print_exc": _PAUSE + (f"import sys, traceback\nprint({LAST!r})\ntry:\n    raise RuntimeError('diverged')\n"
                           "except RuntimeError:\n    traceback.print_exc()\nsys.exit(1)\n"),
    "logging": _PAUSE + (f"import logging, sys\nprint({LAST!r})\n"
                         "logging.error('Traceback (most recent call last): diverged')\nsys.exit(1)\n"),
}

PROBE = """\
import json, os, sys
seen = {}
for name in ("stdout", "stderr"):
    f = getattr(sys, name)
    seen[name] = [type(f).__name__, f.isatty(), f.line_buffering, f.write_through,
                  type(f.buffer).__name__, f.encoding, f.errors]
seen["env"] = sorted(k for k in os.environ if k.startswith("PYTHON") and k != "PYTHONPATH")
print(json.dumps(seen))
"""


def _out_events(trace: Path) -> list[dict]:
    events = []
    for line in trace.read_text(encoding="utf-8").splitlines():
        ev = json.loads(line)
        if ev.get("ev") == "out":
            events.append(ev)
    return events


def _check_order(trace: Path, lines: int = 1) -> None:
    events = _out_events(trace)
    stdout = "".join(e["text"] for e in events if e["fd"] == 1)
    assert stdout.endswith(LAST + "\n") and stdout.count("\n") == lines, stdout[-200:]
    last = next(i for i, e in enumerate(events) if e["fd"] == 1 and LAST in e["text"])
    tb = next(i for i, e in enumerate(events) if e["fd"] == 2)  # the first stderr output
    assert "Traceback" in "".join(e["text"] for e in events[tb:] if e["fd"] == 2)
    assert last < tb, [(e["fd"], e["ts"], e["text"][-40:]) for e in events[max(0, tb - 3):last + 1]]
    assert events[last]["ts"] <= events[tb]["ts"]
    raw = Path(output_path(str(trace))).read_text(encoding="utf-8")
    assert raw.index(LAST) < raw.index("Traceback"), raw[-400:]
    assert raw.index(LAST) < raw.index(events[tb]["text"]), raw[-400:]


def _record(script: Path, trace: Path) -> int:
    proc = ScriptProcess(str(script), [], str(trace), passthrough=False)  # as the live view
    proc.start()
    return proc.wait()


def _busy(stop: threading.Event) -> None:
    """Load on the reading process: C-level work that holds the GIL for a while each time,
    as the app's drawing and the trace follower's parsing do."""
    while not stop.is_set():
        sum(range(300_000))


def test_stdout_written_before_a_traceback_is_recorded_before_it_under_load(tmp_path, monkeypatch):
    # Unbuffered, every print() is in the pipe at once: what is tested is the reading
    # (stdout and stderr are two pipes, read while this process is busy).
    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    script = tmp_path / "train.py"
    script.write_text(BACKLOG)
    stop = threading.Event()
    hogs = [threading.Thread(target=_busy, args=(stop,), daemon=True) for _ in range(2)]
    for hog in hogs:
        hog.start()
    try:
        for n in range(8):
            trace = tmp_path / f"run{n}.jsonl"
            assert _record(script, trace) == 1
            _check_order(trace, lines=3001)
    finally:
        stop.set()
        for hog in hogs:
            hog.join()


@pytest.mark.parametrize("how", sorted(AFTER_A_PRINT))
def test_buffered_stdout_is_recorded_before_the_stderr_written_after_it(tmp_path, monkeypatch, how):
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    script = tmp_path / f"after_a_print_{how}.py"  # (not logging.py: that is a module's name)
    script.write_text(AFTER_A_PRINT[how])
    trace = tmp_path / f"{how}.jsonl"
    assert _record(script, trace) == 1
    _check_order(trace)


def test_run_no_tui_passes_through_and_records_the_scripts_order(tmp_path):
    """The CLI, with the script's stdout and stderr going to one pipe (`2>&1 | tee log`)."""
    script = tmp_path / "train.py"
    script.write_text(BACKLOG)
    trace = tmp_path / "cli.jsonl"
    p = subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(trace), str(script)],
                       cwd=tmp_path, env={**BUFFERED_ENV, "PYTHONPATH": str(REPO)},
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert p.returncode == 1, p.stdout[-2000:]
    assert p.stdout.index(LAST) < p.stdout.index("Traceback")
    _check_order(trace, lines=3001)


def test_script_sees_the_stdout_and_stderr_plain_python_gives_it(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    env = {**BUFFERED_ENV, "PYTHONPATH": str(REPO)}
    plain = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    recorded = subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "-o",
                               str(tmp_path / "probe.jsonl"), str(script)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
    assert plain.returncode == recorded.returncode == 0, recorded.stderr
    seen = json.loads(recorded.stdout)
    assert seen == json.loads(plain.stdout)
    assert seen["stdout"][1:3] == [False, False]  # a pipe, block-buffered, as without us
