"""The run wrapper exists twice: compiled (inspector/agent/_fastrun.c) and pure Python
(inspector/agent/runs.py). Both must call the original exactly as the script did and
record the same runs, and real TensorFlow scripts must give the same findings on both.

The pure-Python path is what runs where no C compiler was there at install, and what
TFSESS_INSPECT_PURE_PYTHON=1 asks for."""

from __future__ import annotations

import concurrent.futures
import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from inspector.analysis import build_state
from inspector.trace.reader import read_trace
from tests.helpers import ENV, REPO, SCENARIOS, report_json

PATHS = {"compiled": "0", "python": "1"}

# A session-like class whose `run` and `eval`-like paths are wrapped as the agent wraps
# TensorFlow's, called in every way a script calls them. Prints what the originals got
# and what the script got back, as JSON, for the comparison between the two paths.
CHILD = r'''
import json, sys
import numpy as np
from inspector.agent import recorder, runs, sessions
rec = recorder.start(sys.argv[1], header={"script": __file__, "argv": []})
seen = []

class Leaf:
    def __init__(self, name):
        self.name, self.dtype, self.shape, self.graph = name, None, None, None
    def __repr__(self):
        return "Leaf(%s)" % self.name

class Session:
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        seen.append(["run", repr(fetches), sorted((k.name, repr(v)) for k, v in (feed_dict or {}).items()),
                     options, run_metadata])
        if fetches == "boom":
            raise ValueError("boom " + str(feed_dict))
        if fetches == "nested":
            return self.run("inner")
        return ["result", len(seen)]

def evaluate(tensor, feed_dict=None, session=None):
    seen.append(["eval", tensor.name, session is not None])
    return tensor.name

Session.run = runs.recorded_run("run", Session.run, runs.RUN)
evaluate = runs.recorded_run("eval", evaluate, runs.EVAL)
assert Session.run.__wrapped__ is not None and Session.run.__name__ == "run"
print(json.dumps({"hot_path": runs.hot_path(), "type": type(Session.run).__name__}))

class Odd:  # a feed value whose shape cannot be hashed
    dtype = "float32"
    shape = [1, 2]
    def __repr__(self):
        return "Odd()"

a, b, x, y = Leaf("a"), Leaf("b"), Leaf("x"), Leaf("y")
X = np.zeros((64, 4), np.float32)
sess = Session()
sessions.session_id(sess)
out = []
for i in range(3):                                   # line A: the same call, cached
    out.append(sess.run(a))
out.append(sess.run([a, b]))
out.append(sess.run((a,)))
out.append(sess.run({"k": a, "j": b}))
out.append(sess.run([[a], b]))                       # nested fetches: never cached
out.append(sess.run(fetches=a, feed_dict={x: X[:8]}))
for n in (8, 8, 3, 8):                               # the batch changes, then comes back
    out.append(sess.run([a], {x: X[:n], y: X[:n, 0]}))
out.append(sess.run(a, {x: 1.5}))                    # a Python value fed
out.append(sess.run(a, {x: [1.0, 2.0]}))
out.append(sess.run(a, {x: Odd()}))
out.append(sess.run(a, None, "opts", run_metadata="md"))
out.append(Session.run(sess, b))                     # through the class
out.append(sess.run("nested"))                       # the inner run is not recorded
try:
    sess.run("boom", feed_dict={x: 2.0})
except ValueError as exc:
    out.append(["raised", str(exc), exc.__traceback__ is not None])
out.append(evaluate(a, session=sess))
out.append(evaluate(b, {x: X[:2]}, sess))
def helper(s):
    return s.run(b)                                  # the same line from two callers
out.append(helper(sess)); out.append(helper(sess))
import gc, weakref
dropped = Session()
sessions.session_id(dropped)
for _ in range(3):
    dropped.run(a)
gone = weakref.ref(dropped)
del dropped  # nothing of the recorder's may keep a session alive (it would never be collected)
gc.collect()
out.append(["collected", gone() is None])
print(json.dumps({"out": out, "seen": seen}, default=repr))
'''


def _child(tmp: Path, path: str) -> tuple[dict, dict, list]:
    script = tmp / f"child_{path}.py"
    script.write_text(CHILD)
    trace = tmp / f"{path}.jsonl"
    p = subprocess.run([sys.executable, str(script), str(trace)], capture_output=True, text=True,
                       timeout=120, env={**ENV, "PYTHONPATH": str(REPO),
                                         "TFSESS_INSPECT_PURE_PYTHON": PATHS[path]})
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    data = read_trace(str(trace))
    state = build_state(data.header, data.events)
    runs = [(r.kind, r.site.line, r.site.function, r.session, r.ok, r.exc,
             [(f.name, f.dtype, f.shape) for f in r.fetch.fetches], r.fetch.nfetch,
             [(f.name, f.dtype, f.shape) for f in r.fetch.feeds])
            for r in state.runs]
    return lines[0], lines[1], runs


def _compiler() -> bool:
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc) is not None


def test_the_compiled_hot_path_is_built_where_a_compiler_is(tmp_path):
    if not _compiler():
        pytest.skip("no C compiler here: the install left the compiled hot path out")
    first, _, _ = _child(tmp_path, "compiled")
    assert first == {"hot_path": "compiled", "type": "FastRun"}, (
        "the compiled hot path is missing or was built from other source: `pip install -e .`")


def test_both_paths_call_the_original_alike_and_record_the_same_runs(tmp_path):
    if not _compiler():
        pytest.skip("no C compiler here: only the pure-Python hot path exists")
    c_first, c_out, c_runs = _child(tmp_path, "compiled")
    p_first, p_out, p_runs = _child(tmp_path, "python")
    assert c_first["hot_path"] == "compiled" and p_first["hot_path"] == "python"
    # What the script and the originals saw: identical.
    assert c_out == p_out
    assert c_out["out"][-6][0] == "raised"
    # What was recorded: identical, and right.
    assert c_runs == p_runs
    lines = CHILD.splitlines()
    line_a = next(i for i, t in enumerate(lines, 1) if "# line A" in t)
    assert [r[1] for r in c_runs[:3]] == [line_a + 1] * 3  # the line under the comment
    assert len(c_runs) == 26  # every call above once; the nested inner run not at all
    assert c_out["out"][-1] == ["collected", True]
    batches = [r[8] for r in c_runs if r[8] and r[8][0][0] == "x" and len(r[8]) == 2]
    assert [b[0][2] for b in batches] == [[8, 4], [8, 4], [3, 4], [8, 4]]
    failed = [r for r in c_runs if not r[4]]
    assert len(failed) == 1 and failed[0][5] == "ValueError"
    helper_line = next(i for i, t in enumerate(lines, 1) if "the same line from two callers" in t)
    assert [r[1] for r in c_runs[-5:-3]] == [helper_line] * 2
    assert [r[0] for r in c_runs[-7:-5]] == ["eval", "eval"]


# Real TensorFlow: one scenario per run path, under the pure-Python path (the whole
# scenario suite runs on the compiled one), against the same scenario on the compiled path.
PATH_SCENARIOS = ["run_after_close", "callable_feed_list_after_close", "partial_run_after_close",
                  "eval_after_as_default", "monitored_session", "threads_one_session"]


def _findings(trace: Path) -> tuple[list, list, int]:
    rep = report_json(trace)
    found = sorted((f["kind"], f["line"], f["severity"], f["function"]) for f in rep["findings"])
    sessions = sorted((s["id"], s["runs"], s["errors"]) for s in rep["sessions"])
    return found, sessions, rep["runs"]


@pytest.mark.parametrize("name", PATH_SCENARIOS)
def test_real_tensorflow_gives_the_same_findings_on_both_paths(name, tmp_path):
    pytest.importorskip("tensorflow")
    script = SCENARIOS / f"{name}.py"

    def record(path: str) -> tuple[int, tuple]:
        trace = tmp_path / f"{path}.jsonl"
        p = subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(trace),
                            str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                           env={**ENV, "PYTHONPATH": str(REPO),
                                "TFSESS_INSPECT_PURE_PYTHON": PATHS[path]})
        return p.returncode, _findings(trace)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(PATHS, pool.map(record, PATHS), strict=True))
    assert results["compiled"] == results["python"]
    assert results["python"][1][2] > 0  # runs were recorded
