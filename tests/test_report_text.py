"""The text summary (`run --no-tui` on stderr, `report` on stdout) where the output is not
a terminal, the CI case: no hard wrapping at an assumed 80 columns; each finding on one
line, its message whole on the next, indented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ENV, REPO, Result, run_recorded

SEED = REPO / "examples" / "seed_run_after_close.py"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Result:
    cwd = tmp_path_factory.mktemp("text")
    return run_recorded(SEED, trace=cwd / "seed.jsonl", cwd=cwd)


def _report_text(trace: Path) -> str:
    p = subprocess.run([sys.executable, "-m", "inspector", "report", str(trace)],
                       env={**ENV, "PYTHONPATH": str(REPO), "COLUMNS": "80"},
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def _summary(text: str) -> list[str]:
    return text[text.rfind("tfsess-inspect: sessions "):].splitlines()


def _check_one_logical_line_each(lines: list[str]) -> None:
    assert lines[0].startswith("tfsess-inspect: sessions 1 · runs 1 · findings 2"), lines
    session = lines[1]
    assert session.startswith("  Session #1 "), lines
    assert re.search(r"created \S*seed_run_after_close\.py:16, closed \S*seed_run_after_close\.py:17 ",
                     session), lines
    heads = [i for i, line in enumerate(lines) if line.startswith("  error   ")]
    assert [lines[i].split()[1] for i in heads] == ["run-after-close", "eager-in-session"], lines
    for i in heads:
        assert lines[i].endswith("seed_run_after_close.py:20"), lines[i]
        message = lines[i + 1]
        assert message.startswith("    sess.run() at seed_run_after_close.py:20 "), lines
        assert message.rstrip().endswith("(.numpy()).") or message.rstrip().endswith("`with` block)."), lines
        assert lines[i + 2].startswith("  ") and not lines[i + 2].startswith("    "), lines
    assert lines[-1].startswith("  trace: ")


def test_run_no_tui_summary_is_not_hard_wrapped_on_a_pipe(recorded):
    _check_one_logical_line_each(_summary(recorded.stderr))


def test_report_text_is_not_hard_wrapped_on_a_pipe(recorded):
    _check_one_logical_line_each(_summary(_report_text(recorded.trace)))
