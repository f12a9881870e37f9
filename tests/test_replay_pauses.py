"""What keeps replay's keys free of pauses that are not theirs: full garbage collections
run between keys (inspector/tui/collector.py), and frames are drawn up to FRAME_RATE
times a second. Real recorded trace, real app; the gc state is the process's own, so
each test checks it is given back."""

from __future__ import annotations

import gc

from inspector.tui import collector
from inspector.tui.app import FRAME_RATE, InspectorApp
from inspector.tui.sources import TraceFile
from tests.test_replay_tui import run, traces  # noqa: F401  (the recorded traces)
from tests.test_tui_app import SIZE, loaded


def test_collect_if_due_runs_a_full_collection_only_when_one_is_due():
    before = collector.hold_full_collections()
    try:
        assert gc.get_threshold()[2] > 1_000_000
        gc.collect()
        assert gc.get_count()[2] == 0
        assert collector.collect_if_due() is False
        for _ in range(collector.FULL_EVERY):
            gc.collect(1)  # (each one counts towards the next full collection)
        assert gc.get_count()[2] >= collector.FULL_EVERY
        assert collector.collect_if_due() is True
        assert gc.get_count()[2] == 0
    finally:
        collector.release(before)
    assert gc.get_threshold() == before


def test_replay_holds_full_collections_and_gives_them_back_on_exit(traces):  # noqa: F811
    before = gc.get_threshold()

    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert gc.get_threshold()[2] > 1_000_000  # the interpreter starts none itself
            for _ in range(collector.FULL_EVERY):
                gc.collect(1)
            await pilot.pause(collector.CHECK_INTERVAL * 3)
            assert gc.get_count()[2] < collector.FULL_EVERY  # the app's timer ran one
            # The screen draws up to FRAME_RATE frames a second, not Textual's 60.
            assert app.screen._update_timer._interval == 1 / FRAME_RATE
        assert gc.get_threshold() == before

    run(go)
