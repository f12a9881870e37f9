"""The TUI while a trace grows: following, cut traces, children that die or are stopped."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time

import pytest
from textual.geometry import Region

from inspector.tui.app import InspectorApp
from inspector.tui.confirm_screen import ConfirmQuit
from inspector.tui.events_table import EventsTable
from inspector.tui.findings_panel import FindingsPanel
from inspector.tui.output_pane import OutputPane
from inspector.tui.source_pane import LazyLines, SourceView
from inspector.tui.sources import MAX_BATCH_BYTES, LiveScript, TraceFile
from inspector.tui.status_bar import StatusBar
from inspector.tui.timeline import Timeline

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SCRIPTS = os.path.join(HERE, "tui_scripts")
SIZE = (120, 36)


@pytest.fixture(scope="module")
def trace_lines() -> list[bytes]:
    """The lines of two_sessions.py's trace: a real recording kept in the repo (the
    snapshot tests use it too; re-record it with `tfsess-inspect run --no-tui -o
    tests/tui_scripts/two_sessions.trace.jsonl tests/tui_scripts/two_sessions.py` when
    the format changes). test_tui_app.py records afresh, and the live tests below run
    the agent for real."""
    with open(os.path.join(SCRIPTS, "two_sessions.trace.jsonl"), "rb") as fh:
        return fh.read().splitlines(keepends=True)


def text_of(widget) -> str:
    width, height = widget.outer_size
    lines = [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]
    lines += [text_of(child) for child in widget.children if child.display]
    return "\n".join(lines)


async def wait_for(pilot, condition, timeout: float = 10.0) -> float:
    """Wait until `condition()`; return how long it took."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not condition():
        if loop.time() - start > timeout:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.005)
    return loop.time() - start


def status(app) -> str:
    return text_of(app.query_one(StatusBar))


def test_following_shows_events_appended_to_a_growing_trace(trace_lines, tmp_path):
    path = tmp_path / "growing.jsonl"
    runs = [i for i, line in enumerate(trace_lines) if line.startswith((b'{"ev":"run"', b'{"ev":"runerr"'))]
    first_run = runs[0]
    path.write_bytes(b"".join(trace_lines[:first_run]))

    async def go():
        app = InspectorApp(TraceFile(str(path), follow=True))
        async with app.run_test(size=SIZE) as pilot:
            table = app.query_one(EventsTable)
            await wait_for(pilot, lambda: len(app.view.rows) == 1)  # session 1 created
            assert "running" in status(app) or "exited" not in status(app)
            delays = []
            with open(path, "ab") as fh:
                for i, line in enumerate(trace_lines[first_run:], start=first_run):
                    if i in runs:
                        # Cut the line in two writes: half a line is not an event yet.
                        half = len(line) // 2
                        before = len(app.view.state.runs)
                        fh.write(line[:half])
                        fh.flush()
                        await pilot.pause(0.12)
                        assert len(app.view.state.runs) == before
                        fh.write(line[half:])
                        fh.flush()
                        delays.append(await wait_for(
                            pilot, lambda before=before: len(app.view.state.runs) == before + 1))
                        # Following: the newest event is selected and in view (the panes
                        # are redrawn at most every PANE_REFRESH seconds).
                        await wait_for(pilot, lambda: table.cursor == len(table.rows) - 1)
                    else:
                        fh.write(line)
                        fh.flush()
            await wait_for(pilot, lambda: app.view.final)
            assert len(app.view.state.runs) == len(runs)
            # Once the trace ended, the app stays open on the first finding.
            await wait_for(pilot, lambda: app.query_one(SourceView).line == 32)
            assert "exited with code 0" in status(app)
            # An event is on screen well within a second (the target is 100 ms).
            assert sorted(delays)[len(delays) // 2] < 0.5

    asyncio.run(go())


def test_events_arriving_while_the_help_screen_is_open_are_taken_in(trace_lines, tmp_path):
    path = tmp_path / "help.jsonl"
    first_run = next(i for i, ln in enumerate(trace_lines) if ln.startswith(b'{"ev":"run"'))
    path.write_bytes(b"".join(trace_lines[:first_run]))

    async def go():
        app = InspectorApp(TraceFile(str(path), follow=True))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.state is not None)
            await pilot.press("question_mark")
            with open(path, "ab") as fh:
                fh.writelines(trace_lines[first_run:])
            await wait_for(pilot, lambda: app.view.final)
            await pilot.press("escape")
            assert "sessions 2 · runs 9 · findings 4" in status(app)
            # (The trace ended: it is replayed, the panel lists the findings up to the
            # playhead, which is on the first one; at the end, all of them.)
            await pilot.press("G")
            assert app.query_one(FindingsPanel).option_count == 4
            table = app.query_one(EventsTable)
            assert table.virtual_size.height == len(app.view.rows) + 1

    asyncio.run(go())


def test_memory_samples_draw_a_strip_under_the_lanes(trace_lines, tmp_path):
    pytest.importorskip("inspector.analysis.memory")
    events = [json.loads(line) for line in trace_lines[1:]]
    times = [e["ts"] for e in events if e.get("ev") in ("sess", "run", "close")]
    t0, t1 = min(times), max(times)
    mem = [json.dumps({"ev": "mem", "pid": 1, "ts": t0 + k * (t1 - t0) // 9, "dev": "CPU:0",
                       "src": "rss", "cur": (k + 1) << 20, "peak": -1}).encode() + b"\n"
           for k in range(10)]
    lines = [ln for ln in trace_lines if not ln.startswith(b'{"ev":"mem"')]  # (recorded ones)
    end = next(i for i, ln in enumerate(lines) if ln.startswith(b'{"ev":"script_end"'))
    path = tmp_path / "memory.jsonl"
    path.write_bytes(b"".join(lines[:end] + mem + lines[end:]))

    async def go():
        app = InspectorApp(TraceFile(str(path)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.final)
            await pilot.pause()
            timeline = app.query_one(Timeline)
            assert timeline.memory_keys() == [("CPU:0", "rss")]
            strip = timeline.render_line(2).text  # under the two lanes
            assert "CPU:0 rss 10.0 MiB" in strip
            bars = strip[timeline._label_width(timeline.size.width) + 1:]
            assert "▁" in bars and "█" in bars and bars.rstrip()[-1] == "█"

    asyncio.run(go())


def test_hostile_text_in_a_trace_is_drawn_literally_never_as_escapes(trace_lines, tmp_path):
    evil = "[bold red]evil[/bold red]\x1b[2J\x1b]0;title\x07"
    out = []
    for line in trace_lines:
        e = json.loads(line)
        if e.get("ev") == "sess":
            e["kind"] = "Session" + evil
        elif e.get("ev") == "site":
            e["func"] = "f" + evil
        elif e.get("ev") == "runerr":
            e["msg"] = "boom" + evil
        elif e.get("ev") == "out":
            e["text"] = evil + "\n"
        out.append(json.dumps(e).encode() + b"\n")
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"".join(out))

    async def go():
        app = InspectorApp(TraceFile(str(path)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.final and app.selected_ref is not None)
            for key in ("enter", "n", "tab", "tab", "tab"):
                await pilot.press(key)
                drawn = text_of(app.screen)
                assert "\x1b" not in drawn and "\x07" not in drawn
                assert "[bold red]evil[/bold red]␛[2J" in drawn

    asyncio.run(go())


def test_a_long_source_file_is_highlighted_where_it_is_shown(trace_lines, tmp_path):
    pad = 40_000
    out = []
    for line in trace_lines:
        e = json.loads(line)
        if e.get("ev") == "src" and e["file"].endswith("two_sessions.py"):
            e["text"] = "# padding\n" * pad + e["text"]
        elif e.get("ev") == "site" and e["file"].endswith("two_sessions.py"):
            e["line"] += pad
        out.append(json.dumps(e).encode() + b"\n")
    path = tmp_path / "long-source.jsonl"
    path.write_bytes(b"".join(out))

    async def go():
        app = InspectorApp(TraceFile(str(path)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.final and app.selected_ref is not None)
            await pilot.pause()
            code = app.query_one(SourceView)
            assert isinstance(code.lines, LazyLines) and len(code.lines.blocks) <= 3
            assert code.line == pad + 32
            assert "second.run(total)" in text_of(code)

    asyncio.run(go())


def test_survives_a_trace_cut_in_the_middle_of_a_line(trace_lines, tmp_path):
    last_run = max(i for i, line in enumerate(trace_lines) if line.startswith(b'{"ev":"runerr"'))
    cut = b"".join(trace_lines[:last_run]) + trace_lines[last_run][:40]
    path = tmp_path / "cut.jsonl"
    path.write_bytes(cut)

    async def go():
        app = InspectorApp(TraceFile(str(path)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.final)
            await pilot.pause()
            assert app.view.cut
            assert "trace cut mid-line" in status(app)
            assert len(app.view.findings) == 2  # the cut run (two findings) is not there
            await pilot.press("k", "j", "n")
            assert app.selected_ref is not None

    asyncio.run(go())


def test_lines_that_are_not_events_are_counted_in_the_status_bar(trace_lines, tmp_path):
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(trace_lines[0] + b"\x00\xffnot json\n" + b"".join(trace_lines[1:5])
                     + b"[1, 2]\n" + b"".join(trace_lines[5:]))

    async def go():
        app = InspectorApp(TraceFile(str(path)))
        async with app.run_test(size=(160, 36)) as pilot:
            await wait_for(pilot, lambda: app.view.final)
            await pilot.pause()
            assert "2 lines skipped" in status(app)
            assert len(app.view.state.runs) == 9  # everything else is there

    asyncio.run(go())


def test_a_line_longer_than_a_read_batch_is_not_taken_for_a_cut(trace_lines, tmp_path):
    big_source = json.dumps({"ev": "src", "pid": 1, "file": "/nowhere/big.py", "sha256": None,
                             "text": "x = 1\n" * 1_000_000}).encode() + b"\n"
    assert len(big_source) > MAX_BATCH_BYTES
    path = tmp_path / "long-line.jsonl"
    path.write_bytes(trace_lines[0] + big_source + b"".join(trace_lines[1:]))

    async def go():
        app = InspectorApp(TraceFile(str(path)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.final)
            assert not app.view.cut
            assert len(app.view.state.runs) == 9 and len(app.view.findings) == 4

    asyncio.run(go())


def test_a_file_that_is_not_a_trace_is_reported_not_fatal(tmp_path):
    path = tmp_path / "not.jsonl"
    path.write_text("hello [bold]world[/bold]\n")

    async def go():
        app = InspectorApp(TraceFile(str(path)))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.problem is not None)
            await pilot.pause()
            assert "not a tfsess-inspect trace" in status(app)
            await pilot.press("j", "n", "s")

    asyncio.run(go())


def live(script: str, tmp_path) -> LiveScript:
    return LiveScript(os.path.join(SCRIPTS, script), [], str(tmp_path / f"{script}.jsonl"))


def test_a_child_that_kills_itself_leaves_the_app_open_with_its_state(tmp_path):
    source = live("dies.py", tmp_path)

    async def go():
        app = InspectorApp(source)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.final and app.exited)
            await pilot.pause()
            assert "killed by SIGKILL" in status(app)
            assert "about to die" in app.query_one(OutputPane).lines
            await pilot.press("j", "question_mark", "escape")
            await pilot.press("q")  # nothing runs any more: no question asked
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmQuit)

    asyncio.run(go())
    assert source.exit_code == 128 + signal.SIGKILL


def test_a_child_that_dies_before_its_agent_starts_is_shown_as_exited(tmp_path):
    source = LiveScript(os.path.join(SCRIPTS, "sleeper.py"), [], str(tmp_path / "f.jsonl"),
                        python="/bin/false")  # exits 1 at once: no agent, no header of its own

    async def go():
        app = InspectorApp(source)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.final and app.exited)
            await pilot.pause()
            assert "exited with code 1" in status(app)
            assert "sessions 0 · runs 0 · findings 0" in status(app)
            await pilot.press("j", "n", "s", "o")

    asyncio.run(go())


def test_ctrl_c_stops_the_script_not_the_app_and_a_second_press_quits(tmp_path):
    source = live("sleeper.py", tmp_path)

    async def go():
        app = InspectorApp(source)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: "sleeping" in app.query_one(OutputPane).lines)
            assert "running" in status(app)
            await pilot.press("ctrl+c")
            await wait_for(pilot, lambda: app.exited and app.view.final)
            await pilot.pause()
            assert app.is_running
            assert "exited with code 130" in status(app)
            assert "interrupted" in app.query_one(OutputPane).lines
            await pilot.press("ctrl+c")
            await pilot.pause()
        return app.return_value

    assert asyncio.run(go()) == 130
    assert source.signals_sent == [signal.SIGINT]


def test_q_asks_before_stopping_a_running_script(tmp_path):
    source = live("sleeper.py", tmp_path)

    async def go():
        app = InspectorApp(source)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: "sleeping" in app.query_one(OutputPane).lines)
            await pilot.press("q")
            assert isinstance(app.screen, ConfirmQuit)
            await pilot.press("n")
            assert not isinstance(app.screen, ConfirmQuit) and source.running
            await pilot.press("q")
            await pilot.press("y")
            await pilot.pause()

    asyncio.run(go())
    assert source.wait(5) is not None and not source.running
    assert signal.SIGTERM in source.signals_sent


def test_live_run_shows_a_frame_at_once_and_ends_on_the_first_finding(tmp_path):
    source = live("two_sessions.py", tmp_path)

    async def go():
        started = time.monotonic()
        app = InspectorApp(source)
        async with app.run_test(size=SIZE) as pilot:
            first_frame = time.monotonic() - started
            # The frame is up long before TensorFlow is imported in the child.
            assert app.view.state is None or not app.view.state.tensorflow
            assert any(w in status(app) for w in ("starting", "running"))
            assert first_frame < 2.0
            await wait_for(pilot, lambda: app.view.final and app.exited, timeout=60)
            await wait_for(pilot, lambda: app.query_one(SourceView).line == 32)
            assert "exited with code 0" in status(app)
            assert "sessions 2 · runs 9 · findings 4" in status(app)

    asyncio.run(go())
    assert source.exit_code == 0


def test_the_cli_runs_the_app_in_a_terminal_and_exits_with_the_scripts_code(tmp_path):
    """`tfsess-inspect run script.py` in a pseudo-terminal: the app draws, ctrl+c stops
    the script (the app stays), a second ctrl+c quits with the script's exit code."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    trace = tmp_path / "cli.jsonl"
    cmd = [sys.executable, "-m", "inspector", "run", "-o", str(trace),
           os.path.join("tests", "tui_scripts", "sleeper.py")]
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the CLI
        os.chdir(REPO)
        os.execv(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    screen = b""

    def read_until(needle: bytes, timeout: float) -> bool:
        nonlocal screen
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in screen:
                return True
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    screen += os.read(fd, 65536)
                except OSError:
                    return needle in screen
        return needle in screen

    try:
        assert read_until(b"running", 20), screen[-2000:]
        deadline = time.monotonic() + 20
        while b"sleeping" not in trace.read_bytes():  # the script is in its loop
            assert time.monotonic() < deadline
            read_until(b"\0", 0.05)
        os.write(fd, b"\x03")
        assert read_until(b"exited with code 130", 20)
        assert os.waitpid(pid, os.WNOHANG) == (0, 0)  # the app is still there
        os.write(fd, b"\x03")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            read_until(b"\0", 0.1)  # keep the terminal drained
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
        else:
            raise AssertionError("the app did not quit")
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 130
    assert trace.read_bytes().rstrip().endswith(b'"code":130,"signal":null}')

