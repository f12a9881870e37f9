"""A TensorFlow that lacks a symbol the agent patches: the agent records what it can,
warns once, and the script still runs. (A stand-in class plays the older TensorFlow:
only one TensorFlow version can be installed here.)"""

from __future__ import annotations

import subprocess
import sys

from inspector.trace.reader import read_trace
from tests.helpers import ENV, REPO

SCRIPT = r"""
import sys, types
from inspector.agent import patches, recorder
recorder.start(sys.argv[1], header={"script": "x", "argv": []})

class BaseSession:            # stand-in: a TensorFlow without partial_run & co.
    def __init__(self, target="", graph=None, config=None):
        self._graph, self._target, self._closed = graph, target, False
    def run(self, fetches, feed_dict=None):
        return "ran"
    def close(self):
        self._closed = True

class Session(BaseSession):
    pass

mod = types.SimpleNamespace(BaseSession=BaseSession, Session=Session)
patches.patch_session_module(mod)
s = Session()
print(s.run("x:0"), s.run("x:0"))
s.close()
"""


def test_missing_symbols_warn_once_and_the_rest_is_recorded(tmp_path):
    trace = tmp_path / "t.jsonl"
    p = subprocess.run([sys.executable, "-c", SCRIPT, str(trace)], env={**ENV, "PYTHONPATH": str(REPO)},
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ran ran"
    events = read_trace(str(trace)).events
    warnings = [e["message"] for e in events if e["ev"] == "warn"]
    assert any("BaseSession.partial_run" in w for w in warnings)
    assert len(warnings) == len(set(warnings))  # each said once
    assert p.stderr.count("tfsess-inspect:") == 1  # the terminal hears it once
    assert [e["ev"] for e in events if e["ev"] in ("sess", "run", "close")] == ["sess", "run", "run", "close"]
