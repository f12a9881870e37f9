"""`tfsess-inspect replay TRACE` and `report TRACE` from the command line, where
TensorFlow cannot be imported: a `tensorflow` package on PYTHONPATH that leaves a mark
when anything imports it, then raises ImportError. The replay runs in a real
pseudo-terminal (the app as a user gets it); keys are typed into it.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import ENV, REPO

SCRIPT = REPO / "tests" / "tui_scripts" / "two_sessions.py"
_ESCAPES = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


@pytest.fixture(scope="module")
def trace(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("replay_cli") / "two.jsonl"
    subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(out), str(SCRIPT)],
                   cwd=REPO, env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, check=True,
                   timeout=120)
    return str(out)


@pytest.fixture
def no_tensorflow(tmp_path) -> tuple[dict[str, str], str]:
    """(environment where `import tensorflow` fails, the file an import attempt writes)."""
    fake = tmp_path / "fake"
    (fake / "tensorflow").mkdir(parents=True)
    mark = tmp_path / "tensorflow-was-imported"
    (fake / "tensorflow" / "__init__.py").write_text(
        f"open({str(mark)!r}, 'a').write('imported\\n')\n"
        "raise ImportError('tensorflow is not installed here (test stand-in)')\n")
    env = {**ENV, "PYTHONPATH": f"{fake}{os.pathsep}{REPO}", "TERM": "xterm-256color",
           "COLUMNS": "140", "LINES": "40"}
    check = subprocess.run([sys.executable, "-c", "import tensorflow"], env=env, capture_output=True,
                           text=True)
    assert "ImportError: tensorflow is not installed here" in check.stderr  # the stand-in works
    os.unlink(mark)
    return env, str(mark)


def screen_text(raw: bytes) -> str:
    return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")


def run_in_pty(argv: list[str], env: dict[str, str], ready: str, keys: list[bytes],
               timeout: float = 60) -> tuple[int, str]:
    """Run the CLI in a pseudo-terminal of 140x40 until `ready` is on the screen, type
    each of `keys` (waiting for the screen to change after each), and return (exit
    code, everything it drew, without escape sequences)."""
    import fcntl
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI on the terminal
        os.chdir(REPO)
        os.execve(sys.executable, [sys.executable, "-m", "inspector", *argv], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    seen = b""
    deadline = time.monotonic() + timeout

    def read_for(seconds: float) -> bool:
        nonlocal seen
        end = min(deadline, time.monotonic() + seconds)
        while time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return False
                if not chunk:
                    return False
                seen += chunk
        return True

    try:
        while ready not in screen_text(seen) and time.monotonic() < deadline:
            if not read_for(0.2):
                break
        assert ready in screen_text(seen), screen_text(seen)[-2000:]
        for key in keys:
            os.write(fd, key)
            read_for(1.0)
        end = time.monotonic() + 15
        while time.monotonic() < end:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status), screen_text(seen)
            read_for(0.1)
        raise AssertionError("the app did not quit: " + screen_text(seen)[-2000:])
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)


@pytest.mark.parametrize("argv", [["replay"], []], ids=["replay TRACE", "TRACE alone"])
def test_replay_runs_and_quits_where_tensorflow_cannot_be_imported(trace, no_tensorflow, argv):
    env, mark = no_tensorflow
    code, screen = run_in_pty([*argv, trace], env, "runs 9", [b"G", b"q"])
    assert code == 0, screen[-2000:]
    assert "sessions 2 · runs 9 · findings 4" in screen
    assert re.search(r"event\s*(\d+)/\1\b", screen)  # G: the playhead on the last event
    assert "Traceback" not in screen
    assert not os.path.exists(mark), "replay imported tensorflow"


def test_report_works_where_tensorflow_cannot_be_imported(trace, no_tensorflow):
    env, mark = no_tensorflow
    out = subprocess.run([sys.executable, "-m", "inspector", "report", trace, "--format", "json"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert [f["kind"] for f in report["findings"]] == ["run-after-close"] * 3 + ["eager-in-session"]
    text = subprocess.run([sys.executable, "-m", "inspector", "report", trace], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert text.returncode == 0 and "run-after-close" in text.stdout + text.stderr
    assert not os.path.exists(mark), "report imported tensorflow"
