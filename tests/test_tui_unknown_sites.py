"""The app says in words where the trace has no place for an event (a session made, run
or dropped by a thread that runs no Python code of the script), as the text report does:
never a `?:0` placeholder in the source pane's title or the detail pane."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from inspector.tui.app import InspectorApp
from inspector.tui.detail_pane import DetailPane
from inspector.tui.source_pane import SourcePane
from inspector.tui.sources import TraceFile
from tests.helpers import REPO, run_recorded
from tests.test_tui_app import SIZE, loaded, text_of

SCRIPT = REPO / "tests" / "scripts" / "unknown_sites.py"
NO_PLACE = "no line of the script on the stack"  # the text report's words (commands/_summary.py)


@pytest.fixture(scope="module")
def trace(tmp_path_factory) -> Path:
    cwd: Path = tmp_path_factory.mktemp("tui-unknown")
    r = run_recorded(SCRIPT, trace=cwd / "unknown.jsonl", cwd=cwd)
    assert r.code == 0, r.stderr[-2000:]
    return r.trace


def test_unknown_places_are_said_in_words_in_the_source_and_detail_panes(trace):
    async def go():
        app = InspectorApp(TraceFile(str(trace)))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)  # on the finding: a run after close at no line
            seen = []
            for _ in range(len(app.view.rows) + 1):
                await pilot.pause()
                source = text_of(app.query_one(SourcePane))
                detail = app.query_one(DetailPane).text
                for text in (source, detail):
                    assert "?:0" not in text and " in ?" not in text, text
                seen.append(source + detail)
                await pilot.press("j")
            assert any(NO_PLACE in text for text in seen)

    asyncio.run(go())
