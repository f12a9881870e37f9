"""The live view in a real terminal (a pseudo-terminal): the short form `tfsess-inspect
-m MODULE -v ...` gives the module its arguments, and quitting says what was kept (the
trace, the totals, how to replay it), as `run --no-tui` does at its end."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import time

from tests.helpers import ENV, REPO

GUARD_S = 120  # a hang guard only: nothing is asserted about time
CSI = re.compile(r"\x1b(?:\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[=>()#][0-9A-Za-z]?)")


def _wait(what, guard: float = GUARD_S) -> None:
    for _ in range(int(guard * 10)):
        if what():
            return
        time.sleep(0.1)
    raise AssertionError(f"not after {guard} s: {what}")


def test_live_view_gives_module_args_and_says_what_was_kept_on_quit(tmp_path):
    (tmp_path / "argv_mod.py").write_text(
        "import json, sys\n"
        "json.dump(sys.argv[1:], open('argv.json', 'w'))\n"
        "print('module ran')\n")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    p = subprocess.Popen([sys.executable, "-m", "inspector", "-o", "t.jsonl", "-m", "argv_mod",
                          "-v", "--no-tui", "x"],
                         cwd=tmp_path, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                         env={**ENV, "PYTHONPATH": str(REPO), "TERM": "xterm-256color"})
    os.close(slave)
    screen = bytearray()

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the terminal's last writer has gone
                return
            if not data:
                return
            screen.extend(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    trace = tmp_path / "t.jsonl"
    try:
        _wait(lambda: trace.exists() and '{"ev":"end"' in trace.read_text())
        _wait(lambda: b"module ran" in screen)  # the app has seen the script's end too
        for _ in range(GUARD_S):  # `q` (again, should it ask while it catches up)
            os.write(master, b"q")
            try:
                p.wait(timeout=1)
                break
            except subprocess.TimeoutExpired:
                pass
        assert p.wait(timeout=GUARD_S) == 0
        reader.join(timeout=GUARD_S)
    finally:
        if p.poll() is None:
            p.kill()
        os.close(master)
    assert json.loads((tmp_path / "argv.json").read_text()) == ["-v", "--no-tui", "x"]
    # What the terminal shows once the app has left the alternate screen.
    tail = CSI.sub("", screen.decode("utf-8", "replace").rsplit("\x1b[?1049l", 1)[-1])
    lines = [x.strip() for x in tail.replace("\r", "\n").splitlines() if x.strip()]
    assert lines[-2:] == ["tfsess-inspect: sessions 0 · runs 0 · findings 0",
                          "trace: t.jsonl · replay it: tfsess-inspect replay t.jsonl"], lines[-5:]
