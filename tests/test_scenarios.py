"""Each scenario script under the recorder: same behaviour as plain python, and the
findings, closes and run counts its docstring expects."""

from __future__ import annotations

import pytest

from inspector.analysis import build_state, find_all
from inspector.trace.reader import read_trace
from tests.helpers import SCENARIOS, comparable_stderr, expectations, parse_pairs, strip_summary

NAMES = sorted(p.stem for p in SCENARIOS.glob("*.py") if p.name != "check_plain.py")


def _analyse(trace):
    data = read_trace(str(trace))
    state = build_state(data.header, data.events)
    return state, find_all(state)


@pytest.mark.parametrize("name", NAMES)
def test_scenario_behaves_as_without_the_recorder(name, scenario_runs):
    plain, recorded = scenario_runs[name]
    # subprocess reports death by signal N as -N; a shell (and tfsess-inspect) as 128+N.
    plain_code = 128 - plain.code if plain.code < 0 else plain.code
    assert recorded.code == plain_code, recorded.stderr[-2000:]
    assert recorded.stdout == plain.stdout
    assert comparable_stderr(strip_summary(recorded.stderr)) == comparable_stderr(plain.stderr)


@pytest.mark.parametrize("name", NAMES)
def test_scenario_findings_match_its_expectations(name, scenario_runs):
    script = SCENARIOS / f"{name}.py"
    exp = expectations(script)
    state, findings = _analyse(scenario_runs[name][1].trace)
    expected = sorted(
        (p["finding"], int(p["line"])) for p in map(parse_pairs, exp.get("finding", []))
    )
    actual = sorted((f.kind, f.line) for f in findings if f.file == str(script))
    assert actual == expected, [f.message for f in findings]


@pytest.mark.parametrize("name", NAMES)
def test_scenario_closes_and_runs_are_recorded(name, scenario_runs):
    script = SCENARIOS / f"{name}.py"
    exp = expectations(script)
    state, _ = _analyse(scenario_runs[name][1].trace)
    if "runs" in exp:
        assert len(state.runs) == int(parse_pairs(exp["runs"][0])["runs"])
    if "exit" in exp:
        assert state.exit.code == int(parse_pairs(exp["exit"][0])["exit"])
    expected = sorted((p["close"], int(p["line"])) for p in map(parse_pairs, exp.get("close", [])))
    actual = []
    for s in state.user_sessions():
        if s.closed_site is None:
            continue
        if state.exit.script_end_ts is not None and s.closed_ts > state.exit.script_end_ts:
            continue  # closed by garbage collection while the interpreter shut down
        how = "monitored" if "Monitored" in s.kind else s.closed_how
        actual.append((how, s.closed_site.line))
    assert sorted(actual) == expected


def test_a_default_graph_reset_is_named_by_the_graph_mismatch_it_caused(scenario_runs):
    script = SCENARIOS / "graph_mismatch_after_reset.py"
    trace = scenario_runs[script.stem][1].trace
    _, findings = _analyse(trace)
    (finding,) = [f for f in findings if f.kind == "graph-mismatch"]
    assert ("The default graph was reset at graph_mismatch_after_reset.py:31, after Session #1 "
            "was created: tensors built since are on the new graph") in finding.message
    # One event per call; the refused one (inside a graph's `with`) says why, names no graph.
    resets = [e for e in read_trace(str(trace)).events if e["ev"] == "graph_reset"]
    assert [e["error"].split(":")[0] for e in resets if "error" in e] == ["AssertionError"]
    assert len(resets) == 2 and "graph" not in resets[0] and resets[1]["graph"] > 0


def test_tensorflow_log_lines_of_every_release_are_left_out_of_the_comparison():
    # TF 2.13-2.16 log through tsl with a wall-clock time: two runs never print the same line.
    plain = ("2026-12-07 13:45:20.116971: E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261]"
             " Unable to register cuDNN factory\ncaught ValueError\n")
    recorded = ("2026-12-07 13:45:27.692524: E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261]"
                " Unable to register cuDNN factory\ncaught ValueError\n")
    assert comparable_stderr(plain) == comparable_stderr(recorded) == "caught ValueError"
    assert comparable_stderr("E0000 00:00:1733 cuda.cc:1] x\nI0000 00:00:1 y\nok") == "ok"
