"""Example 3 of the seed article: `sess.run` after `sess.close()`.

Copied as written in the article (eager tensors at module level, so on TF2
the error printed is about the empty Session graph / closed session).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

a = tf.constant(10)
b = tf.constant(20)
c = tf.add(a, b)

sess = tf.compat.v1.Session()
sess.close()  # Session closed prematurely

try:
    result = sess.run(c)  # This will raise an error
    print(f"Result: {result}")
except Exception as e:
    print(f"Error: {e}") # Output: Error: Session is closed.
