"""Run after close that is NOT caught: the script dies on it.

`sess.run(c)` after `sess.close()` raises RuntimeError, which propagates to
the top level, so Python exits with code 1. Expected exit code: 1.

expect: finding=run-after-close line=24
expect: close=explicit line=23
expect: runs=2
expect: exit=1
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0) + tf.constant(1.0)

sess = tf.compat.v1.Session()
print("result:", sess.run(c))
sess.close()
sess.run(c)  # -> RuntimeError: Attempted to use a closed Session.
print("not reached")
