"""eager-in-session gives its own evidence: the fetch the recorder saw as an eager
tensor, and TensorFlow's error only when that error is about eager tensors (not the
closed-session error of a run that also used a closed session)."""

from __future__ import annotations

import concurrent.futures

import pytest

from tests.helpers import REPO, SCENARIOS, report_json, run_recorded

SCRIPTS = {
    "seed": REPO / "examples" / "seed_run_after_close.py",  # closed session and eager tensors
    "empty_graph": SCENARIOS / "eager_empty_graph.py",  # TensorFlow: "The Session graph is empty"
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict]:
    cwd = tmp_path_factory.mktemp("eager")

    def one(name: str) -> tuple[str, dict]:
        r = run_recorded(SCRIPTS[name], trace=cwd / f"{name}.jsonl", cwd=cwd)
        return name, report_json(r.trace)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, SCRIPTS))


def _eager(report: dict) -> dict:
    [finding] = [f for f in report["findings"] if f["kind"] == "eager-in-session"]
    return finding


def test_eager_finding_on_a_closed_session_does_not_quote_the_closed_session_error(reports):
    message = _eager(reports["seed"])["message"]
    assert "closed Session" not in message, message
    assert "the recorder saw its fetch as an eager tensor (int32, shape [])" in message, message
    assert "failed first for another reason, RuntimeError" in message, message
    # the closed-session error stays the evidence of the run-after-close finding
    [rac] = [f for f in reports["seed"]["findings"] if f["kind"] == "run-after-close"]
    assert "TensorFlow said: RuntimeError: Attempted to use a closed Session." in rac["message"]


def test_eager_finding_quotes_tensorflow_when_it_speaks_of_the_eager_case(reports):
    message = _eager(reports["empty_graph"])["message"]
    assert "the recorder saw its fetch as an eager tensor (int32, shape [])" in message, message
    assert "(TensorFlow said: RuntimeError: The Session graph is empty." in message, message
    assert "another reason" not in message, message
