"""`Tensor.eval()` after the `with sess.as_default():` block has ended.

Inside the block eval works; after it there is no default session and eval
raises ValueError (caught). The session is still open and is closed
explicitly at the end. Expected exit code: 0.

expect: finding=no-default-session line=26
expect: close=explicit line=29
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(2.0) * tf.constant(5.0)

sess = tf.compat.v1.Session()
with sess.as_default():
    print("inside as_default:", c.eval())
try:
    c.eval()  # -> ValueError: Cannot evaluate tensor using `eval()`: No default session is registered. Use `with sess.as_default()` or pass an explicit session to `eval(session=sess)`
except ValueError as e:
    print(f"caught {type(e).__name__}: {e}")
sess.close()
