"""`Tensor.eval()` after an `InteractiveSession` was closed.

An InteractiveSession installs itself as the default session; after
`isess.close()` there is no default session and eval raises ValueError.
Expected exit code: 0.

expect: finding=no-default-session line=26
expect: close=explicit line=24
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(4.0) - tf.constant(1.0)

isess = tf.compat.v1.InteractiveSession()
print("with interactive session:", c.eval())
isess.close()
try:
    c.eval()  # -> ValueError: Cannot evaluate tensor using `eval()`: No default session is registered. Use `with sess.as_default()` or pass an explicit session to `eval(session=sess)`
except ValueError as e:
    print(f"caught {type(e).__name__}: {e}")
