"""Example 2 of the seed article: try/except/finally around a `with` session.

Copied as written in the article (eager tensors at module level, so on TF2
the run fails with "The Session graph is empty"; `finally` closes again).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

a = tf.constant(10)
b = tf.constant(20)
c = tf.add(a, b)

try:
    with tf.compat.v1.Session() as sess:
        result = sess.run(c)
        print(f"Result: {result}")
except tf.errors.OpError as e:
    print(f"An error occurred: {e}")
except Exception as e:
    print(f"A general error occurred: {e}")
finally:
    sess.close() #Explicitly close, though 'with' usually handles this

