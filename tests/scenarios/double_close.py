"""Double close: `sess.close()` called twice on the same session.

TF 2.21 silently ignores the second close (no exception); only the first
close actually closes the session. Expected exit code: 0.

expect: finding=double-close line=24
expect: close=explicit line=23
expect: runs=1
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0) + tf.constant(1.0)

sess = tf.compat.v1.Session()
print("result:", sess.run(c))
sess.close()
sess.close()  # -> no error: a second close is a silent no-op
print("closed twice without error")
