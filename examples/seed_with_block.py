"""Example 1 of the seed article: session management with a `with` block.

Copied as written in the article: the tensors are built eagerly at module
level, so on TF2 `sess.run(c)` fails with "The Session graph is empty".
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

# Define the computation graph
a = tf.constant(10)
b = tf.constant(20)
c = tf.add(a, b)

# Correct usage: session within a 'with' block
with tf.compat.v1.Session() as sess:
    result = sess.run(c)
    print(f"Result: {result}") # Output: Result: 30
