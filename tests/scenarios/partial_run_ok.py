"""Correct use of the (deprecated) partial-run API inside a `with` block.

One `partial_run_setup` and two `partial_run` calls on an open session; TF
prints deprecation warnings but nothing fails. Expected exit code: 0.

expect: close=with line=23
expect: runs=3
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

a = tf.compat.v1.placeholder(tf.float32, shape=[])
b = tf.compat.v1.placeholder(tf.float32, shape=[])
r1 = a + 1.0
r2 = r1 * b

with tf.compat.v1.Session() as sess:
    h = sess.partial_run_setup([r1, r2], [a, b])
    print("r1:", sess.partial_run(h, r1, feed_dict={a: 1.0}))
    print("r2:", sess.partial_run(h, r2, feed_dict={b: 3.0}))
