"""`x.eval(session=sess)` where `x` belongs to another graph than `sess`.

`Tensor.eval` checks the graphs itself and raises ValueError before running
(caught). Expected exit code: 0.

expect: finding=graph-mismatch line=27
expect: close=with line=24
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
    print("c:", c.eval(session=sess))
    try:
        x.eval(session=sess)  # -> ValueError: Cannot use the given session to evaluate tensor: the tensor's graph is different from the session's graph.
    except ValueError as e:
        print(f"caught {type(e).__name__}: {e}")
