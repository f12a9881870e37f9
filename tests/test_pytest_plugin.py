"""The pytest plugin, in real pytest runs (child processes) of a small project whose
test swallows a run after close: it fails only with `--tfsess`; without the flag the
plugin does nothing (nothing patched, no trace written)."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import ENV

CONFTEST = '''
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import pytest
import tensorflow as tf  # imported before the plugin starts: patched on the spot

tf.compat.v1.disable_eager_execution()


@pytest.fixture(scope="module")
def shared_session():
    sess = tf.compat.v1.Session()  # a module fixture's session: not a test's leak
    yield sess
    sess.close()
'''

TESTS = '''
import pytest
import tensorflow as tf


def _graph():
    a = tf.constant(2)
    return a * 3


def test_swallowed_run_after_close():
    c = _graph()
    sess = tf.compat.v1.Session()
    assert sess.run(c) == 6
    sess.close()
    try:
        sess.run(c)
    except RuntimeError:
        pass  # swallowed: the test passes without the plugin


def test_correct_with_block():
    c = _graph()
    with tf.compat.v1.Session() as sess:
        assert sess.run(c) == 6


LEAKED = []


def test_leaks_a_session():
    c = _graph()
    sess = tf.compat.v1.Session()
    LEAKED.append(sess)
    assert sess.run(c) == 6


def test_uses_module_fixture(shared_session):
    assert shared_session.run(_graph()) == 6


def test_uses_module_fixture_again(shared_session):
    assert shared_session.run(_graph()) == 6


@pytest.fixture
def closed_in_teardown():
    sess = tf.compat.v1.Session()
    yield sess
    c = _graph()
    sess.close()
    try:
        sess.run(c)
    except RuntimeError:
        pass


def test_fixture_runs_after_close_in_its_teardown(closed_in_teardown):
    assert closed_in_teardown.run(_graph()) == 6
'''

PLUGIN_ON = '''
import sys
from tensorflow.python.client import session


def test_plugin_recorded_and_patched():
    assert "inspector.agent.recorder" in sys.modules
    assert hasattr(session.BaseSession.run, "__wrapped__")
'''

PLUGIN_OFF = '''
import sys
from tensorflow.python.client import session


def test_plugin_did_nothing():
    assert "inspector.agent.recorder" not in sys.modules
    assert "inspector.agent.patches" not in sys.modules
    assert not hasattr(session.BaseSession.run, "__wrapped__")
'''


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess:
    tmp = project / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {**ENV, "TMPDIR": str(tmp)}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                           "-rfE", "-W", "ignore::DeprecationWarning", *args],
                          cwd=project, env=env, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess]]:
    """The project run twice at once: with --tfsess (and a trace dir), and plainly."""

    def project(name: str, extra: str, extra_src: str) -> Path:
        d: Path = tmp_path_factory.mktemp(name)
        (d / "conftest.py").write_text(textwrap.dedent(CONFTEST))
        (d / "test_sessions.py").write_text(textwrap.dedent(TESTS))
        (d / extra).write_text(textwrap.dedent(extra_src))
        return d

    on = project("on", "test_plugin_on.py", PLUGIN_ON)
    off = project("off", "test_plugin_off.py", PLUGIN_OFF)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        f_on = pool.submit(_pytest, on, "--tfsess", "--tfsess-trace", "traces")
        f_off = pool.submit(_pytest, off)
        return {"on": (on, f_on.result()), "off": (off, f_off.result())}


def test_with_tfsess_a_swallowed_run_after_close_fails_the_test(runs):
    _, p = runs["on"]
    out = p.stdout
    assert p.returncode == 1, out + p.stderr
    assert "1 failed, 6 passed, 1 warning, 1 error" in out
    assert "FAILED test_sessions.py::test_swallowed_run_after_close" in out
    # the finding's message and file:line, with where the session was made and closed
    assert "test_sessions.py:17: run-after-close: sess.run() at test_sessions.py:17 used Session" in out
    assert "created at test_sessions.py:13" in out
    assert "closed (explicit) at test_sessions.py:15" in out


def test_with_tfsess_a_session_error_in_a_fixtures_teardown_is_an_error_of_the_test(runs):
    _, p = runs["on"]
    out = p.stdout
    assert "ERROR test_sessions.py::test_fixture_runs_after_close_in_its_teardown" in out
    assert "session error in this test (teardown):" in out
    assert "test_sessions.py:53: run-after-close" in out


def test_with_tfsess_a_leaked_session_is_a_warning_at_the_tests_end(runs):
    _, p = runs["on"]
    out = p.stdout
    assert "TfsessLeakWarning: tfsess-inspect: session-leak at test_sessions.py:33" in out
    assert "warning  session-leak  test_sessions.py::test_leaks_a_session" in out
    assert "sessions leaked 1" in out
    assert "conftest.py" not in out.split("tfsess-inspect ---")[-1]  # the fixture's session


def test_tfsess_trace_keeps_one_replayable_trace_per_test(runs):
    from inspector.commands._load import load_trace

    project, _ = runs["on"]
    traces = project / "traces"
    names = sorted(p.name for p in traces.iterdir())
    assert names == ["all-tests.jsonl", "all-tests.jsonl.runs",  # (its successful runs)
                     "test_plugin_on.py_test_plugin_recorded_and_patched.jsonl",
                     "test_sessions.py_test_correct_with_block.jsonl",
                     "test_sessions.py_test_fixture_runs_after_close_in_its_teardown.jsonl",
                     "test_sessions.py_test_leaks_a_session.jsonl",
                     "test_sessions.py_test_swallowed_run_after_close.jsonl",
                     "test_sessions.py_test_uses_module_fixture.jsonl",
                     "test_sessions.py_test_uses_module_fixture_again.jsonl"]
    rac = load_trace(str(traces / "test_sessions.py_test_swallowed_run_after_close.jsonl"))
    assert [(f.kind, os.path.basename(f.file), f.line) for f in rac.findings] == [
        ("run-after-close", "test_sessions.py", 17)]
    assert rac.state.header["pytest"] == "test_sessions.py::test_swallowed_run_after_close"
    assert rac.state.exit.code == 1
    assert len(rac.state.sessions) == 1 and len(rac.state.runs) == 2
    ok = load_trace(str(traces / "test_sessions.py_test_correct_with_block.jsonl"))
    assert ok.findings == [] and len(ok.state.runs) == 1
    # a session of a module fixture, used by a later test, is known in that test's trace
    again = load_trace(str(traces / "test_sessions.py_test_uses_module_fixture_again.jsonl"))
    (sess,) = again.state.sessions.values()
    assert os.path.basename(sess.created_site.file) == "conftest.py"
    assert sess.runs == 1 and sess.closed_ts is None  # closed after the module's last test
    assert [f for f in again.findings if f.severity == "error"] == []


def test_without_tfsess_everything_passes_and_nothing_is_recorded(runs):
    project, p = runs["off"]
    assert p.returncode == 0, p.stdout + p.stderr
    assert "7 passed" in p.stdout
    assert "tfsess-inspect" not in p.stdout
    assert not list(project.rglob("*.jsonl"))
    assert not list((project / "tmp").iterdir())


FORKING_TESTS = '''
import os
import tensorflow as tf

tf.compat.v1.disable_eager_execution()


def test_forked_child_runs_after_close():
    c = tf.constant(2) * 3
    sess = tf.compat.v1.Session()
    assert sess.run(c) == 6
    sess.close()
    pid = os.fork()
    if pid == 0:  # the closed session fails in Python, before TensorFlow's runtime
        try:
            sess.run(c)  # the child's run after close
        except RuntimeError:
            pass
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert status == 0


def test_forked_child_does_nothing():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
'''


def test_with_tfsess_a_run_after_close_in_a_forked_child_fails_the_test(tmp_path):
    (tmp_path / "test_forking.py").write_text(textwrap.dedent(FORKING_TESTS))
    p = _pytest(tmp_path, "--tfsess")
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert "1 failed, 1 passed" in out
    assert "FAILED test_forking.py::test_forked_child_runs_after_close" in out
    line = FORKING_TESTS.splitlines().index("            sess.run(c)  # the child's run after close") + 1
    assert "run-after-close" in out and f"test_forking.py:{line}" in out
    # The run's temporary trace and its children's files are gone.
    assert not [f for f in (tmp_path / "tmp").iterdir() if "tfsess" in f.name]
