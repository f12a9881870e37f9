"""TensorFlow releases that define the patched symbols in different modules, or lack one:
the agent patches each wherever it is defined, records what it can, says once (trace,
terminal, report) what it could not watch and which findings may be missing, and the
script still runs. Stand-ins play the releases' layouts here (no TensorFlow import); the
real releases run the scenario suite (scripts/tf_matrix.py; .ci/run on 2.12)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from inspector.analysis import build_state, find_all
from inspector.analysis.state import may_be_missing
from inspector.trace.reader import read_trace
from tests.helpers import ENV, REPO, report_json


def strip_summary_part(stderr: str) -> str:
    """The inspector's summary at the end of `run --no-tui` (after the script's stderr)."""
    return stderr[stderr.rfind("tfsess-inspect: sessions "):]

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


# -- A stand-in TensorFlow package on PYTHONPATH, run under `tfsess-inspect run`: the ---
# import hook, the patchers and the check after `import tensorflow` all run for real
# (the real TensorFlow releases run the scenario suite: scripts/tf_matrix.py, .ci/run).

_TENSOR = '''
class Tensor:
    def eval(self, feed_dict=None, session=None):
        from tensorflow.python.framework import ops
        session = session or ops.get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered.")
        return 1.0
'''
_OPS = '''
def get_default_session():
    return None

def get_default_graph():
    return None

def reset_default_graph():
    pass

class _EagerTensorBase:
    pass

class Operation:
    def run(self, feed_dict=None, session=None):
        raise ValueError("Cannot execute operation using `run()`: No default session is registered.")
'''
LAYOUTS = {
    # TensorFlow 2.12: Tensor is defined in framework/ops.py (no framework/tensor.py).
    "ops": {"framework/ops.py": _OPS + _TENSOR, "__init__": "from tensorflow.python.framework.ops import Tensor, Operation"},
    # TensorFlow 2.13: framework/tensor.py exists (imported by ops.py) but holds no Tensor yet.
    "ops, tensor.py without Tensor": {
        "framework/tensor.py": "class DenseSpec:\n    pass\n",
        "framework/ops.py": "from tensorflow.python.framework import tensor as _t\n" + _OPS + _TENSOR,
        "__init__": "from tensorflow.python.framework.ops import Tensor, Operation"},
    # TensorFlow 2.14+: framework/tensor.py.
    "tensor": {"framework/tensor.py": _TENSOR,
               "framework/ops.py": "from tensorflow.python.framework import tensor as _t\n" + _OPS,
               "__init__": "from tensorflow.python.framework.ops import Operation\n"
                           "from tensorflow.python.framework.tensor import Tensor"},
    # TensorFlow 2.14: tensor.py, and ops.py re-exports the same class (wrapped once).
    "tensor, re-exported by ops": {
        "framework/tensor.py": _TENSOR,
        "framework/ops.py": "from tensorflow.python.framework.tensor import Tensor\n" + _OPS,
        "__init__": "from tensorflow.python.framework.ops import Tensor, Operation"},
    # A release that moved Tensor where the agent does not look.
    "elsewhere": {"framework/tensor_base.py": _TENSOR, "framework/ops.py": _OPS,
                  "__init__": "from tensorflow.python.framework.ops import Operation\n"
                              "from tensorflow.python.framework.tensor_base import Tensor"},
}
USER_SCRIPT = '''import tensorflow as tf
try:
    tf.Tensor().eval()
except ValueError as e:
    print("caught", type(e).__name__)
try:
    tf.Operation().run()
except ValueError as e:
    print("caught", type(e).__name__)
'''


def _stand_in(tmp_path, layout: str, version: str = "2.12.1"):
    root = tmp_path / "site"
    files = dict(LAYOUTS[layout])
    init = files.pop("__init__")
    for pkg in ("tensorflow", "tensorflow/python", "tensorflow/python/framework"):
        (root / pkg).mkdir(parents=True, exist_ok=True)
        (root / pkg / "__init__.py").write_text("")
    (root / "tensorflow" / "__init__.py").write_text(init + "\n")
    for rel, text in files.items():
        (root / "tensorflow" / "python" / rel).write_text(text)
    dist = root / f"tensorflow-{version}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: tensorflow\nVersion: {version}\n")
    script = tmp_path / "user.py"
    script.write_text(USER_SCRIPT)
    trace = tmp_path / "t.jsonl"
    p = subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(trace), str(script)],
                       cwd=tmp_path, env={**ENV, "PYTHONPATH": f"{root}{os.pathsep}{REPO}"},
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "caught ValueError\ncaught ValueError\n"
    data = read_trace(str(trace))
    state = build_state(data.header, data.events)
    return p, data.events, state, find_all(state)


@pytest.mark.parametrize("layout", ["ops", "ops, tensor.py without Tensor", "tensor",
                                    "tensor, re-exported by ops"])
def test_tensor_eval_is_watched_wherever_the_release_defines_tensor(tmp_path, layout):
    p, events, state, findings = _stand_in(tmp_path, layout)
    assert sorted((f.kind, f.line) for f in findings) == [("no-default-session", 3),
                                                          ("no-default-session", 7)]
    assert sorted(r.kind for r in state.runs.failed_runs()) == ["eval", "operation-run"]
    assert [e for e in events if e["ev"] == "warn"] == []
    assert "tfsess-inspect: this TensorFlow" not in p.stderr
    rep = report_json(tmp_path / "t.jsonl")
    assert rep["may_be_missing"] == [] and rep["unwatched"] == []


def test_a_path_no_known_module_defines_is_said_once_with_the_findings_it_may_miss(tmp_path):
    p, events, state, findings = _stand_in(tmp_path, "elsewhere")
    warns = [e for e in events if e["ev"] == "warn"]
    assert [(w["unwatched"], w["findings"]) for w in warns] == [
        ("Tensor.eval", ["no-default-session", "run-after-close", "graph-mismatch"])]
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith("tfsess-inspect: this TensorFlow")]
    assert len(lines) == 1 and "Tensor.eval" in lines[0] and "no-default-session" in lines[0]
    # What was watched is still recorded; what was not is named, not silently absent.
    assert [r.kind for r in state.runs.failed_runs()] == ["operation-run"]
    assert [(f.kind, f.line) for f in findings] == [("no-default-session", 7)]
    assert may_be_missing(state) == ["graph-mismatch", "no-default-session", "run-after-close"]
    # `report` says it: json (additively) and text; so does run's own summary.
    rep = report_json(tmp_path / "t.jsonl")
    assert rep["may_be_missing"] == ["graph-mismatch", "no-default-session", "run-after-close"]
    assert rep["unwatched"] == [{"path": "Tensor.eval",
                                 "findings": ["no-default-session", "run-after-close", "graph-mismatch"]}]
    said = ("not watched on this TensorFlow: Tensor.eval; findings that may be missing: "
            "graph-mismatch, no-default-session, run-after-close")
    text = subprocess.run([sys.executable, "-m", "inspector", "report", str(tmp_path / "t.jsonl")],
                          env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    assert said in text.stdout + text.stderr
    assert said in strip_summary_part(p.stderr)


@pytest.mark.parametrize("version,said", [("2.11.1", True), ("2.12.0", False), ("2.21.0", False),
                                          ("2.22.0rc1", True)])
def test_a_release_outside_the_tested_range_gets_one_line(tmp_path, version, said):
    p, events, state, findings = _stand_in(tmp_path, "ops", version)
    agent_part = p.stderr[:p.stderr.rfind("tfsess-inspect: sessions ")]
    lines = [ln for ln in agent_part.splitlines() if "outside the tested range" in ln]
    assert len(lines) == (1 if said else 0)
    if said:
        assert lines[0].startswith(f"tfsess-inspect: TensorFlow {version} is outside the tested range 2.12 to 2.21")
        assert "tested: 2.12.1" in lines[0]
        assert any(e.get("untested") == version for e in events if e["ev"] == "warn")
        assert state.untested is not None and version in state.untested
        assert f"TensorFlow {version} is outside the tested range" in strip_summary_part(p.stderr)
    else:
        assert state.untested is None


def test_a_missing_object_the_wrappers_read_is_said_too(tmp_path):
    """Not every watched path is wrapped: eager-in-session needs ops._EagerTensorBase."""
    LAYOUTS["no _EagerTensorBase"] = {**LAYOUTS["tensor"], "framework/ops.py": (
        "from tensorflow.python.framework import tensor as _t\n"
        + _OPS.replace("class _EagerTensorBase:\n    pass\n", ""))}
    p, events, state, findings = _stand_in(tmp_path, "no _EagerTensorBase")
    assert [(w["unwatched"], w["findings"]) for w in events if w["ev"] == "warn"] == [
        ("ops._EagerTensorBase", ["eager-in-session"])]
    assert sorted((f.kind, f.line) for f in findings) == [("no-default-session", 3),
                                                          ("no-default-session", 7)]


def test_a_release_without_reset_default_graph_says_graph_mismatch_may_miss_its_story(tmp_path):
    LAYOUTS["no reset_default_graph"] = {**LAYOUTS["tensor"], "framework/ops.py": (
        "from tensorflow.python.framework import tensor as _t\n"
        + _OPS.replace("def reset_default_graph():\n    pass\n", ""))}
    p, events, state, findings = _stand_in(tmp_path, "no reset_default_graph")
    assert [(w["unwatched"], w["findings"]) for w in events if w["ev"] == "warn"] == [
        ("ops.reset_default_graph", ["graph-mismatch"])]
    assert p.stderr.count("this TensorFlow has no ops.reset_default_graph") == 1
