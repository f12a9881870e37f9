"""The live view takes the recorder's flags too: `--memory-interval 0` there leaves only
the readings taken at each session's creation and close."""

from __future__ import annotations

import asyncio
import json

from inspector.tui.app import InspectorApp
from inspector.tui.sources import LiveScript
from tests.helpers import REPO


def test_live_view_passes_memory_interval_to_the_agent(tmp_path):
    trace = tmp_path / "live.jsonl"
    source = LiveScript(str(REPO / "examples" / "run_after_close.py"), [], str(trace),
                        memory_interval=0)
    app = InspectorApp(source)

    async def go():
        async with app.run_test() as pilot:
            for _ in range(600):
                if app.view.final:
                    break
                await pilot.pause(0.05)
            assert app.view.final

    asyncio.run(go())
    assert source.wait(timeout=30) == 0
    mem = [json.loads(line) for line in trace.read_text().splitlines() if line.startswith('{"ev":"mem"')]
    assert mem and all(m.get("at") in ("sess", "close") for m in mem)
