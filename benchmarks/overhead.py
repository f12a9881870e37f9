"""Per-run cost of the recorder: a loop of trivial sess.run calls, plain and recorded.

Run by hand: `python benchmarks/overhead.py [--runs 20000] [--rounds 5]`. The plain and
recorded children alternate, and the table quotes medians and their ratio (a 2-core
shared machine is noisy). Results go into the README.
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


def _measure(cmd: list[str]) -> float:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["us_per_run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "loop.py")
        with open(script, "w") as fh:
            fh.write(LOOP)
        trace = os.path.join(tmp, "t.jsonl")
        plain_cmd = [sys.executable, script, str(args.runs)]
        rec_cmd = [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", trace, script, str(args.runs)]
        plain, recorded = [], []
        for i in range(args.rounds):
            print(f"round {i + 1}/{args.rounds} ...", file=sys.stderr, flush=True)
            plain.append(_measure(plain_cmd))
            recorded.append(_measure(rec_cmd))
        trace_bytes = os.path.getsize(trace)
    p, r = statistics.median(plain), statistics.median(recorded)
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    date = datetime.date.today().isoformat()
    rows = [
        ("trivial sess.run, plain", f"{p:.1f}", "µs/run"),
        ("trivial sess.run, recorded", f"{r:.1f}", "µs/run"),
        ("added by the recorder", f"{r - p:.2f}", "µs/run"),
        ("ratio recorded/plain", f"{r / p:.3f}", "×"),
        ("trace size", f"{trace_bytes / (args.runs + 2000):.0f}", "bytes/run"),
    ]
    print(f"| what | figure | unit | machine | date |\n|---|---|---|---|---|")
    for what, fig, unit in rows:
        print(f"| {what} | {fig} | {unit} | {machine} | {date} |")
    print(f"\n(medians of {args.rounds} alternating rounds of {args.runs} runs; "
          f"plain {', '.join(f'{x:.1f}' for x in plain)}; recorded {', '.join(f'{x:.1f}' for x in recorded)})")


if __name__ == "__main__":
    main()
