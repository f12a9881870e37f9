"""What the memory sampler costs a recorded script (issue 5).

Run by hand: `python benchmarks/memory.py [--runs 40000] [--block 2000] [--rounds 3]`.
A loop of trivial `sess.run` calls (the eager context initialised first, so the sampler
reads TensorFlow's allocator as well as the RSS: its dearest case) runs recorded, at the
default interval (0.1 s) and at 0.01 s. In each process, blocks of runs alternate between
the sampler paused (its thread still wakes, reads and writes nothing) and active (which
goes first alternates), so the machine's noise falls on both alike; the ratio active/paused is the sampler's share of a
run. Also: the cost of one sampler tick and the mem lines it writes per second. Medians.
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
import os, sys, time, json, statistics
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
from inspector.agent import memory  # the recorder's own sampler, in this process
tf.config.list_logical_devices()  # the eager context is up: the allocator is read too
tf.compat.v1.disable_eager_execution()
c = tf.constant(1.0) + 1.0
n, block = int(sys.argv[1]), int(sys.argv[2])
sampler = memory.sampler
active, paused = [], []
with tf.compat.v1.Session() as sess:
    for _ in range(2000):
        sess.run(c)
    for pair in range(max(1, n // block // 2)):
        order = ((False, paused), (True, active))
        for on, out in (order if pair % 2 else order[::-1]):  # alternate which goes first
            sampler._off = not on  # paused: the thread still wakes, reads nothing, writes nothing
            t = time.perf_counter()
            for _ in range(block):
                sess.run(c)
            out.append((time.perf_counter() - t) / block * 1e6)
    sampler._off = False
k = 2000
t = time.perf_counter()
for _ in range(k):
    sampler.sample()
tick = (time.perf_counter() - t) / k * 1e6
print(json.dumps({"active": statistics.median(active), "paused": statistics.median(paused), "tick_us": tick}))
"""

STEP_STATS = r"""
import os, sys, time, json, statistics
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
from tensorflow.python.client import session as session_lib
tf.compat.v1.disable_eager_execution()
small = tf.constant(1.0) + 1.0
x = tf.compat.v1.Variable(1.0)
big = x.read_value()
for i in range(50):
    big = big * 1.0001 + 0.5  # 100 ops, not folded into a constant: x is a variable
traced = session_lib.BaseSession.run.__wrapped__  # --step-stats' own wrapper
original = traced.__wrapped__  # TensorFlow's
n, block = int(sys.argv[1]), 200
out = {}
with tf.compat.v1.Session() as sess:
    original(sess, x.initializer)
    for fetch, label in ((small, "1 op"), (big, "100 ops")):
        t = {"plain": [], "traced": []}
        for _ in range(500):
            original(sess, fetch)
            traced(sess, fetch)
        for pair in range(max(1, n // block)):
            order = (("plain", original), ("traced", traced))
            for name, fn in (order if pair % 2 else order[::-1]):
                t0 = time.perf_counter()
                for _ in range(block):
                    fn(sess, fetch)
                t[name].append((time.perf_counter() - t0) / block * 1e6)
        out[label] = {k: statistics.median(v) for k, v in t.items()}
print(json.dumps(out))
"""

MODES = [("default (0.1 s)", None), ("0.01 s", "0.01")]


def _last_json(cmd: list[str]) -> dict:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _mem_lines_per_s(trace: str) -> float:
    """Periodic mem lines per second of sampling (first to last such line)."""
    ts = []
    with open(trace, "rb") as fh:
        for line in fh:
            if line.startswith(b'{"ev":"mem",') and b'"at":' not in line:
                ts.append(json.loads(line)["ts"])
    return (len(ts) - 1) / ((ts[-1] - ts[0]) / 1e9) if len(ts) > 1 and ts[-1] > ts[0] else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40000, help="runs per process")
    parser.add_argument("--block", type=int, default=2000, help="runs per block")
    parser.add_argument("--rounds", type=int, default=3, help="processes per interval")
    parser.add_argument("--step-stats-runs", type=int, default=10000,
                        help="runs per kind for the --step-stats figures (0: skip them)")
    args = parser.parse_args()
    res: dict[str, list[dict]] = {name: [] for name, _ in MODES}
    lines_per_s: dict[str, list[float]] = {name: [] for name, _ in MODES}
    with tempfile.TemporaryDirectory() as tmp:
        loop = os.path.join(tmp, "loop.py")
        with open(loop, "w") as fh:
            fh.write(LOOP)
        steps = None
        if args.step_stats_runs:
            path = os.path.join(tmp, "steps.py")
            with open(path, "w") as fh:
                fh.write(STEP_STATS)
            print("--step-stats ...", file=sys.stderr, flush=True)
            steps = _last_json([sys.executable, "-m", "inspector", "run", "--no-tui", "--step-stats",
                                "--memory-interval", "0", "-o", os.path.join(tmp, "s.jsonl"), path,
                                str(args.step_stats_runs)])
        for r in range(args.rounds):
            for name, interval in MODES:
                print(f"round {r + 1}/{args.rounds}: sampler {name} ...", file=sys.stderr, flush=True)
                trace = os.path.join(tmp, "t.jsonl")
                cmd = [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", trace]
                if interval is not None:
                    cmd += ["--memory-interval", interval]
                res[name].append(_last_json([*cmd, loop, str(args.runs), str(args.block)]))
                lines_per_s[name].append(_mem_lines_per_s(trace))
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    date = datetime.date.today().isoformat()
    rows = []
    for name, _ in MODES:
        active = statistics.median(r["active"] for r in res[name])
        paused = statistics.median(r["paused"] for r in res[name])
        ratios = [r["active"] / r["paused"] for r in res[name]]
        rows += [
            (f"recorded sess.run, sampler {name} paused", f"{paused:.1f}", "µs/run"),
            (f"recorded sess.run, sampler {name} active", f"{active:.1f}", "µs/run"),
            (f"ratio active/paused, {name}", f"{statistics.median(ratios):.3f}", "×"),
            (f"periodic mem lines, {name}", f"{statistics.median(lines_per_s[name]):.1f}", "lines/s"),
        ]
    if steps is not None:
        for label, t in steps.items():
            rows.append((f"--step-stats: FULL_TRACE and its reading, graph of {label}",
                         f"{t['traced'] - t['plain']:.1f}", f"µs/run added (plain {t['plain']:.1f})"))
    ticks = [r["tick_us"] for name, _ in MODES for r in res[name]]
    rows.append(("one sampler tick (rss + CPU:0 allocator, line written when changed)",
                 f"{statistics.median(ticks):.1f}", "µs"))
    print("| what | figure | unit | machine | date |\n|---|---|---|---|---|")
    for what, fig, unit in rows:
        print(f"| {what} | {fig} | {unit} | {machine} | {date} |")
    per_process = "; ".join(
        f"{name}: " + ", ".join(f"{r['active'] / r['paused']:.3f}" for r in res[name]) for name, _ in MODES)
    print(f"\n(medians: in each recorded process, blocks of {args.block} runs alternate between the "
          f"sampler paused and active, {args.runs // args.block // 2} pairs; {args.rounds} processes per "
          f"interval; ratio active/paused per process: {per_process})")

if __name__ == "__main__":
    main()
