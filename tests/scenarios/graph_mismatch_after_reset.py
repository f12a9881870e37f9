"""`sess.run(y)` where `y` was built after `tf.compat.v1.reset_default_graph()`.

The session was made on the default graph; the reset makes a new default graph, on
which `y` is built (a reset inside `with tf.Graph().as_default():` raises
AssertionError, caught, and changes nothing). The run raises ValueError "... is not an element of this graph."
(caught). The finding names the reset's line.
Expected exit code: 0.

expect: finding=graph-mismatch line=35
expect: close=explicit line=38
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0, name="c")
sess = tf.compat.v1.Session()
print("c:", sess.run(c))

with tf.Graph().as_default():
    try:
        tf.compat.v1.reset_default_graph()  # -> AssertionError: Do not use tf.reset_default_graph() to clear nested graphs. If you need a cleared graph, exit the nesting and create a new graph.
    except AssertionError as e:
        print(f"caught {type(e).__name__}: {e}")
print("reset returns", tf.compat.v1.reset_default_graph())
y = tf.constant(2.0, name="y")

try:
    sess.run(y)  # -> ValueError: Argument `fetch` = Tensor("y:0", shape=(), dtype=float32) cannot be interpreted as a Tensor. (Tensor Tensor("y:0", shape=(), dtype=float32) is not an element of this graph.)
except ValueError as e:
    print(f"caught {type(e).__name__}: {e}")
sess.close()
