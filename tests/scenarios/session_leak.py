"""Session leak: a session is created, used, and never closed.

The script ends normally with the session still open (TF does not close it
at interpreter exit either). Expected exit code: 0.

expect: finding=session-leak line=20
expect: runs=3
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0) + tf.constant(1.0)

sess = tf.compat.v1.Session()
for i in range(3):
    print("run", i, sess.run(c))
print("done; sess was never closed")
