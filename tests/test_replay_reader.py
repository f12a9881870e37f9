"""The bulk reader (streaks of successful run lines read as columns, for replay at a
million events) gives exactly what reading line by line gives, whatever the lines."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.analysis.state import StateBuilder
from inspector.trace.reader import RunBatch, TraceTail

HEADER = b'{"ev":"header","format":"tfsess-trace","version":1,"pid":1,"argv":[]}\n'
RUN = b'{"ev":"run","s":%d,"ts":%s,"dur":%s,"k":"run","site":%d,"fs":1,"th":1,"pid":7}\n'

# Lines a streak may hold: the usual one, and ones that look like it but are not of the
# fixed shape (each must be read as a line by itself would be, or counted as bad).
VARIANTS = {
    "ok": lambda i: RUN % (1, b"%d" % (1000 + i), b"%d" % (5 + i % 3), 2),
    "other-session": lambda i: RUN % (2, b"%d" % (1000 + i), b"5", 2),
    "other-site": lambda i: RUN % (1, b"%d" % (1000 + i), b"5", 3),
    "dur-first": lambda i: b'{"ev":"run","s":1,"dur":5,"ts":%d,"k":"run","site":2,"fs":1,"th":1,"pid":7}\n'
    % (1000 + i),
    "two-durs": lambda i: b'{"ev":"run","s":1,"ts":%d,"dur":5,"dur":6,"k":"run","site":2,"fs":1,"th":1,'
    b'"pid":7}\n' % (1000 + i),
    "no-dur": lambda i: b'{"ev":"run","s":1,"ts":%d,"k":"run","site":2,"fs":1,"th":1,"pid":7}\n' % (1000 + i),
    "space": lambda i: b'{"ev":"run","s":1,"ts": %d,"dur":5,"k":"run","site":2,"fs":1,"th":1,"pid":7}\n'
    % (1000 + i),
    "zeros": lambda i: RUN % (1, b"00%d" % (1000 + i), b"5", 2),
    "huge": lambda i: RUN % (1, b"9" * 19, b"5", 2),
    "fits-19": lambda i: RUN % (1, b"1" + b"0" * 18, b"5", 2),
    "empty-ts": lambda i: RUN % (1, b"", b"5", 2),
    "negative": lambda i: RUN % (1, b"-%d" % (1000 + i), b"5", 2),
    "extra": lambda i: b'{"ev":"run","s":1,"ts":%d,"dur":5,"k":"run","site":2,"fs":1,"th":1,"pid":7,'
    b'"new":1}\n' % (1000 + i),
    "semicolon": lambda i: b'{"ev":"run","s":1,"ts":%d;5,"k":"run","site":2,"fs":1,"th":1,"pid":7}\n' % i,
    "cut-in-two": lambda i: b'{"ev":"run","s":1,"ts":%d,"dur"\n:5,"k":"run","site":2,"fs":1,"th":1,"pid":7}\n'
    % (1000 + i),
    "crlf": lambda i: RUN[:-1] % (1, b"%d" % (1000 + i), b"5", 2) + b"\r\n",
    "close": lambda i: b'{"ev":"close","pid":7,"s":1,"ts":%d,"how":"explicit","site":2,"th":1}\n' % i,
}


def read(data: bytes, bulk: bool, chunk: int):
    tail = TraceTail("x", bulk_runs=bulk)
    builder = None
    batches = 0
    for i in range(0, len(data) + 1, chunk):
        events = tail.feed(data[i:i + chunk], final=i + chunk >= len(data))
        batches += sum(isinstance(e, RunBatch) for e in events)
        if builder is None and tail.header is not None:
            builder = StateBuilder(tail.header)
        if builder is not None:
            builder.feed_all(events)
    st_ = builder.state
    runs = [(r.index, r.session, r.kind, r.ts, r.dur, r.site.id, r.fetch.id, r.thread, r.pid, r.ok)
            for r in st_.runs]
    return runs, st_.event_count, st_.last_ts, tail.bad_lines, len(st_.lifecycle), batches


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted(VARIANTS)), max_size=40),
       st.integers(min_value=1, max_value=4000))
def test_streaks_read_in_bulk_give_what_line_by_line_reading_gives(kinds, chunk):
    sess = b'{"ev":"sess","pid":7,"s":1,"ts":0,"kind":"Session","target":"","graph":1,"site":2,"th":1}\n'
    data = HEADER + sess + b"".join(VARIANTS[k](i) for i, k in enumerate(kinds))
    one_by_one = read(data, False, chunk)
    bulk = read(data, True, chunk)
    assert bulk[:5] == one_by_one[:5]


def test_a_long_training_loop_is_read_as_a_few_column_batches():
    lines = [RUN % (1, b"%d" % (10_000 + 7 * i), b"%d" % (3 + i % 5), 2) for i in range(5000)]
    data = HEADER + b"".join(lines)
    runs, count, last_ts, bad, _, batches = read(data, True, len(data))
    assert batches == 1 and bad == 0 and count == 5000
    assert [r[3] for r in runs] == [10_000 + 7 * i for i in range(5000)]
    assert [r[4] for r in runs] == [3 + i % 5 for i in range(5000)]
    assert last_ts == max(10_000 + 7 * i + 3 + i % 5 for i in range(5000))
    assert read(data, False, len(data))[:4] == (runs, count, last_ts, bad)


def test_a_long_streak_that_starts_otherwise_is_still_read_in_bulk_and_the_same():
    ok, other = VARIANTS["ok"], VARIANTS["other-site"]
    layouts = {
        "others then a loop": [other(i) for i in range(30)] + [ok(i) for i in range(30, 3000)],
        "a loop then others": [ok(i) for i in range(2970)] + [other(i) for i in range(2970, 3000)],
        "alternating": [(ok if i % 2 else other)(i) for i in range(3000)],
        "one odd line in a loop": [VARIANTS["dur-first"](i) if i == 1700 else ok(i) for i in range(3000)],
        "one bad line in a loop": [b"{nope\n" if i == 2100 else ok(i) for i in range(3000)],
        "a field after pid throughout": [VARIANTS["extra"](i) for i in range(3000)],
        "a loop, then fields after pid": [ok(i) for i in range(1500)]
        + [VARIANTS["extra"](i) for i in range(1500, 3000)],
    }
    for name, lines in layouts.items():
        data = HEADER + b"".join(lines)
        bulk, one_by_one = read(data, True, len(data)), read(data, False, len(data))
        assert bulk[:5] == one_by_one[:5], name
        if name == "others then a loop":
            assert bulk[5] >= 2  # the loop's part is its own batch(es)
