"""An uncaught user exception inside a `with` session block.

Two good runs, then `raise ValueError(...)`; the `with` block closes the
session while the exception propagates, and Python exits with code 1.
No session findings. Expected exit code: 1.

expect: close=with line=21
expect: runs=2
expect: exit=1
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0) + tf.constant(1.0)

with tf.compat.v1.Session() as sess:
    print("run 1:", sess.run(c))
    print("run 2:", sess.run(c))
    raise ValueError("boom: user error after two good runs")  # -> ValueError: boom: user error after two good runs
