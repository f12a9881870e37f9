"""The script cannot tell it is recorded: argv, __name__, __file__, sys.path[0],
pickling, the traceback and the exit code are what plain python gives."""

from __future__ import annotations

import json
import shutil

import pytest

from inspector.analysis import build_state
from inspector.trace.reader import read_trace
from tests.helpers import REPO, comparable_stderr, run_plain, run_recorded, strip_summary

SCRIPTS = REPO / "tests" / "scripts"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("transparency")
    shutil.copy(SCRIPTS / "transparency.py", d / "transparency.py")
    shutil.copy(SCRIPTS / "syntax_error.py", d / "syntax_error.py")
    return d


@pytest.mark.parametrize("how,code", [("ok", 0), ("raise", 1), ("exit3", 3), ("sigterm", 143)])
def test_script_sees_and_ends_exactly_as_under_plain_python(workdir, how, code):
    plain = run_plain("transparency.py", how, "--flag", cwd=workdir)
    rec = run_recorded("transparency.py", how, "--flag", trace=workdir / f"{how}.jsonl", cwd=workdir)
    assert rec.code == code
    assert (128 - plain.code if plain.code < 0 else plain.code) == code
    assert rec.stdout == plain.stdout
    seen = json.loads(rec.stdout.splitlines()[0])
    assert seen["name"] == "__main__"
    assert seen["argv"] == ["transparency.py", how, "--flag"]
    assert seen["file"] == str(workdir / "transparency.py")
    assert seen["path0"] == str(workdir)
    assert seen["main_is_module"] and seen["pickle_roundtrip"] == 3
    # The traceback is python's own, without a single frame of the inspector.
    assert comparable_stderr(strip_summary(rec.stderr)) == comparable_stderr(plain.stderr)
    assert "inspector" not in strip_summary(rec.stderr)


def test_uncaught_exception_is_recorded_with_its_line(workdir):
    rec = run_recorded("transparency.py", "raise", trace=workdir / "exc.jsonl", cwd=workdir)
    data = read_trace(str(workdir / "exc.jsonl"))
    state = build_state(data.header, data.events)
    assert state.exit.code == 1
    assert state.exit.exception == "ValueError: boom [bold]not markup[/bold]"
    assert state.exit.exception_site[1] == 29
    assert "[bold]not markup[/bold]" in rec.stderr  # the summary does not eat it as markup


def test_syntax_error_is_reported_as_python_reports_it(workdir):
    plain = run_plain("syntax_error.py", cwd=workdir)
    rec = run_recorded("syntax_error.py", trace=workdir / "syntax.jsonl", cwd=workdir)
    assert plain.code == rec.code == 1
    assert rec.stdout == ""
    assert strip_summary(rec.stderr).strip() == plain.stderr.strip()
    assert read_trace(str(workdir / "syntax.jsonl")).header["script"] == "syntax_error.py"


def test_module_runs_as_with_python_dash_m(tmp_path):
    import subprocess
    import sys

    from tests.helpers import ENV

    scripts = SCRIPTS
    for target in ("pkg", "pkg.mod"):
        plain = subprocess.run([sys.executable, "-m", target, "a", "b"], cwd=scripts, env=ENV,
                               capture_output=True, text=True)
        rec = subprocess.run(
            [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(tmp_path / "m.jsonl"),
             "-m", target, "a", "b"],
            cwd=scripts, env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
        assert rec.returncode == plain.returncode == 0
        assert rec.stdout == plain.stdout
