"""Run after close: a session closed in one function, then used again.

`setup()` creates the session, `teardown()` closes it, and the later
`sess.run(c)` fails with "RuntimeError: Attempted to use a closed Session."
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()


def setup():
    c = tf.add(tf.constant(10), tf.constant(20))
    return tf.compat.v1.Session(), c


def teardown(sess):
    sess.close()


sess, c = setup()
print("before teardown:", sess.run(c))
teardown(sess)
try:
    print("after teardown:", sess.run(c))
except RuntimeError as e:
    print(f"RuntimeError: {e}")
