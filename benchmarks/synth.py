"""Big traces for the benchmarks, made from a real recording.

`json_lines(trace)`: a recording as JSON lines only (every run a `run` line, the header
without a run file), the form the benchmarks edit. `write_trace(lines, path, n, ...)`:
those lines as a version-2 trace (JSON events + run file, as the agent writes it), with
`n` synthetic runs of the longest-lived session inserted after its last run (later
events shifted in time), optionally each followed by two `out` events.
"""

from __future__ import annotations

import json
import os

from inspector.trace import format as fmt
from inspector.trace.reader import read_trace
from inspector.trace.run_writer import RunFileWriter


def json_lines(trace: str) -> list[bytes]:
    data = read_trace(trace)
    header = {k: v for k, v in data.header.items() if k != "runs"}
    return [(json.dumps(e, separators=(",", ":")) + "\n").encode()
            for e in [header, *data.events]]


def write_trace(lines: list[bytes], path: str, n: int, step: int = 2_000,
                prints: bool = False) -> None:
    events = [json.loads(ln) for ln in lines]
    runs = [i for i, e in enumerate(events) if e.get("ev") == "run"]
    by_session: dict[int, list[int]] = {}
    for i in runs:
        by_session.setdefault(events[i]["s"], []).append(i)
    sid = max(by_session, key=lambda s: len(by_session[s]))
    at = by_session[sid][-1]
    proto = events[at]
    shift = n * step + (2_000 if prints else 0)
    trace_id = os.urandom(16)
    header = dict(events[0], version=fmt.FORMAT_VERSION,
                  runs={"file": os.path.basename(path) + fmt.RUNS_SUFFIX, "id": trace_id.hex(),
                        "record": fmt.RUN_RECORD_SIZE})
    writer = RunFileWriter(path + fmt.RUNS_SUFFIX, trace_id)
    shapes: dict[tuple, int] = {}
    with open(path, "w") as fh:
        fh.write(json.dumps(header, separators=(",", ":")) + "\n")

        def shape_of(e: dict) -> int:
            key = (e["s"], e["k"], e["site"], e["fs"], e["th"])
            if key not in shapes:
                shapes[key] = len(shapes) + 1
                fh.write(json.dumps({"ev": fmt.RUN_SHAPE, "pid": e["pid"], "id": shapes[key],
                                     "s": key[0], "k": key[1], "site": key[2], "fs": key[3],
                                     "th": key[4]}, separators=(",", ":")) + "\n")
            return shapes[key]

        for i, e in enumerate(events[1:], 1):
            if i > at and isinstance(e.get("ts"), int):
                e = dict(e, ts=e["ts"] + shift)
            if e.get("ev") == "run" and "dmem" not in e:
                writer.write(shape_of(e), e["ts"], e["dur"])
            else:
                fh.write(json.dumps(e, separators=(",", ":")) + "\n")
            if i == at:
                shape, base, dur, pid = shape_of(proto), proto["ts"], proto["dur"], proto["pid"]
                write = writer.write
                for k in range(1, n + 1):
                    ts = base + k * step
                    write(shape, ts, min(dur, step // 2))
                    if prints:
                        fh.write('{"ev":"out","pid":%d,"fd":1,"ts":%d,"text":"step %d 2.0"}\n'
                                 '{"ev":"out","pid":%d,"fd":1,"ts":%d,"text":"\\n"}\n'
                                 % (pid, ts + step // 2 + 100, k, pid, ts + step // 2 + 200))
