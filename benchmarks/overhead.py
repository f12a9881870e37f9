"""What recording costs a training loop: three loops, in-process and whole-process.

Run by hand: `python benchmarks/overhead.py [--processes 3] [--rounds 40]`. Results go
into docs/performance.md (the README quotes the summary).

Both run wrappers are measured, in separate recorded processes: the compiled one
(inspector/agent/_fastrun.c, what an install with a C compiler uses) and the pure-Python
one (TFSESS_INSPECT_PURE_PYTHON=1, what runs where no compiler was); `--hot-path`
picks one.

The loops (all TF1 graph mode, `tf.compat.v1.Session`):
  trivial  `sess.run(c)` on a constant: the recorder's worst case
  step     an MLP 784->32->10, batch 8: `sess.run([train_op, loss], feed_dict={x: X[j:j+8],
           y: Y[j:j+8]})` with numpy slices, what a TF1 training loop does (~0.3 ms)
  big      the same with hidden 512 and batch 128

1. In-process, interleaved (the figure the goals are judged by): in one process recorded
   by `tfsess-inspect run --no-tui` (default memory sampler on), blocks of steps
   alternate between the recorded `sess.run` and TensorFlow's original, unwrapped
   `BaseSession.run` on the same session, so the machine's state falls on both alike.
   Each round gives a ratio (recorded block / plain block next to it); a process's figure
   is the median over its rounds, and the table gives the median over processes (and
   their range).
2. Whole processes, the step loop: plain python, `tfsess-inspect run --no-tui`, and,
   where installed, viztracer and memray, in alternating rounds; time per step measured
   inside the script (TensorFlow's import and the tools' start-up not counted).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

MODEL = r"""
import os, sys, time, json, statistics
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
tf.compat.v1.disable_eager_execution()

def build(kind):
    if kind == "trivial":
        c = tf.constant(1.0) + 1.0
        return (lambda run, j: run(c))
    hidden, batch = (32, 8) if kind == "step" else (512, 128)
    x = tf.compat.v1.placeholder(tf.float32, [None, 784])
    y = tf.compat.v1.placeholder(tf.int64, [None])
    w1 = tf.Variable(tf.random.normal([784, hidden], stddev=0.05)); b1 = tf.Variable(tf.zeros([hidden]))
    w2 = tf.Variable(tf.random.normal([hidden, 10], stddev=0.05)); b2 = tf.Variable(tf.zeros([10]))
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.01).minimize(loss)
    X = np.random.rand(4096, 784).astype(np.float32)
    Y = np.random.randint(0, 10, 4096).astype(np.int64)
    n = len(X) - batch
    def step(run, j):
        k = (j * batch) % n
        return run([train_op, loss], feed_dict={x: X[k:k + batch], y: Y[k:k + batch]})
    return step
"""

INTERLEAVED = MODEL + r"""
from tensorflow.python.client import session as session_lib
kind, rounds, block = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
step = build(kind)
original = session_lib.BaseSession.run.__wrapped__  # the recorder's wrapper keeps it here
sess = tf.compat.v1.Session()
sess.run(tf.compat.v1.global_variables_initializer())
plain = lambda *a, **k: original(sess, *a, **k)
for j in range(300):
    step(plain, j); step(sess.run, j)
ratios, p_all, r_all = [], [], []
clock = time.perf_counter
for r in range(rounds):
    order = (plain, sess.run) if r % 2 == 0 else (sess.run, plain)  # neither always first
    took = {}
    for run in order:
        t = clock()
        for j in range(block):
            step(run, j)
        took[run is plain] = (clock() - t) / block * 1e6
    p_all.append(took[True]); r_all.append(took[False])
    ratios.append(took[False] / took[True])
sess.close()
print(json.dumps({"plain": statistics.median(p_all), "recorded": statistics.median(r_all),
                  "ratio": statistics.median(ratios), "load": os.getloadavg()[0]}))
"""

WHOLE = MODEL + r"""
steps = int(sys.argv[1])
step = build("step")
with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    for j in range(300):
        step(sess.run, j)
    t = time.perf_counter()
    for j in range(steps):
        step(sess.run, j)
    dt = time.perf_counter() - t
print(json.dumps({"us_per_step": dt / steps * 1e6}))
"""

BLOCKS = {"trivial": 500, "step": 200, "big": 20}
LABELS = {"trivial": "trivial `sess.run(c)`", "step": "MLP step, batch 8 (feed_dict)",
          "big": "MLP step, hidden 512, batch 128"}


HOT_PATHS = {"compiled": "0", "python": "1"}  # TFSESS_INSPECT_PURE_PYTHON


def _last_json(cmd: list[str], cwd: str, env: dict | None = None) -> dict:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=cwd,
                         env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def _tools(tmp: str) -> dict[str, list[str]]:
    """Whole-process variants: name -> command prefix before `script args`."""
    record = [sys.executable, "-m", "inspector", "run", "--no-tui", "-o",
              os.path.join(tmp, "w.jsonl")]
    tools = {"plain": [sys.executable],
             "tfsess-inspect": ["env", "TFSESS_INSPECT_PURE_PYTHON=0", *record],
             "tfsess-inspect (pure Python)": ["env", "TFSESS_INSPECT_PURE_PYTHON=1", *record]}
    if importlib.util.find_spec("viztracer") is not None:
        tools["viztracer"] = [sys.executable, "-m", "viztracer", "--quiet", "-o",
                              os.path.join(tmp, "viz.json")]
    if importlib.util.find_spec("memray") is not None:
        tools["memray"] = [sys.executable, "-m", "memray", "run", "-q", "-f", "-o",
                           os.path.join(tmp, "memray.bin")]
    return tools


def _compiled_built(repo: str) -> bool:
    probe = "from inspector.agent import runs; print(runs.hot_path())"
    env = {**os.environ, "TFSESS_INSPECT_PURE_PYTHON": "0"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=repo,
                         env=env).stdout
    return out.strip() == "compiled"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=3, help="recorded processes per loop")
    parser.add_argument("--rounds", type=int, default=40, help="interleaved rounds per process")
    parser.add_argument("--whole-rounds", type=int, default=6,
                        help="alternating rounds of whole processes (3 gave ±5%% between runs)")
    parser.add_argument("--steps", type=int, default=3000, help="steps per whole-process run")
    parser.add_argument("--loops", default="trivial,step,big")
    parser.add_argument("--hot-path", default="compiled,python",
                        help="which run wrappers: compiled, python or both (comma-separated)")
    args = parser.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    date = datetime.date.today().isoformat()
    rows: list[tuple[str, str, str]] = []
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        inter, whole = os.path.join(tmp, "interleaved.py"), os.path.join(tmp, "whole.py")
        with open(inter, "w") as fh:
            fh.write(INTERLEAVED)
        with open(whole, "w") as fh:
            fh.write(WHOLE)
        record = [sys.executable, "-m", "inspector", "run", "--no-tui", "-o"]
        hot_paths = args.hot_path.split(",")
        if "compiled" in hot_paths and not _compiled_built(repo):
            print("the compiled hot path is not built here (pip install -e . builds it): "
                  "measuring the pure-Python one only", file=sys.stderr)
            hot_paths = [h for h in hot_paths if h != "compiled"] or ["python"]
        for kind in filter(None, args.loops.split(",")):
            for hot in hot_paths:
                env = {**os.environ, "TFSESS_INSPECT_PURE_PYTHON": HOT_PATHS[hot]}
                results = []
                for i in range(args.processes):
                    print(f"{kind} ({hot}): recorded process {i + 1}/{args.processes} ...",
                          file=sys.stderr, flush=True)
                    results.append(_last_json([*record, os.path.join(tmp, f"{kind}{i}.jsonl"),
                                               inter, kind, str(args.rounds), str(BLOCKS[kind])],
                                              repo, env))
                loads += [r["load"] for r in results]
                ratios = sorted(r["ratio"] for r in results)
                plain = statistics.median(r["plain"] for r in results)
                rec = statistics.median(r["recorded"] for r in results)
                rows.append((f"{LABELS[kind]}, {hot} wrapper: plain / recorded",
                             f"{plain:.1f} / {rec:.1f}", "µs/run"))
                rows.append((f"{LABELS[kind]}, {hot} wrapper: ratio recorded/plain (per process: "
                             f"{', '.join(f'{x:.3f}' for x in ratios)})",
                             f"{statistics.median(ratios):.3f}", "×"))
        tools = _tools(tmp)
        per_tool: dict[str, list[float]] = {t: [] for t in tools}
        for i in range(args.whole_rounds):
            for name, prefix in tools.items():
                print(f"whole process, round {i + 1}/{args.whole_rounds}: {name} ...",
                      file=sys.stderr, flush=True)
                per_tool[name].append(_last_json([*prefix, whole, str(args.steps)], repo)["us_per_step"])
        base = statistics.median(per_tool["plain"]) if args.whole_rounds else 0.0
        for name, values in per_tool.items() if args.whole_rounds else ():
            m = statistics.median(values)
            rows.append((f"whole process, MLP step: {name}", f"{m:.1f} ({m / base:.2f}×)", "µs/step"))
        missing = [t for t in ("viztracer", "memray") if t not in tools]
    print("| what | figure | unit | machine | date |\n|---|---|---|---|---|")
    for what, fig, unit in rows:
        print(f"| {what} | {fig} | {unit} | {machine} | {date} |")
    print(f"\n(load average at the end of each recorded process: "
          f"{', '.join(f'{x:.1f}' for x in loads)}; {args.rounds} interleaved rounds a process; "
          f"whole processes: {args.whole_rounds} alternating rounds of {args.steps} steps"
          + (f"; not installed: {', '.join(missing)}" if missing else "") + ")")


if __name__ == "__main__":
    main()
