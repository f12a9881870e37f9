"""Replay's playhead in the app, against real recorded traces.

Two recordings per module, made at the same time: tests/tui_scripts/two_sessions.py
where it is, and a copy of it in a directory that is moved away afterwards.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from inspector.analysis.playhead import session_phase
from inspector.tui.app import InspectorApp
from inspector.tui.events_table import EventsTable
from inspector.tui.findings_panel import FindingsPanel
from inspector.tui.source_pane import SourceView
from inspector.tui.sources import TraceFile
from inspector.tui.status_bar import StatusBar
from inspector.tui.timeline import Timeline
from tests.test_tui_app import SIZE, loaded, text_of, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SCRIPT = os.path.join(HERE, "tui_scripts", "two_sessions.py")


@pytest.fixture(scope="module")
def traces(tmp_path_factory) -> dict[str, str]:
    """{"here": trace of the script in place, "moved": trace of a copy since moved away,
    "moved_script": where the copy was recorded}."""
    tmp = tmp_path_factory.mktemp("replay")
    work = tmp / "work"
    work.mkdir()
    copy = work / "two_sessions.py"
    shutil.copy(SCRIPT, copy)
    jobs = {}
    for name, script in (("here", SCRIPT), ("moved", str(copy))):
        out = str(tmp / f"{name}.jsonl")
        jobs[name] = (out, subprocess.Popen(
            [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", out, script],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for _out, proc in jobs.values():
        assert proc.wait(timeout=120) == 0
    shutil.move(str(work), str(tmp / "elsewhere"))
    return {"here": jobs["here"][0], "moved": jobs["moved"][0], "moved_script": str(copy)}


def status(app) -> str:
    return " ".join(text_of(app.query_one(StatusBar)).split())


def selected_event(app) -> int:
    return app.view.info(app.selected_ref).index


def at(app) -> int:
    """The event index under the playhead."""
    return app.view.event_index(app.view.rows[app.playhead])


async def keys(pilot, *names):
    await pilot.press(*names)
    await pilot.pause()


def run(go):
    asyncio.run(go())


def test_opens_with_the_playhead_on_the_first_finding_and_totals_shown(traces):
    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            first = app.view.findings[0]
            assert at(app) == first.event == selected_event(app)
            assert app.query_one(SourceView).line == 32
            n = len(app.view.rows)
            words = status(app)
            assert "sessions 2 · runs 9 · findings 4" in words
            assert f"event {app.playhead + 1}/{n}" in words and "1 found so far" in words

    run(go)


def test_step_and_edge_keys_move_the_playhead_and_the_selection_follows(traces):
    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            n = len(app.view.rows)
            start = app.playhead
            await keys(pilot, "full_stop")
            assert app.playhead == start + 1 and selected_event(app) == at(app)
            await keys(pilot, "comma", "comma")
            assert app.playhead == start - 1 and selected_event(app) == at(app)
            for key, where in (("g", 0), ("G", n - 1), ("home", 0), ("end", n - 1)):
                await keys(pilot, key)
                assert app.playhead == where and selected_event(app) == at(app), key
                assert f"event {where + 1}/{n}" in status(app)
            # The same keys work with the focus elsewhere (the app's bindings).
            app.query_one(Timeline).focus()
            await keys(pilot, "g")
            assert app.playhead == 0
            await keys(pilot, "full_stop")
            assert app.playhead == 1

    run(go)


def test_brackets_step_through_the_runs_of_the_selected_session(traces):
    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            view = app.view
            await keys(pilot, "g")
            sid = view.info(app.selected_ref).session
            runs = [r for r in view.session_rows[sid] if r >= 0]
            seen = []
            for _ in range(3):
                await keys(pilot, "right_square_bracket")
                seen.append(app.selected_ref)
            assert seen == runs[:3]
            await keys(pilot, "left_square_bracket")
            assert app.selected_ref == runs[1] and at(app) == view.event_index(runs[1])

    run(go)


def test_n_and_N_move_the_playhead_to_findings(traces):
    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            findings = app.view.findings
            await keys(pilot, "n")
            assert at(app) == findings[1].event
            await keys(pilot, "N")
            assert at(app) == findings[0].event

    run(go)


def test_t_goes_to_an_event_number_or_a_time(traces):
    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await keys(pilot, "t")
            assert app.focused.id == "goto"
            await keys(pilot, *"#3", "enter")
            assert app.playhead == 2 and not app.query_one("#goto").display
            target = app._row_ts(5)
            await keys(pilot, "t", *f"{target / 1e9:.9f}", "enter")
            assert app._row_ts(app.playhead) <= target
            assert app.playhead == len(app.view.rows) - 1 or app._row_ts(app.playhead + 1) > target
            await keys(pilot, "t", *"nonsense", "enter")  # a warning, the playhead stays
            assert app._row_ts(app.playhead) <= target

    run(go)


def test_speed_keys_and_space_play_to_the_end(traces):
    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            for key, index in (("3", 2), ("greater_than_sign", 3), ("less_than_sign", 2),
                               ("4", 3), ("2", 1), ("1", 0)):
                await keys(pilot, key)
                assert app.speed_index == index, key
            assert "0.25x" in status(app)
            # 0.25x: the recorded span takes four times as long (a short trace: ~0.1 s).
            n = len(app.view.rows)
            span = (app._row_ts(n - 1) - app._row_ts(0)) / 1e9
            await keys(pilot, "g")
            loop = asyncio.get_running_loop()
            began = loop.time()
            await pilot.press("space")
            await wait_for(pilot, lambda: not app.playing)
            assert app.playhead == n - 1
            assert loop.time() - began >= span * 4 * 0.8
            # space again pauses (pressed twice: playing, then paused where it was).
            await keys(pilot, "g")
            await pilot.press("space", "space")
            assert not app.playing
            paused = app.playhead
            await pilot.pause(0.2)
            assert app.playhead == paused
            await keys(pilot, "g")
            await keys(pilot, "5", "space")
            await wait_for(pilot, lambda: not app.playing)
            assert app.playhead == len(app.view.rows) - 1
            assert app.query_one(FindingsPanel).upto == len(app.view.findings)

    run(go)


def test_state_as_of_the_playhead_sessions_open_until_their_close_findings_grow(traces):
    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            view, st = app.view, app.view.state
            timeline = app.query_one(Timeline)
            second = st.sessions[2]
            close_row = view.row_of_event(second.closed_event)
            open_bg = timeline.get_component_rich_style("timeline--bar-open").bgcolor
            closed_bg = timeline.get_component_rich_style("timeline--bar").bgcolor

            def lane_backgrounds() -> set:
                return {seg.style.bgcolor for seg in timeline.render_line(1) if seg.style}

            app.set_playhead(close_row - 1)
            await pilot.pause()
            assert session_phase(second, at(app)) == "open"
            assert open_bg in lane_backgrounds() and closed_bg not in lane_backgrounds()
            app.set_playhead(close_row)
            await pilot.pause()
            assert closed_bg in lane_backgrounds() and open_bg not in lane_backgrounds()
            # The memory row stops at the playhead's time too (blank after it).
            mem_y = len(st.user_sessions())
            if timeline.memory_keys():
                assert timeline.render_line(mem_y).text.rstrip().endswith(("▁", "▂", "▃", "▄",
                                                                          "▅", "▆", "▇", "█"))
                await keys(pilot, "g")
                assert timeline.render_line(mem_y).text.endswith("  ")
                app.set_playhead(close_row)
                await pilot.pause()
            # Rows after the playhead are dimmed (the table knows where it is).
            assert app.query_one(EventsTable).playhead == second.closed_event
            # Findings so far only grow, from none to all of them.
            counts = []
            await keys(pilot, "g")
            for _ in range(len(view.rows)):
                counts.append(app.query_one(FindingsPanel).upto)
                await keys(pilot, "full_stop")
            assert counts == sorted(counts) and counts[0] == 0
            assert app.query_one(FindingsPanel).upto == len(view.findings) == 4

    run(go)


def shown_findings(app) -> list[int]:
    """The findings the panel lists (their indexes in view.findings)."""
    panel = app.query_one(FindingsPanel)
    opts = [panel.get_option_at_index(i) for i in range(panel.option_count)]
    return [int(o.id) for o in opts if o.id is not None]


def test_the_findings_panel_lists_only_findings_up_to_the_playhead(traces):
    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            findings = app.view.findings
            events = [f.event for f in findings]
            assert len(findings) == 4 and events[2] == events[3]  # two about the last run
            assert shown_findings(app) == [0]  # opened on the first finding
            await keys(pilot, "g")
            assert shown_findings(app) == []
            assert "none up to the playhead" in text_of(app.query_one(FindingsPanel))
            assert "findings 4" in status(app)  # the trace's total stays
            # n from the start: the first finding; then each in turn, both about one event.
            for want in range(4):
                await keys(pilot, "n")
                assert app.finding_index == want and at(app) == events[want]
                assert shown_findings(app) == [i for i in range(4) if events[i] <= events[want]]
            await keys(pilot, "n")  # none after: round again, to the first
            assert app.finding_index == 0 and at(app) == events[0]
            await keys(pilot, "N")  # and back to the last
            assert app.finding_index == 3 and at(app) == events[3]
            await keys(pilot, "N")
            assert app.finding_index == 2 and at(app) == events[2]
            await keys(pilot, "N")
            assert app.finding_index == 1 and at(app) == events[1]
            # The playhead moved back by hand: n goes to the next finding after it.
            app.set_playhead(app.view.row_of_event(events[0]) - 1)
            await pilot.pause()
            assert shown_findings(app) == []
            await keys(pilot, "n")
            assert app.finding_index == 0 and shown_findings(app) == [0]

    run(go)


def test_detail_and_source_say_a_session_is_open_until_the_playhead_passes_its_close(traces):
    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            view = app.view
            first = view.state.sessions[1]
            close_row = view.row_of_event(first.closed_event)
            app.set_playhead(close_row - 1)  # its last run, before close()
            await pilot.pause()
            await pilot.pause()
            made, closed = first.created_site.line, first.closed_site.line
            source = app.query_one(SourceView)
            assert made in source.marks and closed not in source.marks
            detail = " ".join(app.query_one("#detail").text.split())
            assert f"created at two_sessions.py:{made}, open" in detail
            later = next(r for r in range(close_row + 1, len(view.rows))
                         if view.info(view.rows[r]).session == 1)  # a run after close()
            app.set_playhead(later)
            await pilot.pause()
            await pilot.pause()
            assert made in source.marks and closed in source.marks
            detail = " ".join(app.query_one("#detail").text.split())
            assert f"closed (explicit) at two_sessions.py:{closed}" in detail

    run(go)


def test_live_mode_keeps_its_keys_without_a_playhead(traces):
    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        assert not app.check_action("play", ())  # no playhead yet: replay keys hidden
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert app.check_action("play", ())

    run(go)


def test_a_moved_script_is_shown_from_the_trace_and_said_to_be_gone(traces):
    assert not os.path.exists(traces["moved_script"])

    async def go():
        app = InspectorApp(TraceFile(traces["moved"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            code = app.query_one(SourceView)
            assert code.line == 32 and "second.run(total)" in code.lines[31].plain
            assert "not on disk any more" in status(app)

    run(go)


def test_a_changed_script_on_disk_is_noticed(traces, tmp_path):
    os.makedirs(os.path.dirname(traces["moved_script"]), exist_ok=True)
    with open(traces["moved_script"], "w") as fh:
        fh.write("print('something else')\n")
    try:
        async def go():
            app = InspectorApp(TraceFile(traces["moved"]))
            async with app.run_test(size=SIZE) as pilot:
                await loaded(pilot)
                assert "changed on disk since the recording" in status(app)
                assert "second.run(total)" in app.query_one(SourceView).lines[31].plain

        run(go)
    finally:
        shutil.rmtree(os.path.dirname(traces["moved_script"]))


def test_replay_works_where_tensorflow_cannot_be_imported(traces):
    code = textwrap.dedent(f"""
        import asyncio, sys
        sys.modules["tensorflow"] = None  # `import tensorflow` raises ImportError
        sys.path.insert(0, {REPO!r})
        from inspector.tui.app import InspectorApp
        from inspector.tui.sources import TraceFile
        from tests.test_tui_app import loaded, text_of
        from inspector.tui.status_bar import StatusBar

        async def go():
            app = InspectorApp(TraceFile({traces["here"]!r}))
            async with app.run_test(size=(140, 40)) as pilot:
                await loaded(pilot)
                await pilot.press("full_stop", "G")
                print(" ".join(text_of(app.query_one(StatusBar)).split()))
        asyncio.run(go())
        assert sys.modules["tensorflow"] is None
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "sessions 2 · runs 9 · findings 4" in out.stdout
    assert "event " in out.stdout
