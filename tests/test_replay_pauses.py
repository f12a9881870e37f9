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


def test_moving_between_events_whose_details_differ_in_height_lays_nothing_out(traces):  # noqa: F811
    """The detail pane, the findings and the output change their content's height
    without a screen-wide layout (TextView, QuietVirtualSize): one layout is 10-20 ms
    of a key's 50 at a million events."""
    from inspector.tui.detail_pane import DetailPane

    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("g")  # the first event: a session created, then its runs
            await pilot.pause(0.2)
            screen = app.screen
            layouts = []
            original = screen._refresh_layout

            def counted(*args, **kwargs):
                layouts.append(app.view.info(app.selected_ref).kind)
                return original(*args, **kwargs)

            screen._refresh_layout = counted
            heights = set()
            for _ in range(10):
                await pilot.press("full_stop")
                await pilot.pause(0.1)
                heights.add(app.query_one(DetailPane).line_count)
            assert len(heights) > 1  # (else this would show nothing)
            assert layouts == []

    run(go)


def test_the_go_to_box_floats_over_the_panes_and_leaves_the_footer_be(traces):  # noqa: F811
    """Shown or hidden, the box resizes no pane, and the footer is not rebuilt into it
    and out of it: each of those was a screen layout after a jump."""
    from textual.widgets import Input

    from inspector.tui.events_table import EventsTable
    from inspector.tui.key_footer import KeyFooter

    async def go():
        app = InspectorApp(TraceFile(traces["here"]))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            table, footer = app.query_one(EventsTable), app.query_one(KeyFooter)
            region, keys = table.region, list(footer.query("FooterKey"))
            await pilot.press("t")
            await pilot.pause(0.1)
            assert app.focused is app.query_one("#goto", Input)
            assert table.region == region
            assert list(footer.query("FooterKey")) == keys  # the same widgets: no rebuild
            await pilot.press("#", "3", "enter")
            await pilot.pause(0.1)
            assert app.playhead == 2 and app.focused is table
            assert table.region == region
            assert list(footer.query("FooterKey")) == keys

    run(go)
