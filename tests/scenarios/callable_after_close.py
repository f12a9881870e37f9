"""A callable from `sess.make_callable(c)` (no feed_list) used after close.

The callable keeps a reference to the session; after `sess.close()` calling
it raises tf.errors.CancelledError (not RuntimeError). Expected exit code: 0.

expect: finding=run-after-close line=27
expect: close=explicit line=25
expect: runs=3
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(3.0) * tf.constant(4.0)

sess = tf.compat.v1.Session()
step = sess.make_callable(c)
print("call 1:", step())
print("call 2:", step())
sess.close()
try:
    step()  # -> CancelledError: Session has been closed.
except tf.errors.CancelledError as e:
    print(f"caught {type(e).__name__}: {e}")
