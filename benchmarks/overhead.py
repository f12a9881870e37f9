"""Per-run cost of the recorder: a loop of trivial sess.run calls, plain and recorded.

Run by hand: `python benchmarks/overhead.py [--runs 20000] [--rounds 5]`. Two measures:

1. In one recorded process, blocks of 500 runs alternate between the recorded
   `sess.run` and TensorFlow's original, unwrapped `BaseSession.run` on the same session:
   same process, warm caches, interleaved in time, so the machine's noise falls on both
   alike. The recorder's goal (ratio <= 1.10, aim <= 1.03) is judged by this figure.
2. Whole processes, `python loop.py` against `tfsess-inspect run --no-tui loop.py`,
   alternating; noisier on a shared 2-core machine, quoted for completeness.

Medians throughout. Results go into the README.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

LOOP = r"""
import os, sys, time, json
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
tf.compat.v1.disable_eager_execution()
c = tf.constant(1.0) + 1.0
n = int(sys.argv[1])
with tf.compat.v1.Session() as sess:
    for _ in range(2000):
        sess.run(c)
    t = time.perf_counter()
    for _ in range(n):
        sess.run(c)
    dt = time.perf_counter() - t
print(json.dumps({"us_per_run": dt / n * 1e6}))
"""

INTERLEAVED = r"""
import os, sys, time, json, statistics
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
from tensorflow.python.client import session as session_lib
tf.compat.v1.disable_eager_execution()
c = tf.constant(1.0) + 1.0
original = session_lib.BaseSession.run.__wrapped__  # the recorder's wrapper keeps it here
n = int(sys.argv[1])
block = 500
plain, recorded = [], []
sess = tf.compat.v1.Session()
for _ in range(2000):
    sess.run(c)
    original(sess, c)
plain_cpu, recorded_cpu = [], []
cpu = time.thread_time_ns  # this thread's CPU time: where the recorder's work happens
for _ in range(max(1, n // block)):
    t, u = time.perf_counter(), cpu()
    for _ in range(block):
        original(sess, c)
    plain.append((time.perf_counter() - t) / block * 1e6)
    plain_cpu.append((cpu() - u) / block / 1e3)
    t, u = time.perf_counter(), cpu()
    for _ in range(block):
        sess.run(c)
    recorded.append((time.perf_counter() - t) / block * 1e6)
    recorded_cpu.append((cpu() - u) / block / 1e3)
# The same with 20 µs of Python work between runs (a feed built, a metric logged):
# TensorFlow's thread pool runs a step slower when the gap between steps grows, so a
# tight loop of trivial runs charges the recorder for that too.
def work(us=20e-6, clock=time.perf_counter):
    end = clock() + us
    while clock() < end:
        pass
plain_w, recorded_w = [], []
for _ in range(max(1, n // block)):
    t = time.perf_counter()
    for _ in range(block):
        original(sess, c)
        work()
    plain_w.append((time.perf_counter() - t) / block * 1e6)
    t = time.perf_counter()
    for _ in range(block):
        sess.run(c)
        work()
    recorded_w.append((time.perf_counter() - t) / block * 1e6)
sess.close()
print(json.dumps({"plain": statistics.median(plain), "recorded": statistics.median(recorded),
                  "plain_cpu": statistics.median(plain_cpu),
                  "recorded_cpu": statistics.median(recorded_cpu),
                  "plain_work": statistics.median(plain_w),
                  "recorded_work": statistics.median(recorded_w)}))
"""


def _last_json(cmd: list[str]) -> dict:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    record = [sys.executable, "-m", "inspector", "run", "--no-tui", "-o"]
    with tempfile.TemporaryDirectory() as tmp:
        loop, inter = os.path.join(tmp, "loop.py"), os.path.join(tmp, "interleaved.py")
        with open(loop, "w") as fh:
            fh.write(LOOP)
        with open(inter, "w") as fh:
            fh.write(INTERLEAVED)
        print("interleaved blocks in one recorded process ...", file=sys.stderr, flush=True)
        res = _last_json([*record, os.path.join(tmp, "i.jsonl"), inter, str(args.runs * 2)])
        trace = os.path.join(tmp, "t.jsonl")
        plain, recorded = [], []
        for i in range(args.rounds):
            print(f"whole processes, round {i + 1}/{args.rounds} ...", file=sys.stderr, flush=True)
            plain.append(_last_json([sys.executable, loop, str(args.runs)])["us_per_run"])
            recorded.append(_last_json([*record, trace, loop, str(args.runs)])["us_per_run"])
        trace_bytes = os.path.getsize(trace)
    ip, ir = res["plain"], res["recorded"]
    p, r = statistics.median(plain), statistics.median(recorded)
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    date = datetime.date.today().isoformat()
    rows = [
        ("one process: original BaseSession.run", f"{ip:.1f}", "µs/run"),
        ("one process: recorded sess.run", f"{ir:.1f}", "µs/run"),
        ("one process: added by the recorder", f"{ir - ip:.2f}", "µs/run"),
        ("one process: ratio recorded/plain", f"{ir / ip:.3f}", "×"),
        ("one process: main-thread CPU added", f"{res['recorded_cpu'] - res['plain_cpu']:.2f}",
         "µs/run"),
        ("one process, 20 µs of work between runs: plain", f"{res['plain_work']:.1f}", "µs/step"),
        ("one process, 20 µs of work between runs: recorded", f"{res['recorded_work']:.1f}", "µs/step"),
        ("one process, 20 µs of work between runs: ratio",
         f"{res['recorded_work'] / res['plain_work']:.3f}", "×"),
        ("whole process: sess.run, plain", f"{p:.1f}", "µs/run"),
        ("whole process: sess.run, recorded", f"{r:.1f}", "µs/run"),
        ("whole process: ratio recorded/plain", f"{r / p:.3f}", "×"),
        ("trace size", f"{trace_bytes / (args.runs + 2000):.0f}", "bytes/run"),
    ]
    print("| what | figure | unit | machine | date |\n|---|---|---|---|---|")
    for what, fig, unit in rows:
        print(f"| {what} | {fig} | {unit} | {machine} | {date} |")
    print(f"\n(medians: interleaved over {args.runs * 2 // 500} blocks of 500 runs; whole processes "
          f"over {args.rounds} alternating rounds of {args.runs} runs: plain "
          f"{', '.join(f'{x:.1f}' for x in plain)}; recorded {', '.join(f'{x:.1f}' for x in recorded)})")


if __name__ == "__main__":
    main()
