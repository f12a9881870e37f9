"""partial_run with a handle made before close, and partial_run_setup after close.

Both calls on the closed session raise RuntimeError (each caught); two
run-after-close findings in one script. Expected exit code: 0.

expect: finding=run-after-close line=27
expect: finding=run-after-close line=31
expect: close=explicit line=25
expect: runs=3
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

a = tf.compat.v1.placeholder(tf.float32, shape=[])
r1 = a + 1.0

sess = tf.compat.v1.Session()
h = sess.partial_run_setup([r1], [a])
sess.close()
try:
    sess.partial_run(h, r1, feed_dict={a: 1.0})  # -> RuntimeError: Attempted to use a closed Session.
except RuntimeError as e:
    print(f"caught {type(e).__name__}: {e}")
try:
    sess.partial_run_setup([r1], [a])  # -> RuntimeError: Attempted to use a closed Session.
except RuntimeError as e:
    print(f"caught {type(e).__name__}: {e}")
