"""Where a recorded run's extra time goes: the recorder's wrapper rebuilt in steps.

Run by hand: `python benchmarks/overhead_parts.py` (it records itself with
`tfsess-inspect run --no-tui`, so that the recorder's caches are the real ones). In one
process, blocks of 400 trivial runs alternate between TensorFlow's original
`BaseSession.run` and wrappers that do more and more of what the recorder does:

  guard    the thread-local guard and two clock readings around the call
  ids      + session id, call site (cached) and fetch summary (cached), thread id
  format   + the run line formatted as bytes
  write    + its os.write to a file (= the recorder's line, written elsewhere)
  mmap     ids + format, then the line copied into a shared file mapping instead of write
  recorded the real `sess.run` under the recorder

Medians of 25 rounds, wall and this thread's CPU time. See README, "Recording cost per run".
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

BODY = r'''
import mmap, os, statistics, sys, threading, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
from tensorflow.python.client import session as session_lib
from inspector.agent import patches, recorder as R
tf.compat.v1.disable_eager_execution()
c = tf.constant(1.0) + 1.0
original = session_lib.BaseSession.run.__wrapped__
sess = tf.compat.v1.Session()
rec = R._recorder
mono, state, getframe, get_ident = time.monotonic_ns, patches._state, sys._getframe, threading.get_ident
tmp = sys.argv[1]
fd = os.open(os.path.join(tmp, "w.jsonl"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
mfd = os.open(os.path.join(tmp, "m.bin"), os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(mfd, 1 << 28)
mm = mmap.mmap(mfd, 1 << 28)
pos = [0]
lock = threading.Lock()
LEVELS = ("guard", "ids", "format", "write", "mmap")

def make(level):
    n = LEVELS.index(level)
    def wrapper(*args, **kwargs):
        if state.in_run:
            return original(*args, **kwargs)
        state.in_run = True
        try:
            start = mono()
            result = original(*args, **kwargs)
            end = mono()
            if n >= 1:
                sid = getattr(args[0], "_tfsess_inspect_id", None) or 0
                f = getframe(1)
                code = f.f_code
                if rec._code_is_lib.get(id(code)) is False:
                    p = f.f_back
                    key = (id(code), f.f_lasti, id(p.f_code), p.f_lasti)
                    site = rec._fast_sites.get(key) or rec.site_at(key, f)
                else:
                    site = rec.site_id()
                fs = patches._run_summary(args, kwargs)
                th = rec._threads.get(get_ident()) or rec.thread_id()
            if n >= 2:
                line = (b'{"ev":"run","s":%d,"ts":%d,"dur":%d,"k":"%s","site":%d,"fs":%d,"th":%d,"pid":%d}\n'
                        % (sid, start - rec.t0, end - start, b"run", site, fs, th, rec.pid))
            if level == "write":
                os.write(fd, line)
            elif level == "mmap":
                with lock:
                    at = pos[0]
                    if at + len(line) > len(mm):
                        at = 0
                    mm[at:at + len(line)] = line
                    pos[0] = at + len(line)
            return result
        finally:
            state.in_run = False
    return wrapper

variants = {"plain": lambda: original(sess, c)}
for level in LEVELS:
    w = make(level)
    variants[level] = (lambda w: lambda: w(sess, c))(w)
variants["recorded"] = lambda: sess.run(c)
for f in variants.values():
    for _ in range(1000):
        f()
wall = {k: [] for k in variants}
cpu = {k: [] for k in variants}
clock = time.perf_counter
for _ in range(25):
    for k, f in variants.items():
        t, u = clock(), time.thread_time()
        for _ in range(400):
            f()
        wall[k].append((clock() - t) / 400 * 1e6)
        cpu[k].append((time.thread_time() - u) / 400 * 1e6)
base_w, base_c = statistics.median(wall["plain"]), statistics.median(cpu["plain"])
print("| wrapper | µs/run | added | ratio | main-thread CPU µs/run | CPU added |")
print("|---|---|---|---|---|---|")
for k in variants:
    w, u = statistics.median(wall[k]), statistics.median(cpu[k])
    print(f"| {k} | {w:.1f} | {w - base_w:+.1f} | {w / base_w:.3f} | {u:.1f} | {u - base_c:+.1f} |")
'''


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "parts.py")
        with open(script, "w") as fh:
            fh.write(BODY)
        out = subprocess.run(
            [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", os.path.join(tmp, "t.jsonl"),
             script, tmp], capture_output=True, text=True, check=True).stdout
        print(out.strip())
        print(f"\n(load average before/after: {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
