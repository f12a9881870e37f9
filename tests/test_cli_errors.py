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


# -- a huge line, invalid UTF-8 -----------------------------------------------------------

_HEADER = b'{"ev":"header","format":"tfsess-trace","version":1,"pid":1,"script":"s.py","argv":["s.py"]}\n'
_BEFORE = (b'{"ev":"site","pid":1,"id":1,"file":"/s.py","line":3,"func":"f","stack":[]}\n'
           b'{"ev":"sess","pid":1,"s":1,"ts":1,"kind":"Session","target":"","graph":1,"site":1,"th":1}\n'
           b'{"ev":"run","s":1,"ts":2,"dur":1,"k":"run","site":1,"fs":0,"th":1,"pid":1}\n')
_AFTER = (b'{"ev":"run","s":1,"ts":4,"dur":1,"k":"run","site":1,"fs":0,"th":1,"pid":1}\n'
          b'{"ev":"close","pid":1,"s":1,"ts":5,"how":"explicit","site":1,"th":1}\n')
_HUGE = 50 << 20
_BAD_MIDDLES = {
    "huge-garbage-line": b"x" * _HUGE + b"\n",
    "invalid-utf8-out": b'{"ev":"out","pid":1,"fd":1,"ts":3,"text":"\xff\xfe caf\xc3"}\n',
    "invalid-utf8-run": b'{"ev":"run","s":1,"ts":3,"dur":1,"k":"r\xc3\x28","site":1,"fs":0,"th":1,"pid":1}\n',
}


def _bad_trace(tmp_path, middle: bytes):
    t = tmp_path / "bad.jsonl"
    t.write_bytes(_HEADER + _BEFORE + middle + _AFTER)
    return t


def assert_one_warning(p, then: str | None = None):
    """One warning line on stderr (and, for export, the line saying what it wrote)."""
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    if then is not None:
        assert lines[-1].startswith(then), p.stderr
        lines = lines[:-1]
    assert len(lines) == 1 and lines[0].startswith("tfsess-inspect: warning: "), p.stderr
    assert "1 line skipped" in lines[0]


@pytest.mark.parametrize("kind", sorted(_BAD_MIDDLES))
def test_report_and_export_skip_a_line_that_is_not_an_event_with_one_warning(tmp_path, kind):
    t = _bad_trace(tmp_path, _BAD_MIDDLES[kind])
    text = cli("report", str(t))
    assert_one_warning(text)
    assert text.stdout.startswith("tfsess-inspect: sessions 1 · runs 2 ")
    js = cli("report", str(t), "--format", "json")
    assert_one_warning(js)
    assert json.loads(js.stdout)["runs"] == 2
    exp = cli("export", str(t), "-o", str(tmp_path / "out.json"))
    assert_one_warning(exp, then="tfsess-inspect: wrote ")
    runs = [e for e in json.loads((tmp_path / "out.json").read_text())["traceEvents"] if e.get("ph") == "X"]
    assert len(runs) == 2


def test_a_huge_line_is_read_in_bounded_memory(tmp_path):
    """A 50 MB line (an `out` event here, so it is kept) costs a few times its size,
    once: report's peak RSS stays well under what reading it twice or quadratically
    would need."""
    t = _bad_trace(tmp_path, b'{"ev":"out","pid":1,"fd":1,"ts":3,"text":"' + b"y" * _HUGE + b'"}\n')
    code = ("import resource, subprocess, sys\n"
            "p = subprocess.run([sys.executable, '-m', 'inspector', 'report', sys.argv[1]], capture_output=True)\n"
            "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    p = subprocess.run([sys.executable, "-c", code, str(t)], env={**ENV, "PYTHONPATH": str(REPO)},
                       capture_output=True, text=True, timeout=120)
    rc, peak_kib = map(int, p.stdout.split())
    assert rc == 0, p.stderr
    assert peak_kib < 400 * 1024  # ~240 MB here: the line, its str, the parsed text


@pytest.mark.parametrize("cmd", [("report",), ("report", "--format", "json"), ("export",), ("replay",)])
def test_a_huge_first_line_is_not_a_trace(tmp_path, cmd):
    t = tmp_path / "huge.jsonl"
    t.write_bytes(b"z" * _HUGE + b"\n" + _HEADER + _BEFORE)
    assert_one_line_error(cli(cmd[0], str(t), *cmd[1:]), "not a tfsess-inspect trace")


@pytest.mark.parametrize("kind", sorted(_BAD_MIDDLES))
def test_replay_opens_a_trace_with_a_line_that_is_not_an_event(tmp_path, kind):
    import asyncio

    from inspector.tui.app import InspectorApp
    from inspector.tui.sources import TraceFile
    from tests.test_tui_app import SIZE, wait_for

    t = _bad_trace(tmp_path, _BAD_MIDDLES[kind])

    async def go():
        app = InspectorApp(TraceFile(str(t)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.final)
            assert app.view.bad_lines == 1
            assert len(app.view.state.runs) == 2
            await pilot.press("j")
            await pilot.press("G")
        return app.return_code

    assert asyncio.run(go()) in (None, 0)
