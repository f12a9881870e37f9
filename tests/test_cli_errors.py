"""A user's mistake gets one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import ENV, REPO


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "inspector", *args], cwd=cwd,
                          env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=60)


def assert_one_line_error(p, *words):
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfsess-inspect: "), p.stderr
    assert "Traceback" not in p.stderr
    for w in words:
        assert w in p.stderr


def test_missing_script(tmp_path):
    assert_one_line_error(cli("run", "--no-tui", str(tmp_path / "nope.py")), "no such file")


def test_directory_as_script(tmp_path):
    assert_one_line_error(cli("run", "--no-tui", str(tmp_path)), "directory")


def test_missing_module(tmp_path):
    assert_one_line_error(cli("run", "--no-tui", "-m", "no_such_module_xyz", cwd=tmp_path),
                          "no module named")


def test_no_script_given():
    assert_one_line_error(cli("run", "--no-tui"), "no script given")


def test_trace_given_as_script_gets_a_hint(tmp_path):
    t = tmp_path / "t.txt"
    t.write_text('{"ev":"header","format":"tfsess-trace","version":1}\n')
    assert_one_line_error(cli("run", "--no-tui", str(t)), "replay")


def test_unwritable_trace_path_fails_before_the_script_starts(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("print('ran')\n")
    p = cli("run", "--no-tui", "-o", str(tmp_path / "no" / "dir" / "t.jsonl"), str(script))
    assert_one_line_error(p, "cannot write the trace")
    assert "ran" not in p.stdout


@pytest.mark.parametrize("content,words", [
    (b"", "empty"),
    (b"\x00\x01\x02garbage\xff\xfe", "not a tfsess-inspect trace"),
    (b'{"some": "json"}\n', "not a tfsess-inspect trace"),
    (b'{"ev":"header","format":"tfsess-trace","version":99}\n', "newer"),
    (b"\xff\xfe\xfa not utf8\n", "not a tfsess-inspect trace"),
])
def test_report_rejects_what_is_not_a_trace(tmp_path, content, words):
    t = tmp_path / "bad.jsonl"
    t.write_bytes(content)
    assert_one_line_error(cli("report", str(t)), words)


def test_report_on_missing_file_and_directory(tmp_path):
    assert_one_line_error(cli("report", str(tmp_path / "missing.jsonl")), "no such file")
    assert_one_line_error(cli("report", str(tmp_path)), "directory")


def test_report_reads_a_trace_cut_mid_line_and_says_so(tmp_path):
    t = tmp_path / "cut.jsonl"
    t.write_text(
        '{"ev":"header","format":"tfsess-trace","version":1,"pid":1,"script":"s.py","argv":[]}\n'
        '{"ev":"site","pid":1,"id":1,"file":"/s.py","line":3,"func":"f","stack":[]}\n'
        '{"ev":"sess","pid":1,"s":1,"ts":1,"kind":"Session","target":"","graph":1,"site":1,"th":1}\n'
        '{"ev":"run","s":1,"ts":2,"dur":1,"k":"run","site":1,"fs":0,"th":1,"pid":1}\n'
        '{"ev":"run","s":1,"ts":3,"du'
    )
    p = cli("report", str(t), "--format", "json")
    assert p.returncode == 0
    report = json.loads(p.stdout)
    assert report["cut"] is True and report["runs"] == 1
    text = cli("report", str(t))
    assert "cut" in text.stdout


@pytest.mark.parametrize("content,words", [
    (b"", "empty"),
    (b"\x00\x01binary", "not a tfsess-inspect trace"),
    (b'{"ev":"header","format":"tfsess-trace","version":7}\n', "newer"),
])
def test_replay_rejects_what_is_not_a_trace_before_opening_the_app(tmp_path, content, words):
    t = tmp_path / "bad.jsonl"
    t.write_bytes(content)
    assert_one_line_error(cli("replay", str(t)), words)
    # A .jsonl argument means replay too.
    assert_one_line_error(cli(str(t)), words)


def test_replay_without_tensorflow_does_not_import_it(tmp_path):
    """The replay path (CLI, analysis, app modules) imports no TensorFlow."""
    code = (
        "import sys; sys.modules['tensorflow'] = None\n"
        "import inspector.cli, inspector.commands.replay, inspector.tui.replay, inspector.tui.app\n"
        "print('tensorflow' in [m.split('.')[0] for m in sys.modules if sys.modules[m]])\n"
    )
    p = subprocess.run([sys.executable, "-c", code], env={**ENV, "PYTHONPATH": str(REPO)},
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "False"
