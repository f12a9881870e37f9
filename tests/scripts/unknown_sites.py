"""Sessions whose events have no line of the script to point at: each is made, run or
dropped in a thread started with `_thread.start_new_thread(C function, ...)`, which runs
no Python frame of the script (nor of the standard library) at all.

- Session #1: created by a defaultdict's factory called from such a thread (created
  site unknown), then dropped from such a thread (closed by garbage collection, site
  unknown).
- Session #2: created and closed here, then run from such a thread (a run after close
  whose run site is unknown: its finding has no file or line).
"""
import _thread
import collections
import functools
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()
c = tf.constant(2.0) * tf.constant(3.0)


def in_a_bare_thread(done, function, *args):
    """Call a C function in a new thread; wait until `done()` says its work is visible
    (so the thread has started), then until the thread has ended."""
    before = _thread._count()
    _thread.start_new_thread(function, args)
    while not done():
        time.sleep(0.01)
    while _thread._count() > before:
        time.sleep(0.01)


failed = []
sys.unraisablehook = failed.append  # the bare thread's uncaught exception lands here

# (the thread's default graph would be a new, empty one: give it ours)
made = collections.defaultdict(functools.partial(tf.compat.v1.Session, graph=c.graph))
in_a_bare_thread(lambda: "first" in made, made.__getitem__, "first")  # created at no line
print("run:", made["first"].run(c))
in_a_bare_thread(lambda: not made, made.clear)  # last reference gone: closed by gc, at no line

second = tf.compat.v1.Session()
second.close()
in_a_bare_thread(lambda: failed, second.run, c)  # a run after close, at no line
print("failed:", type(failed[0].exc_value).__name__, failed[0].exc_value)
del second  # closed already: its __del__ has nothing to do
