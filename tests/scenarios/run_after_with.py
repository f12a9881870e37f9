"""Run after leaving a `with tf.compat.v1.Session() as sess:` block.

The `with` block closes the session on exit (close line = the `with` line);
the later `sess.run(c)` raises RuntimeError (caught). Expected exit code: 0.

expect: finding=run-after-close line=24
expect: close=with line=21
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0) + tf.constant(2.0)

with tf.compat.v1.Session() as sess:
    print("inside:", sess.run(c))
try:
    sess.run(c)  # -> RuntimeError: Attempted to use a closed Session.
except RuntimeError as e:
    print(f"caught {type(e).__name__}: {e}")
