"""The pure "as of the playhead" computations (inspector/analysis/playhead.py)."""

from __future__ import annotations

import pytest

from inspector.analysis import playhead as ph
from inspector.analysis.model import UNKNOWN_SITE, Finding, SessionInfo


def sess(event: int, closed: int | None) -> SessionInfo:
    return SessionInfo(id=1, pid=1, kind="Session", target="", graph=1, created_ts=0,
                       created_site=UNKNOWN_SITE, thread=1, event=event, closed_event=closed)


def finding(event: int | None) -> Finding:
    return Finding("k", "error", "f.py", 1, "f", 1, "m", event=event)


def test_a_session_is_open_from_its_creation_to_its_close_event():
    s = sess(3, 10)
    assert [ph.session_phase(s, e) for e in (2, 3, 9, 10, 11)] == \
        ["unborn", "open", "open", "closed", "closed"]
    assert ph.sessions_open_at([s, sess(0, None)], 12) == [sess(0, None)]


def test_runs_and_output_up_to_are_counted_by_bisect():
    assert ph.runs_upto([2, 4, 6, 8], 5) == 2
    assert ph.runs_upto([2, 4, 6, 8], 6) == 3
    assert ph.output_upto([10, 20, 20, 30], 20) == 3


def test_findings_grow_as_the_playhead_passes_them():
    fs = [finding(3), finding(7), finding(None)]
    assert ph.findings_upto(fs, 2) == []
    assert ph.findings_upto(fs, 3) == fs[:1]
    assert ph.findings_upto(fs, 100) == fs[:2]
    assert ph.findings_upto(fs, 100, final=True) == fs


def test_n_and_N_go_to_the_findings_beyond_the_playhead():
    fs = [finding(3), finding(7), finding(7), finding(None)]
    step = ph.finding_step
    # From an event with no finding shown: the first after it, the last before it.
    assert step(fs, 5, False, None, 1) == 1
    assert step(fs, 5, False, None, -1) == 0
    assert step(fs, 3, False, None, -1) is None
    # The playhead moved away from the finding shown last: from the playhead, not from it.
    assert step(fs, 0, False, 2, 1) == 0
    # Two findings about event 7: one after the other, then the leak (about no event).
    assert step(fs, 7, False, 1, 1) == 2
    assert step(fs, 7, False, 2, 1) == 3
    assert step(fs, 7, False, 2, -1) == 1
    assert step(fs, 9, True, 3, -1) == 2
    assert step(fs, 9, True, 3, 1) is None
    assert step(fs, 8, False, None, 1) == 3


def test_step_among_skips_what_is_not_accepted():
    keys = [1, 4, 6, 9]
    assert ph.step_among(keys.__getitem__, 4, 4, 1) == 2
    assert ph.step_among(keys.__getitem__, 4, 4, 1, lambda i: i != 2) == 3
    assert ph.step_among(keys.__getitem__, 4, 4, -1) == 0
    assert ph.step_among(keys.__getitem__, 4, 1, -1) is None


def test_goto_takes_seconds_or_an_event_number():
    assert ph.parse_goto("#12") == ("event", 12)
    assert ph.parse_goto(" 1.5s ") == ("time", 1.5)
    for bad in ("", "#0", "abc", "-1", "nan"):
        with pytest.raises(ValueError):
            ph.parse_goto(bad)
    times = [0, 10, 20, 30]
    assert ph.position_at_time(times.__getitem__, 4, 25) == 2


def test_playback_respects_gaps_and_compresses_long_idle_ones():
    ms = 1_000_000
    times = [0, 100 * ms, 200 * ms, 5_200 * ms, 5_300 * ms]
    t = times.__getitem__
    assert ph.advance(t, 5, 0, 150 * ms) == (1, 50 * ms, 0)
    assert ph.advance(t, 5, 0, 250 * ms)[0] == 2
    # The 5 s gap plays as 1 s, and is reported.
    pos, left, gap = ph.advance(t, 5, 2, 1_050 * ms)
    assert (pos, gap) == (3, 5_000 * ms) and left == 50 * ms
    assert ph.advance(t, 5, 2, 900 * ms)[0] == 2


def test_playback_jumps_many_events_in_one_step():
    n = 1_000_000
    pos, _, _ = ph.advance(lambda i: i * 2000, n, 0, 0.8e9)
    assert pos == 400_000
