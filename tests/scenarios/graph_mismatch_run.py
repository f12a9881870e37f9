"""`sess.run(x)` where `x` belongs to a different graph than the session's.

The session is bound to the default graph; `x` was built in `other`. The run
raises ValueError "... is not an element of this graph." (caught).
Expected exit code: 0.

expect: finding=graph-mismatch line=28
expect: close=with line=25
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0, name="c")
other = tf.Graph()
with other.as_default():
    x = tf.constant(2.0, name="x")

with tf.compat.v1.Session() as sess:
    print("c:", sess.run(c))
    try:
        sess.run(x)  # -> ValueError: Argument `fetch` = Tensor("x:0", shape=(), dtype=float32) cannot be interpreted as a Tensor. (Tensor Tensor("x:0", shape=(), dtype=float32) is not an element of this graph.)
    except ValueError as e:
        print(f"caught {type(e).__name__}: {e}")
