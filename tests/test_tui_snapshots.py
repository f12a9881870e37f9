"""Pictures of the main layouts (pytest-textual-snapshot), from a trace recorded once
from tests/tui_scripts/two_sessions.py and kept in the repo, so they only change when
the UI does. Update with `pytest tests/test_tui_snapshots.py --snapshot-update` and
look at the pictures before committing them.
"""

from __future__ import annotations

import os

import pytest

from inspector.tui.app import InspectorApp
from inspector.tui.output_pane import OutputPane
from inspector.tui.sources import TraceFile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tui_scripts")
TRACE = "two_sessions.trace.jsonl"


async def loaded(pilot) -> None:
    """Wait for the whole trace, the selection drawn, and the output pane's width
    (a Log measures its lines in a thread) before the picture is taken."""
    app = pilot.app
    for _ in range(400):
        if app.view.final and app.selected_ref is not None and not app._panes_pending:
            break
        await pilot.pause(0.025)
    output = app.query_one(OutputPane)
    widest = max(len(line) for line in output.lines)
    for _ in range(200):
        if output.virtual_size.width >= widest:
            break
        await pilot.pause(0.025)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.3)


@pytest.fixture
def app(monkeypatch) -> InspectorApp:
    monkeypatch.chdir(HERE)  # the status bar shows the trace path as given: relative
    return InspectorApp(TraceFile(TRACE))


def test_wide_layout_on_the_first_finding(snap_compare, app):
    assert snap_compare(app, terminal_size=(140, 40), run_before=loaded)


async def on_second_finding(pilot) -> None:
    """`n` pressed once the trace is loaded, and its effects settled before the picture
    (pressing through snap_compare took it too early on a loaded machine)."""
    await loaded(pilot)
    app = pilot.app
    first = app.selected_ref
    await pilot.press("n")
    for _ in range(400):
        if app.selected_ref != first and not app._panes_pending:
            break
        await pilot.pause(0.025)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.3)


def test_narrow_layout_on_the_second_finding(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=on_second_finding)
