"""The trace reader on arbitrary bytes: it returns events or raises TraceError (one line
for the user), never anything else; and a valid trace split anywhere reads the same."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.analysis.state import StateBuilder
from inspector.trace.reader import TraceError, TraceTail, _parse

HEADER = b'{"ev":"header","format":"tfsess-trace","version":1,"pid":1,"argv":[]}\n'


def _read(data: bytes):
    tail = TraceTail("x.jsonl")
    try:
        events = tail.feed(data, final=True)
    except TraceError:
        return None
    builder = StateBuilder(tail.header)
    builder.feed_all(events)  # the analysis must swallow whatever JSON it is given
    return events


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_reader(data):
    _read(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_after_a_valid_header_never_crash_the_reader(data):
    assert _read(HEADER + data) is not None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["ev", "s", "ts", "dur", "k", "site", "fs", "th", "pid",
                                                 "how", "file", "line", "stack", "text", "fetches"]),
                                json_values, max_size=8), max_size=20))
def test_any_json_objects_as_events_never_crash_the_analysis(objs):
    for o in objs:
        o.setdefault("ev", "run")
    data = HEADER + b"".join(json.dumps(o).encode() + b"\n" for o in objs)
    _read(data)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=97))
def test_a_trace_read_in_pieces_gives_the_same_events(cut, step):
    lines = [HEADER] + [
        b'{"ev":"run","s":1,"ts":%d,"dur":5,"k":"run","site":1,"fs":1,"th":1,"pid":1}\n' % i
        for i in range(20)
    ]
    data = b"".join(lines)
    whole = TraceTail("x").feed(data, final=True)
    tail = TraceTail("x")
    got = tail.feed(data[:cut])
    for i in range(cut, len(data), step):
        got += tail.feed(data[i:i + step])
    got += tail.feed(b"", final=True)
    assert got == whole and len(whole) == 20


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["ok", "ok2", "err", "close", "odd", "sess2"]), max_size=60),
       st.integers(min_value=1, max_value=400))
def test_bulk_read_runs_give_the_same_state_as_one_by_one(kinds, chunk):
    """RunBatch (columns for streaks of successful runs) is only a faster way to read."""
    lines = [HEADER,
             b'{"ev":"sess","pid":1,"s":1,"ts":0,"kind":"Session","target":"","graph":1,"site":1,"th":1}\n']
    for i, k in enumerate(kinds):
        if k == "ok":
            lines.append(b'{"ev":"run","s":1,"ts":%d,"dur":5,"k":"run","site":1,"fs":1,"th":1,"pid":1}\n' % i)
        elif k == "ok2":
            lines.append(b'{"ev":"run","s":2,"ts":%d,"dur":7,"k":"eval","site":3,"fs":2,"th":2,"pid":1}\n' % i)
        elif k == "err":
            lines.append(b'{"ev":"runerr","s":1,"ts":%d,"dur":1,"k":"run","site":2,"fs":1,"th":1,"pid":1,'
                         b'"exc":"RuntimeError","msg":"Attempted to use a closed Session."}\n' % i)
        elif k == "close":
            lines.append(b'{"ev":"close","pid":1,"s":1,"ts":%d,"how":"explicit","site":2,"th":1}\n' % i)
        elif k == "odd":  # a run line in another key order: not of the fixed shape
            lines.append(b'{"ev":"run","ts":%d,"s":1,"dur":5,"k":"run","site":1,"fs":1,"th":1,"pid":1}\n' % i)
        else:
            lines.append(b'{"ev":"sess","pid":1,"s":2,"ts":%d,"kind":"Session","target":"","graph":1,'
                         b'"site":1,"th":1}\n' % i)
    data = b"".join(lines)

    def state(bulk: bool):
        tail = TraceTail("x", bulk_runs=bulk)
        builder = None
        for i in range(0, len(data) + 1, chunk):
            events = tail.feed(data[i:i + chunk], final=i + chunk >= len(data))
            if builder is None and tail.header is not None:
                builder = StateBuilder(tail.header)
            if builder is not None:
                builder.feed_all(events)
        return builder.state

    a, b = state(False), state(True)
    assert list(a.runs) == list(b.runs)
    assert a.event_count == b.event_count and a.last_ts == b.last_ts
    assert [(s.id, s.runs, s.errors) for s in a.sessions.values()] == \
        [(s.id, s.runs, s.errors) for s in b.sessions.values()]


def _as_json(line: bytes):
    """What json.loads makes of a line, as the reader keeps it (an event dict or None)."""
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return obj if isinstance(obj, dict) and isinstance(obj.get("ev"), str) else None


@settings(max_examples=500, deadline=None)
@given(st.text(), st.integers(0, 2**40), st.integers(0, 2), st.integers(0, 2**60))
def test_output_lines_are_read_as_json_reads_them(text, pid, fd, ts):
    # The recorder's own shape (inspector/launch/script_process.py): the text json-escaped, UTF-8 raw.
    line = ('{"ev":"out","pid":%d,%s' % (pid, json.dumps(
        {"fd": fd, "ts": ts, "text": text}, ensure_ascii=False, separators=(",", ":"))[1:])
            ).encode("utf-8", "surrogatepass")
    assert _parse(line) == json.loads(line)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([b"\\", b"n", b"\\n", b'"', b"\x00", b"\x1f", b"\x7f", b"\xed\xa0\x80",
                                 b"\xff", b"\xc3\xa9", b"a", b"\\u0041", b"\\\\n"]), max_size=12))
def test_output_lines_with_any_bytes_as_text_read_as_json_reads_them(parts):
    line = b'{"ev":"out","pid":1,"fd":1,"ts":5,"text":"' + b"".join(parts) + b'"}'
    assert _parse(line) == _as_json(line)
