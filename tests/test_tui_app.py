"""The TUI against a real trace recorded from a real script (TensorFlow, the agent).

One recording per module (TensorFlow's import is the slow part); each test opens
it in the app with `run_test` and drives it from the keyboard.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from textual.geometry import Region

from inspector.tui.app import InspectorApp
from inspector.tui.detail_pane import DetailPane
from inspector.tui.events_table import EventsTable
from inspector.tui.findings_panel import FindingsPanel
from inspector.tui.help_screen import HelpScreen
from inspector.tui.output_pane import OutputPane
from inspector.tui.source_pane import SourcePane, SourceView
from inspector.tui.sources import TraceFile
from inspector.tui.status_bar import StatusBar
from inspector.tui.timeline import Timeline

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SCRIPT = os.path.join(HERE, "tui_scripts", "two_sessions.py")
SIZE = (140, 40)


@pytest.fixture(scope="module")
def trace(tmp_path_factory) -> str:
    """two_sessions.py recorded once, with the real agent and TensorFlow."""
    path = str(tmp_path_factory.mktemp("tui") / "two_sessions.jsonl")
    subprocess.run(
        [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", path, SCRIPT],
        cwd=REPO, check=True, capture_output=True, timeout=120,
    )
    return path


def text_of(widget) -> str:
    """What the widget and its children draw, as plain text (borders included)."""
    width, height = widget.outer_size
    lines = [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]
    lines += [text_of(child) for child in widget.children if child.display]
    return "\n".join(lines)


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)
    await pilot.pause()


async def loaded(pilot) -> InspectorApp:
    app = pilot.app
    await wait_for(pilot, lambda: app.view.final and app.selected_ref is not None)
    return app


def selected_event(app: InspectorApp) -> int:
    return app.view.info(app.selected_ref).index


def test_opens_on_the_first_finding_with_its_line_highlighted(trace):
    async def go():
        app = InspectorApp(TraceFile(trace))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            first = app.view.findings[0]
            assert first.kind == "run-after-close" and first.line == 32
            assert selected_event(app) == first.event
            code = app.query_one(SourceView)
            assert code.line == 32 and code.error
            # Where the session was created and closed (a `with` line: both) is marked.
            assert code.marks[28].symbol == "+×"
            # The whole highlighted line, gutter to edge, is on one distinct background.
            y = 32 - 1 - int(code.scroll_offset.y) + len(code.title_lines)
            strip = code.render_line(y)
            assert "second.run(total)" in strip.text
            backgrounds = {seg.style.bgcolor for seg in strip if seg.style}
            assert len(backgrounds) == 1 and None not in backgrounds
            other = code.render_line(y + 1)
            assert {seg.style.bgcolor for seg in other if seg.style}.isdisjoint(backgrounds)
            # The finding's message is shown above the source.
            title = app.query_one(SourceView).title_text
            flat = " ".join(line.strip(" █") for line in title.splitlines())
            assert "run-after-close" in flat and "used Session #2 after it was closed" in flat
            status = text_of(app.query_one(StatusBar))
            assert "sessions 2 · runs 9 · findings 4" in status
            assert "exited with code 0" in status

    asyncio.run(go())


def test_keys_move_select_and_filter(trace):
    async def go():
        app = InspectorApp(TraceFile(trace))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            table = app.query_one(EventsTable)
            findings = app.view.findings
            start = table.cursor
            await pilot.press("k")
            assert table.cursor == start - 1
            await pilot.press("up", "up")
            assert table.cursor == start - 3
            await pilot.press("j", "down")
            assert table.cursor == start - 1
            assert selected_event(app) == app.view.event_index(table.rows[start - 1])
            # n / N: next and previous finding, the source follows (the first n: the
            # first finding after the playhead, which k moved back).
            await pilot.press("n", "n")
            assert selected_event(app) == findings[1].event
            assert app.query_one(SourceView).line == findings[1].line == 37
            await pilot.press("N")
            assert selected_event(app) == findings[0].event
            # s: one session, then the next, then all again.
            await pilot.press("s")
            assert {app.view.info(r).session for r in table.rows} == {1}
            await pilot.press("s")
            assert {app.view.info(r).session for r in table.rows} == {2}
            await pilot.press("s")
            assert table.filtered is None
            # /: search call sites, fetch names, messages.
            await pilot.press("slash")
            assert app.focused.id == "search"
            await pilot.press(*"a:0", "enter")
            assert len(table.rows) == 1 and app.view.info(table.rows[0]).site.line == 29
            assert "search 'a:0': 1" in text_of(app.query_one(StatusBar))
            await pilot.press("slash", "ctrl+a", "ctrl+k", *"sessions.py:37", "enter")
            assert [app.view.info(r).site.line for r in table.rows] == [37]
            await pilot.press("slash", "ctrl+a", "ctrl+k", *"a:0", "enter")
            await pilot.press("escape")  # clears the search, keeps the selection
            assert table.filtered is None and len(table.rows) == len(app.view.rows)
            assert app.view.info(app.selected_ref).site.line == 29
            # enter: details of the selected event.
            await pilot.press("enter")
            assert app.focused is app.query_one(DetailPane)
            assert "a:0  float32 ()" in app.query_one(DetailPane).text

    asyncio.run(go())


def test_n_goes_through_every_finding_even_two_about_one_run(trace):
    async def go():
        app = InspectorApp(TraceFile(trace))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            findings = app.view.findings
            assert findings[2].event == findings[3].event  # run-after-close, eager-in-session
            seen = []
            for _ in range(len(findings)):
                seen.append(app.finding_index)
                title = app.query_one(SourceView).title_text
                assert findings[app.finding_index].kind in title
                await pilot.press("n")
            assert seen == [0, 1, 2, 3] and app.finding_index == 0  # and round again
            await pilot.press("N", "N")
            assert app.finding_index == 2

    asyncio.run(go())


def test_tab_cycles_panes_and_zoom_changes_the_timeline(trace):
    async def go():
        app = InspectorApp(TraceFile(trace))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            seen = []
            for _ in range(6):
                await pilot.press("tab")
                pane = next(p for p in ("events", "source", "findings", "detail", "output",
                                        "timeline")
                            if app.focused is app.query_one(f"#{p}")
                            or app.query_one(f"#{p}") in app.focused.ancestors)
                seen.append(pane)
            assert seen == ["source", "findings", "detail", "output", "timeline", "events"]
            timeline = app.query_one(Timeline)
            full = timeline.span()
            await pilot.press("plus")
            zoomed = timeline.span()
            assert zoomed[1] - zoomed[0] == pytest.approx((full[1] - full[0]) / 2)
            # (In replay `[` `]` step through the session's runs: pan with the
            # timeline's own keys.)
            timeline.focus()
            await pilot.press("left")
            assert timeline.span()[0] < zoomed[0]
            await pilot.press("minus", "minus")
            assert timeline.window is None
            # f: following turns on and goes to the newest event.
            assert not app.follow
            await pilot.press("f")
            assert app.follow and app.query_one(EventsTable).cursor == len(app.view.rows) - 1
            await pilot.press("f")
            assert not app.follow

    asyncio.run(go())


def test_selecting_a_finding_in_the_panel_selects_its_event(trace):
    async def go():
        app = InspectorApp(TraceFile(trace))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("n", "n")  # (replay: the panel lists findings up to the playhead)
            app.query_one(FindingsPanel).focus()
            await pilot.press("up")
            assert selected_event(app) == app.view.findings[1].event
            await pilot.press("k")
            assert selected_event(app) == app.view.findings[0].event

    asyncio.run(go())


def test_clicking_a_lane_selects_that_sessions_nearest_event(trace):
    async def go():
        app = InspectorApp(TraceFile(trace))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            timeline = app.query_one(Timeline)
            label_w = timeline._label_width(timeline.size.width)
            # Offsets count the border: lane 1 is row 1, lane 2 row 2.
            await pilot.click(Timeline, offset=(label_w + 3, 1))  # lane 1, its start
            info = app.view.info(app.selected_ref)
            assert info.session == 1 and info.kind == "sess"
            await pilot.click(Timeline, offset=(timeline.size.width, 2))  # lane 2, its end
            info = app.view.info(app.selected_ref)
            assert info.session == 2 and info.site.line == 32
            # A click on the events table's first row (under the border and header).
            await pilot.click(EventsTable, offset=(5, 2))
            assert app.query_one(EventsTable).cursor == 0

    asyncio.run(go())


def test_o_opens_the_line_in_the_editor(trace, tmp_path, monkeypatch):
    record = tmp_path / "args.txt"
    editor = tmp_path / "editor.py"
    editor.write_text(f"import sys\nopen({str(record)!r}, 'w').write(' '.join(sys.argv[1:]))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)

    async def go():
        app = InspectorApp(TraceFile(trace))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("o")
            await pilot.pause()

    asyncio.run(go())
    assert record.read_text() == f"+32 {SCRIPT}"


def test_help_screen_lists_every_binding_and_q_quits(trace):
    async def go():
        app = InspectorApp(TraceFile(trace))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            for binding in app.BINDINGS:
                assert binding.description in app.screen.markdown
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)
            # The command palette lists our keys too, and runs them.
            titles = {c.title: c for c in app.get_system_commands(app.screen)}
            assert {"Next finding", "Session", "Follow", "Open in $EDITOR"} <= set(titles)
            titles["Session"].callback()
            await pilot.pause()
            assert app.session_filter == 1
            await pilot.press("q")
            await pilot.pause()
            assert app._exit_renderables is not None or not app.is_running

    asyncio.run(go())


def test_markup_and_escapes_in_user_text_are_shown_literally(trace):
    async def go():
        app = InspectorApp(TraceFile(trace))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            pane = app.query_one(OutputPane)
            assert "[bold red]not markup[/bold red] ␛[31mnot red␛[0m" in pane.lines
            assert "[bold red]not markup[/bold red] ␛[31m" in text_of(pane)
            await pilot.press("n")  # the run that fetched "[bold]x[/bold]:0"
            detail = app.query_one(DetailPane).text
            assert "[bold]x[/bold]:0" in detail
            source = text_of(app.query_one(SourcePane))
            assert 'first.run("[bold]x[/bold]:0")' in source

    asyncio.run(go())


def test_narrow_terminal_shows_events_and_one_lower_pane(trace):
    async def go():
        app = InspectorApp(TraceFile(trace))
        async with app.run_test(size=(80, 24)) as pilot:
            await loaded(pilot)
            shown = [p for p in ("source", "findings", "detail", "output")
                     if app.query_one(f"#{p}").display]
            assert shown == ["source"]
            table = app.query_one(EventsTable)
            assert table.cursor >= int(table.scroll_offset.y)  # the selection is in view
            assert "32" in text_of(app.query_one(SourceView))
            await pilot.press("tab", "tab")
            assert [p for p in ("source", "findings", "detail", "output")
                    if app.query_one(f"#{p}").display] == ["findings"]

    asyncio.run(go())
