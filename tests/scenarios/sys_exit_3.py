"""`sys.exit(3)` from inside a `with` session block.

Two good runs, then SystemExit(3); the `with` block closes the session while
SystemExit propagates. No findings. Expected exit code: 3.

expect: close=with line=21
expect: runs=2
expect: exit=3
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0) + tf.constant(1.0)

with tf.compat.v1.Session() as sess:
    print("run 1:", sess.run(c))
    print("run 2:", sess.run(c))
    sys.exit(3)
