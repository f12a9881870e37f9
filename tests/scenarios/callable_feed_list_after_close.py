"""A callable from `sess.make_callable(d, feed_list=[p])` used after close.

With a feed_list, TF 2.21 implements the callable on top of `sess.run`, so
after close it raises RuntimeError (unlike the no-feed callable, which
raises CancelledError). Expected exit code: 0.

expect: finding=run-after-close line=28
expect: close=explicit line=26
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

p = tf.compat.v1.placeholder(tf.float32, shape=[])
d = p * 2.0

sess = tf.compat.v1.Session()
double = sess.make_callable(d, feed_list=[p])
print("double(21):", double(21.0))
sess.close()
try:
    double(5.0)  # -> RuntimeError: Attempted to use a closed Session.
except RuntimeError as e:
    print(f"caught {type(e).__name__}: {e}")
