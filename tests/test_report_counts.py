"""The text summary counts findings by every severity, says "1 run", and shows no
memory peak of 0 B (issue: the first hour, item 14), on real recordings."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ENV, REPO, run_recorded


def _report(trace) -> str:
    p = subprocess.run([sys.executable, "-m", "inspector", "report", str(trace)],
                       env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_a_warning_is_counted_and_one_run_is_singular(tmp_path):
    r = run_recorded(REPO / "tests" / "scenarios" / "session_leak.py", trace=tmp_path / "leak.jsonl")
    text = _report(r.trace)
    assert "(1 warning)" in text.splitlines()[0]


def test_an_error_and_an_info_are_both_counted(tmp_path):
    r = run_recorded(REPO / "examples" / "seed_try_finally.py", trace=tmp_path / "tf.jsonl")
    head = _report(r.trace).splitlines()[0]
    assert "findings 2 (1 error, 1 info)" in head, head
    assert ", 1 run," in _report(r.trace) or ", 1 run\n" in _report(r.trace)


def test_an_eager_script_shows_no_zero_byte_peak(tmp_path):
    r = run_recorded(REPO / "examples" / "seed_with_block.py", trace=tmp_path / "eager.jsonl")
    assert " 0 B " not in _report(r.trace)
