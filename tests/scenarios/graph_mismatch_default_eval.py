"""`Tensor.eval()` under a default session whose graph is not the tensor's.

Inside `with tf.compat.v1.Session(graph=g1) as sess:` the session is the default;
a tensor of another graph g2 evaluated there with plain `b.eval()` (no
`session=`) raises ValueError (caught). Expected exit code: 0.

expect: finding=graph-mismatch line=29
expect: close=with line=26
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

g1 = tf.Graph()
with g1.as_default():
    a = tf.constant(1.0) + 1.0
g2 = tf.Graph()
with g2.as_default():
    b = tf.constant(2.0) * 3.0
with tf.compat.v1.Session(graph=g1) as sess:
    print("a:", a.eval())
    try:
        b.eval()  # -> ValueError: Cannot use the default session to evaluate tensor: the tensor's graph is different from the session's graph. Pass an explicit session to `eval(session=sess)`.
    except ValueError as e:
        print(f"caught {type(e).__name__}: {e}")
