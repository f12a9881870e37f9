"""Run scripts plainly and under the recorder, in real child processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "tests" / "scenarios"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0"}
# TensorFlow's C++ log lines carry times and pids that differ from run to run: absl's
# (`E0000 00:00:...`, TF 2.17+) and, on TF 2.13 to 2.16, tsl's own
# (`2026-01-01 12:00:00.123456: E external/local_xla/...`).
_GLOG = re.compile(r"^(?:[IWEF]\d{4} .*|WARNING: All log messages before absl::InitializeLog\(\).*"
                   r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] .*)$", re.M)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    trace: Path | None = None


def comparable_stderr(text: str) -> str:
    return _GLOG.sub("", text).strip()


def run_plain(script: Path | str, *args: str, cwd: Path | None = None, timeout: float = 120) -> Result:
    p = subprocess.run([sys.executable, str(script), *args], cwd=cwd, env=ENV, capture_output=True,
                       text=True, timeout=timeout)
    return Result(p.returncode, p.stdout, p.stderr)


def run_recorded(script: Path | str, *args: str, trace: Path, cwd: Path | None = None,
                 extra: tuple[str, ...] = (), timeout: float = 120) -> Result:
    """`tfsess-inspect run --no-tui -o TRACE script args`, with stdout and stderr piped.

    Returns the inspector's exit code; its summary goes to stderr after the script's."""
    cmd = [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(trace), *extra, str(script), *args]
    p = subprocess.run(cmd, cwd=cwd, env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True,
                       text=True, timeout=timeout)
    return Result(p.returncode, p.stdout, p.stderr, trace)


def strip_summary(stderr: str) -> str:
    """The script's own stderr: everything before the inspector's summary."""
    idx = stderr.rfind("tfsess-inspect: sessions ")
    return stderr[:idx] if idx >= 0 else stderr


def expectations(script: Path) -> dict[str, list[str]]:
    """The `expect: key=value ...` lines of a scenario's docstring."""
    out: dict[str, list[str]] = {}
    for line in script.read_text().splitlines():
        line = line.strip()
        if line.startswith("expect:"):
            body = line[len("expect:"):].strip()
            key = body.split("=", 1)[0]
            out.setdefault(key, []).append(body)
    return out


def parse_pairs(body: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in body.split())


def report_json(trace: Path | str) -> dict:
    """`tfsess-inspect report TRACE --format json` in a child process, parsed."""
    p = subprocess.run([sys.executable, "-m", "inspector", "report", str(trace), "--format", "json"],
                       env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)
