"""Streaks of successful `run` lines (version-1 traces, and the pipe fallback's lines) read
in bulk into RunBatch columns: a training loop's lines by a few bytes passes over the
whole streak, mixed ones by one regular expression match a line (reader.py finds the
streaks; anything not of the fixed shape goes back to it, to json)."""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Callable
from typing import Any

from inspector.trace.run_batch import RunBatch

# Successful run lines are most of a trace and have a fixed shape (docs/trace-format.md):
# matching that shape costs half of json.loads. Anything else goes through json.
RUN_OK = re.compile(
    rb'\{"ev":"run","s":(\d{1,18}),"ts":(\d{1,18}),"dur":(\d{1,18}),"k":"([a-z_-]+)",'
    rb'"site":(\d{1,18}),"fs":(\d{1,18}),"th":(\d{1,18}),"pid":(\d{1,18})\}\r?$'
)


# (At most 18 digits: the numbers must fit the analysis' 64-bit columns.)
_RUN_OK_LINES = re.compile(
    rb'^\{"ev":"run","s":(\d{1,18}),"ts":(\d{1,18}),"dur":(\d{1,18}),("k":"[a-z_-]+",'
    rb'"site":\d{1,18},"fs":\d{1,18},"th":\d{1,18},"pid":\d{1,18})\}\r?$',
    re.M,
)
# The part of a run line after dur: its kind, call site, fetch summary, thread and pid.
_TAIL = re.compile(rb',("k":"[a-z_-]+","site":\d{1,18},"fs":\d{1,18},"th":\d{1,18},'
                   rb'"pid":\d{1,18})\}\r?')
_DIGITS = b"0123456789"
_NOT_NUMBERS = bytes(sorted(set(range(256)) - set(b"0123456789,\n")))


def _uniform_batch(region: bytes, n: int) -> RunBatch | None:
    """`region`: n run lines (each ending in a newline). When every line is the first
    one but for its ts and dur (one session, one call site: a training loop), the
    columns come from a few passes of bytes operations over the whole region, with no
    work per line in Python. None when the lines differ in anything else."""
    first = region[: region.find(b"\n")]
    m = RUN_OK.match(first)  # the first line is of the fixed shape ...
    if m is None:
        return None
    i, j = first.find(b',"ts":'), first.find(b',"k":')
    head, tail = first[: i + 6], first[j:]
    # A few lines through the region first: lines that differ are usually found there
    # without a pass over all of it.
    size = len(region)
    for at in (size // 4, size // 2, 3 * size // 4, size - 1):
        start = region.rfind(b"\n", 0, at) + 1
        end = region.find(b"\n", start)
        if not (region.startswith(head, start) and region.endswith(tail, start, end)):
            return None
    # ... every line has its characters other than digits (the skeleton) ...
    if region.translate(None, _DIGITS) != (first.translate(None, _DIGITS) + b"\n") * n:
        return None
    # ... and the same digits before ts and after dur: with only digits, commas and
    # newlines kept, a line is `,S,T,D,,SITE,FS,TH,PID` and where one line ends and the
    # next begins reads the same throughout (a newline is never inside a line).
    c_head, c_tail = head.translate(None, _NOT_NUMBERS), tail.translate(None, _NOT_NUMBERS)
    compact = region.translate(None, _NOT_NUMBERS)
    joint = c_tail + b"\n" + c_head
    if compact.count(joint) != n - 1:
        return None
    mid = compact[len(c_head): len(compact) - len(c_tail) - 1].replace(joint, b",")
    try:  # `T,D,T,D,...`: JSON numbers, read in C
        values = array("q", json.loads(b"[" + mid + b"]"))
    except (ValueError, OverflowError):  # an empty number, leading zeros, too big
        return None
    if len(values) != 2 * n:
        return None
    sid = int(m[1])
    return RunBatch(array("q", [sid]) * n, values[0::2], values[1::2], [_TAIL.fullmatch(tail)[1]],
                    array("i", [0]) * n, sid)


def _mixed_batch(region: bytes, n: int) -> RunBatch | None:
    """Run lines of several sessions or call sites: one regular-expression match each."""
    matches = _RUN_OK_LINES.findall(region)
    if len(matches) != n:
        return None  # some line is not of the fixed shape: parse them one by one
    sessions, ts, dur, rests = zip(*matches, strict=True)
    session_of = {s: int(s) for s in set(sessions)}
    codes = {r: k for k, r in enumerate(set(rests))}
    one = session_of[sessions[0]] if len(session_of) == 1 else None
    return RunBatch(array("q", map(session_of.__getitem__, sessions)), array("q", map(int, ts)),
                    array("q", map(int, dur)), list(codes), array("i", map(codes.__getitem__, rests)),
                    one)


def _line_at(region: bytes, at: int) -> bytes:
    start = region.rfind(b"\n", 0, at) + 1
    return region[start: region.find(b"\n", start)]


def run_batches(region: bytes, n: int, out: list[Any],
                 one_by_one: Callable[[bytes], None]) -> None:
    """Append to `out` the batches of a streak of n run lines: all in one if they only
    differ in ts and dur; else, if its first and last lines are of the fixed shape, its
    halves each, down to a few hundred lines (a streak that starts with other runs and
    goes on as a training loop is still mostly read in bulk); else by one regular
    expression match a line; lines not of the fixed shape go to `one_by_one`."""
    if n < 16:
        # A short streak (runs between other lines, as a script printing a line per run
        # makes): a dict per line from one match, as json would give; columns and the
        # bulk passes cost more than they save for a few lines.
        for line in region.splitlines():
            m = RUN_OK.match(line)
            if m is None:
                one_by_one(line + b"\n")
                continue
            s, ts, dur, k, site, fs, th, pid = m.groups()
            out.append({"ev": "run", "s": int(s), "ts": int(ts), "dur": int(dur), "k": k.decode(),
                        "site": int(site), "fs": int(fs), "th": int(th), "pid": int(pid)})
        return
    batch = _uniform_batch(region, n)
    if batch is None:
        first, last = _line_at(region, 0), _line_at(region, len(region) - 1)
        if RUN_OK.match(first) is None:
            one_by_one(region)  # (as a line with fields added after pid: json for them)
            return
        if n >= 512 and RUN_OK.match(last) is not None:
            mid = region.find(b"\n", len(region) // 2) + 1
            k = region.count(b"\n", 0, mid)
            if 0 < k < n:
                run_batches(region[:mid], k, out, one_by_one)
                run_batches(region[mid:], n - k, out, one_by_one)
                return
        batch = _mixed_batch(region, n)
    if batch is None:
        one_by_one(region)
    else:
        out.append(batch)
