"""Issue 15 (the first hour, tried as a new user would), the app's part: the words
follow the state, the keys of the mode the user is in, a script that dies before any
session, marks that are not colour only, and the display papercuts.

The traces are recorded once per module from real scripts with the real agent.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys

import pytest

from inspector.analysis.model import Leaf
from inspector.tui.app import InspectorApp
from inspector.tui.detail_pane import DetailPane, _leaf
from inspector.tui.events_table import EventsTable
from inspector.tui.findings_panel import FindingsPanel
from inspector.tui.help_screen import HelpScreen
from inspector.tui.key_footer import KeyFooter
from inspector.tui.source_pane import SourceView
from inspector.tui.sources import LiveScript, TraceFile
from inspector.tui.status_bar import StatusBar
from inspector.tui.timeline import Timeline
from tests.test_tui_app import loaded, text_of, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SEED = os.path.join(REPO, "examples", "seed_run_after_close.py")
SIZE = (160, 40)
TWO_SESSIONS = os.path.join(HERE, "tui_scripts", "two_sessions.py")
TWO_SESSIONS_TRACE = os.path.join(HERE, "tui_scripts", "two_sessions.trace.jsonl")
LEAK = os.path.join(HERE, "tui_scripts", "leak_and_as_default.py")


def record(script: str, out: str, *, check: bool = True) -> str:
    subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", out, script],
                   cwd=REPO, check=check, capture_output=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> str:
    """examples/seed_run_after_close.py recorded once (run-after-close and
    eager-in-session on line 20, the session created on 16 and closed on 17)."""
    return record(SEED, str(tmp_path_factory.mktemp("seed") / "seed.jsonl"))


def source_row(code: SourceView, number: int) -> str:
    """The text drawn for source line `number` (scrolled into view)."""
    top = int(code.scroll_offset.y)
    y = len(code.title_lines) + len(code.pins) + number - 1 - top
    assert 0 <= y < code.size.height, "line not in view"
    return code.render_line(y).text


def test_the_failing_line_has_a_gutter_mark_and_a_note_not_only_a_colour(seed):
    async def go():
        app = InspectorApp(TraceFile(seed))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            code = app.query_one(SourceView)
            assert app.view.findings[0].kind == "run-after-close" and code.line == 20
            row = source_row(code, 20)
            assert row.startswith("!") and row.rstrip().endswith("◀ run-after-close")
            assert code.marks[20].note == "run-after-close"

    asyncio.run(go())


def test_the_sessions_marks_stay_on_the_eager_in_session_finding(seed):
    async def go():
        app = InspectorApp(TraceFile(seed))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("n")
            await wait_for(pilot, lambda: app.finding_index == 1 and not app._panes_pending)
            code = app.query_one(SourceView)
            assert app.view.findings[1].kind == "eager-in-session"
            assert code.marks[16].symbol == "+" and code.marks[17].symbol == "×"
            assert "◀ Session #1 closed" in source_row(code, 17)
            assert source_row(code, 20).rstrip().endswith("◀ eager-in-session")

    asyncio.run(go())


@pytest.fixture(scope="module")
def early_deaths(tmp_path_factory) -> dict[str, str]:
    """Scripts that die before any session: a syntax error and an import error."""
    tmp = tmp_path_factory.mktemp("dies")
    scripts = {
        "syntax": "import os\nx = 1\ndef f(:\n    pass\n",
        "import": "import os\nimport no_such_module_for_tfsess\nprint('never')\n",
    }
    traces = {}
    for name, text in scripts.items():
        script = tmp / f"{name}_error.py"
        script.write_text(text)
        traces[name] = record(str(script), str(tmp / f"{name}.jsonl"), check=False)
    return traces


async def settled(pilot) -> InspectorApp:
    app = pilot.app
    await wait_for(pilot, lambda: app.view.final and app.query_one(SourceView).line is not None)
    await pilot.pause()
    return app


@pytest.mark.parametrize("kind, line, words", [
    ("import", 2, "ModuleNotFoundError: No module named 'no_such_module_for_tfsess'"),
    ("syntax", 3, "SyntaxError: invalid syntax"),
])
def test_a_script_that_dies_before_any_session_shows_its_failure_on_its_line(
        early_deaths, kind, line, words):
    async def go():
        app = InspectorApp(TraceFile(early_deaths[kind]))
        async with app.run_test(size=SIZE) as pilot:
            await settled(pilot)
            status = " ".join(text_of(app.query_one(StatusBar)).split())
            assert f"the script failed at {kind}_error.py:{line} with {words}" in status
            code = app.query_one(SourceView)
            assert code.line == line and code.error
            assert "the script failed" in code.title_text and words in " ".join(
                code.title_text.split())
            assert source_row(code, line).startswith("!")
            # The big panes say what is true: no "yet" once the script has ended.
            timeline = text_of(app.query_one(Timeline))
            assert "no sessions: the script failed before making one" in timeline
            findings = text_of(app.query_one(FindingsPanel))
            assert "no findings: no session before the failure" in findings
            assert "yet" not in timeline + findings

    asyncio.run(go())


def test_no_yet_once_the_script_has_exited(tmp_path):
    """While the script runs the empty panes say "yet"; once it has exited, what is
    true (here: it made no session)."""
    script = tmp_path / "waits.py"
    flag = tmp_path / "go"
    script.write_text("import os, time\nprint('waiting', flush=True)\n"
                      f"while not os.path.exists({str(flag)!r}):\n    time.sleep(0.02)\n")
    source = LiveScript(str(script), [], str(tmp_path / "w.jsonl"))

    async def go():
        app = InspectorApp(source)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.view.state is not None)
            await pilot.pause()
            assert "no sessions yet" in text_of(app.query_one(Timeline))
            assert "no findings yet" in text_of(app.query_one(FindingsPanel))
            flag.write_text("")
            await wait_for(pilot, lambda: app.view.final and app.exited)
            await pilot.pause()
            timeline = text_of(app.query_one(Timeline))
            findings = text_of(app.query_one(FindingsPanel))
            assert "no sessions: the script made none" in timeline
            assert "no findings: the script made no session" in findings
            assert "yet" not in timeline + findings
            await pilot.press("space")  # no event to play: not "once the script has exited"
            await pilot.pause()
            assert not any("once the script" in n.message for n in app._notifications)

    asyncio.run(go())


def footer_keys(app: InspectorApp) -> list[str]:
    """The footer's keys, left to right, that are fully on screen."""
    footer = app.query_one(KeyFooter)
    keys = [k for k in footer.query("FooterKey") if "-command-palette" not in k.classes]
    palette = [k for k in footer.query("FooterKey") if "-command-palette" in k.classes]
    right = palette[0].region.x if palette else footer.region.right
    return [k.key for k in keys if k.region.width and k.region.right <= right]


def test_the_replay_footer_shows_the_replay_keys_first_and_no_live_keys(seed):
    async def go():
        app = InspectorApp(TraceFile(seed))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.pause()
            keys = footer_keys(app)
            assert keys[:3] == ["space", "full_stop", "t"]
            assert {"n", "N", "question_mark", "q"} <= set(keys)
            assert "ctrl+c" not in keys and "f" not in keys

    asyncio.run(go())


def test_help_groups_the_keys_by_mode_and_the_palette_names_keys_as_typed(seed):
    async def go():
        app = InspectorApp(TraceFile(seed))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            text = app.screen.markdown
            # The mode the user is in first (a replay: post-mortem), then both, then live.
            post = text.index("## Post-mortem")
            both = text.index("## Keys (in both modes)")
            live = text.index("## Live")
            assert post < both < live and "(you are here)" in text[post:both]
            for key in ("`ctrl+c`  Stop script", "`f`  Follow"):
                assert live < text.index(key)
            for key in ("`space`  Play/pause", "`t`  Go to", "`.`  Step", "`>`  Faster"):
                assert post < text.index(key) < both
            assert "`-` it stopped being the default" in " ".join(text.split())  # gutter legend
            await pilot.press("escape")
            hints = [c.help for c in app.get_system_commands(app.screen)]
            assert "key: >" in hints and "key: space" in hints
            assert not any("_sign" in h or "full_stop" in h for h in hints)

    asyncio.run(go())


def test_the_live_footer_follows_the_mode_and_post_mortem_keys_work_after_exit(tmp_path):
    source = LiveScript(TWO_SESSIONS, [], str(tmp_path / "live.jsonl"))

    async def go():
        app = InspectorApp(source)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app._q(KeyFooter).query("FooterKey"))
            await pilot.pause()
            if not app.exited:  # (TensorFlow's import leaves ample time to look)
                keys = footer_keys(app)
                assert keys[0] == "ctrl+c" and "f" in keys and "space" not in keys
                await pilot.press("space")  # not silently nothing: it says when it works
                await pilot.pause()
                if not app.exited:
                    assert any("once the script has exited" in n.message
                               for n in app._notifications)
            await wait_for(pilot, lambda: app.exited and app.view.final, timeout=120)
            await wait_for(pilot, lambda: "space" in footer_keys(app))
            keys = footer_keys(app)
            assert keys[:3] == ["space", "full_stop", "t"] and "f" not in keys
            assert app.playhead is None
            selected = app.selected_ref
            await pilot.press("full_stop")  # the first playhead key starts a playhead
            await pilot.pause()
            assert app.playhead is not None
            assert app.view.rows[app.playhead] != selected  # one step on from the selection
            await pilot.press("G")
            assert app.playhead == len(app.view.rows) - 1

    asyncio.run(go())


@pytest.fixture(scope="module")
def leak(tmp_path_factory) -> str:
    """tests/tui_scripts/leak_and_as_default.py recorded once: an op fetched on line 16,
    the `with sess.as_default():` block of line 17, no-default-session on line 20 (an
    error) and session-leak (a warning)."""
    return record(LEAK, str(tmp_path_factory.mktemp("leak") / "leak.jsonl"))


TICK = re.compile(r"┴(\d+(\.\d+)?)(s|ms|µs|ns)$")  # (digits counted below)


def axis_text(timeline: Timeline) -> str:
    return timeline.render_line(timeline.content_rows() - 1).text


def test_the_time_axis_fits_its_units_to_the_span_and_the_marker_hides_no_digit(seed):
    async def go():
        app = InspectorApp(TraceFile(seed))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            timeline = app.query_one(Timeline)
            start, end = timeline.span()
            assert end - start < 5e6  # (the seed's one session lives well under 5 ms)
            axis = axis_text(timeline)
            ticks = re.findall(r"┴\S*", axis)
            assert len(ticks) >= 3 and all(TICK.match(t) for t in ticks), axis
            assert all(sum(ch.isdigit() for ch in t) <= 3 for t in ticks), axis
            # Late in the run: ticks count from an origin the label column gives.
            assert re.search(r"\d+\.\d+s \+", axis), axis
            # The selection's ▲, wherever it falls, never overwrites a tick's label.
            for i in range(200):
                timeline.selected_ts = int(start + (end - start) * i / 200)
                axis = axis_text(timeline)
                assert "▲" in axis
                assert all(TICK.match(t) for t in re.findall(r"┴\S*", axis)), axis

    asyncio.run(go())


def test_panning_with_no_zoom_does_not_say_zoom(seed):
    async def go():
        app = InspectorApp(TraceFile(seed))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            timeline = app.query_one(Timeline)
            app.focus_pane("timeline")
            await pilot.press("l", "right", "h")
            assert timeline.window is None and "zoom" not in axis_text(timeline)
            await pilot.press("plus")
            assert timeline.window is not None and "zoom" in axis_text(timeline)

    asyncio.run(go())


def test_pinned_source_lines_line_up_with_the_code(monkeypatch):
    monkeypatch.chdir(os.path.dirname(TWO_SESSIONS_TRACE))

    async def go():
        app = InspectorApp(TraceFile(os.path.basename(TWO_SESSIONS_TRACE)))
        async with app.run_test(size=(80, 24)) as pilot:
            await loaded(pilot)
            await pilot.press("n")
            await wait_for(pilot, lambda: app.finding_index == 1 and not app._panes_pending)
            code = app.query_one(SourceView)
            assert code.pins, "the second finding's session lines are out of view"
            top = len(code.title_lines)
            pinned = [code.render_line(top + i).text for i in range(len(code.pins))]
            shown = code.render_line(top + len(code.pins) + 1).text
            for row in pinned:
                assert row.index("│") == shown.index("│"), (row, shown)
                assert re.match(r"^\S+ +\d+ │", row), row

    asyncio.run(go())


def test_an_op_fetch_is_said_to_be_an_op():
    text = _leaf(Leaf("GradientDescent", None, None, 1, "op"))
    assert "? ?" not in text and "  op  " in text


def test_the_status_bar_counts_warnings_as_it_counts_errors_and_with_ends_are_worded(leak):
    async def go():
        app = InspectorApp(TraceFile(leak))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            status = " ".join(text_of(app.query_one(StatusBar)).split())
            assert "findings 2 (1 error, 1 warning)" in status
            # The no-default-session finding: the block's end is at its `with` line.
            kinds = [f.kind for f in app.view.findings]
            app.choose_finding(kinds.index("no-default-session"))
            await wait_for(pilot, lambda: not app._panes_pending)
            code = app.query_one(SourceView)
            assert code.line == 20
            assert "the `with` block that starts at line 17 ended" in code.marks[17].note
            # The events table and the detail pane say it the same way.
            table = app.query_one(EventsTable)
            exits = [r for r in table.rows if r < 0 and app.view.info(r).kind == "exit"]
            assert exits
            row = table._render_row(app.view.info(exits[0]), 120, False).text
            assert "`with` block from line 17 ended" in row
            # The op fetched on line 16: `op`, not `? ?`.
            runs = [r for r in table.rows if r >= 0 and app.view.info(r).site.line == 16]
            table.select_ref(runs[0])
            await wait_for(pilot, lambda: app.selected_ref == runs[0] and not app._panes_pending)
            detail = " ".join(text_of(app.query_one(DetailPane)).split())
            assert "nothing op [graph" in detail and "? ?" not in detail

    asyncio.run(go())


def _state(header: dict, events: list[dict]):
    from inspector.analysis.state import StateBuilder

    builder = StateBuilder(header)
    for ev in events:
        builder.feed(ev)
    return builder.state


def test_script_failure_reads_the_exception_and_a_syntax_errors_line():
    from inspector.analysis.script_failure import script_failure

    header = {"ev": "header", "format": "tfsess-trace", "version": 1, "pid": 1,
              "t0_mono_ns": 0, "cwd": "/w", "script": "x.py"}
    assert script_failure(_state(header, [{"ev": "script_end", "pid": 1, "ts": 5,
                                           "how": "return", "code": 0}])) is None
    imported = script_failure(_state(header, [
        {"ev": "exc", "pid": 1, "ts": 5, "type": "ModuleNotFoundError",
         "msg": "No module named 'y'", "site": ["/w/x.py", 2, "<module>"]}]))
    assert imported.headline() == ("the script failed at x.py:2 with ModuleNotFoundError: "
                                   "No module named 'y'")
    compiled = script_failure(_state(header, [
        {"ev": "exc", "pid": 1, "ts": 5, "type": "SyntaxError",
         "msg": "invalid syntax (x.py, line 3)"}]))
    assert (compiled.file, compiled.line) == ("/w/x.py", 3)
    elsewhere = script_failure(_state(header, [
        {"ev": "exc", "pid": 1, "ts": 5, "type": "SyntaxError",
         "msg": "invalid syntax (other.py, line 3)"}]))
    assert elsewhere.file is None and elsewhere.headline().startswith(
        "the script failed with SyntaxError")
