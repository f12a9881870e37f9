"""`-m MODULE`: everything after the module's name is the module's, as with `python -m`
(`run --no-tui -m`, the live view, and the short form `tfsess-inspect -m pkg.mod -v`).
Real child processes, with pytest as the module."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from inspector import cli
from tests.helpers import ENV, REPO

_TESTS = '''\
import pytest
import tensorflow as tf

tf.compat.v1.disable_eager_execution()


def test_a_session_runs():
    with tf.compat.v1.Session() as sess:
        assert sess.run(tf.constant(2) * 3) == 6


def test_fails():
    assert 1 == 2


@pytest.mark.skip(reason="skipped on purpose")
def test_skipped():
    pass
'''
_OUTCOME = re.compile(r"^(PASSED|FAILED|SKIPPED|ERROR) (\S+)", re.M)
_PYTEST_ARGS = ("-q", "-p", "no:cacheprovider", "-rA", "some_test.py")


def _outcomes(text: str) -> list[tuple[str, str]]:
    """The per-test lines of pytest's `-rA` summary (SKIPPED lines name the file:line)."""
    return sorted(_OUTCOME.findall(text))


def test_run_no_tui_gives_module_arguments_that_start_with_dash_to_the_module(tmp_path):
    (tmp_path / "some_test.py").write_text(_TESTS)
    env = {**ENV, "PYTHONPATH": str(REPO)}
    plain = subprocess.run([sys.executable, "-m", "pytest", *_PYTEST_ARGS], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=300)
    recorded = subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui",
                               "-o", str(tmp_path / "t.jsonl"), "-m", "pytest", *_PYTEST_ARGS],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert plain.returncode == 1, plain.stdout + plain.stderr
    assert recorded.returncode == plain.returncode, recorded.stderr
    assert _outcomes(plain.stdout) == [
        ("FAILED", "some_test.py::test_fails"), ("PASSED", "some_test.py::test_a_session_runs"),
        ("SKIPPED", "[1]")]
    assert _outcomes(recorded.stdout) == _outcomes(plain.stdout)
    assert "tfsess-inspect: sessions 1 · runs 1" in recorded.stderr  # and it was recorded


@pytest.mark.parametrize("argv,module,module_args", [
    (["run", "--no-tui", "-m", "pytest", "-q", "x.py"], "pytest", ["-q", "x.py"]),
    (["run", "-m", "pytest", "-q", "--no-tui"], "pytest", ["-q", "--no-tui"]),  # the live view
    (["-m", "pkg.mod", "-v"], "pkg.mod", ["-v"]),  # the short form docs/cli.md shows
    (["-m", "pkg.mod", "-o", "x", "-m", "y", "--", "-h"], "pkg.mod", ["-o", "x", "-m", "y", "--", "-h"]),
    (["--no-tui", "-o", "t.jsonl", "-m", "pkg.mod", "--web"], "pkg.mod", ["--web"]),
    (["run", "-o", "t.jsonl", "--memory-interval", "0", "-mpkg.mod", "-x"], "pkg.mod", ["-x"]),
])
def test_everything_after_the_module_is_the_modules(argv, module, module_args):
    args = cli.parse_args(argv)
    assert (args.command, args.module, args.script_and_args) == ("run", module, module_args)


def test_the_script_keeps_its_arguments_that_look_like_options():
    args = cli.parse_args(["run", "--no-tui", "x.py", "-m", "y", "-q"])
    assert (args.module, args.script_and_args) == (None, ["x.py", "-m", "y", "-q"])


def test_options_after_a_notebook_are_the_inspectors_own():
    """A notebook takes no arguments: `run --no-tui nb.ipynb --fail-on error` (the README's
    CI line) gives --fail-on to tfsess-inspect; after a script, the same words stay the
    script's."""
    parse_args = cli.parse_args
    args = parse_args(["run", "--no-tui", "nb.ipynb", "--fail-on", "error", "-o", "t.jsonl"])
    assert (args.fail_on, args.output, args.script_and_args) == ("error", "t.jsonl", ["nb.ipynb"])
    args = parse_args(["--no-tui", "nb.ipynb", "--fail-on", "warning"])
    assert (args.command, args.fail_on, args.script_and_args) == ("run", "warning", ["nb.ipynb"])
    args = parse_args(["run", "nb.ipynb", "--fail-on", "error", "stray"])
    assert args.script_and_args == ["nb.ipynb", "stray"]  # `run` then says it takes none
    args = parse_args(["run", "--no-tui", "train.py", "--fail-on", "error"])
    assert (args.fail_on, args.script_and_args) == (None, ["train.py", "--fail-on", "error"])
