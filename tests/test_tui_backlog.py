"""The live view under a flood: a trace that grows far faster than the app can draw it
(a script printing a line per run) must not queue up in memory or behind key presses."""

from __future__ import annotations

import asyncio
import os
import re

from textual import events

from inspector.tui.app import InspectorApp
from inspector.tui.events_table import EventsTable
from inspector.tui.sources import TraceFile

HERE = os.path.dirname(os.path.abspath(__file__))
TRACE = os.path.join(HERE, "tui_scripts", "two_sessions.trace.jsonl")
PAIRS = 120_000  # runs, each followed by a line of output: 240,000 events, ~25 MB


def flood(path: str) -> tuple[bytes, bytes, int]:
    """A real recording's opening; then PAIRS (run, out) pairs made from its own lines
    with increasing times, and its end; and the number of runs in both."""
    with open(TRACE, "rb") as fh:
        lines = fh.read().splitlines(keepends=True)
    first_run = next(i for i, ln in enumerate(lines) if ln.startswith(b'{"ev":"run"'))
    run = lines[first_run]
    out = next(ln for ln in lines if ln.startswith(b'{"ev":"out"'))
    end = next(ln for ln in lines if ln.startswith(b'{"ev":"end"'))
    ts = re.compile(rb'"ts":\d+')
    base = int(re.search(rb'"ts":(\d+)', run).group(1))
    body = bytearray()
    for i in range(PAIRS):
        t = b'"ts":%d' % (base + 2000 * i)
        body += ts.sub(t, run, count=1)
        body += ts.sub(b'"ts":%d' % (base + 2000 * i + 1000), out, count=1)
    body += ts.sub(b'"ts":%d' % (base + 2000 * PAIRS), end, count=1)
    opening = b"".join(lines[:first_run])
    return opening, bytes(body), PAIRS + opening.count(b'\n{"ev":"run')


def test_a_flood_stays_bounded_and_keys_are_handled_while_it_is_fed(tmp_path):
    path = str(tmp_path / "flood.jsonl")
    opening, body, runs = flood(path)
    with open(path, "wb") as fh:
        fh.write(opening)

    async def go():
        app = InspectorApp(TraceFile(path, follow=True))
        async with app.run_test(size=(120, 36)) as pilot:
            queued = []  # the app's message queue, sampled while the backlog is fed
            untaken = []  # the inbox's weight, same

            async def sample():
                while not app.view.final:
                    # (Textual's queue is private; its size is what a key waits behind.)
                    queued.append(app._message_queue.qsize())
                    untaken.append(app.inbox._weight)
                    await asyncio.sleep(0.005)

            while app.view.state is None:
                await pilot.pause(0.01)
            # The script goes fast: the whole flood lands at once.
            with open(path, "ab") as fh:
                fh.write(body)
            sampler = asyncio.create_task(sample())
            while len(app.view.state.runs) < 1000:
                await asyncio.sleep(0.001)
            # A key as the terminal sends it, while most of the flood is still to come.
            before = app.focused
            key = events.Key("tab", None)
            key.set_sender(app)
            app._driver.send_message(key)
            while app.focused is before:
                await asyncio.sleep(0.001)
            runs_when_handled = len(app.view.state.runs)
            await sampler
            await pilot.pause(0.3)
            assert len(app.view.state.runs) == runs
            assert runs_when_handled < runs // 2, "the key waited behind the backlog"
            assert max(queued) <= 5, f"messages piled up: {max(queued)}"
            assert max(untaken) <= app.inbox.max_weight + 10_000  # (+ one read)
            # Once fed, the panes show the end: the table follows to the last event.
            table = app.query_one(EventsTable)
            assert table.cursor == len(table.rows) - 1 or not app.follow

    asyncio.run(go())
