"""`sess.run(c)` of a graph tensor on a session whose own graph is empty.

Eager execution is off, so `c` is a graph tensor of the default graph; the session
runs `empty`, a graph with no ops. TensorFlow raises RuntimeError "The Session graph
is empty..." (caught): the same words as for an eager tensor, but the recorded fetch
is a graph tensor, so this is a graph mismatch and not eager-in-session.
Expected exit code: 0.

expect: finding=graph-mismatch line=27
expect: close=with line=25
expect: runs=1
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0, name="c")
empty = tf.Graph()

with tf.compat.v1.Session(graph=empty) as sess:
    try:
        sess.run(c)  # -> RuntimeError: The Session graph is empty. Add operations to the graph before calling run().
    except RuntimeError as e:
        print(f"caught {type(e).__name__}: {e}")
