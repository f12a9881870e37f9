"""A callable from `sess._make_callable_from_options(opts)` used after close.

The private CallableOptions API behaves like the no-feed make_callable:
after `sess.close()` it raises tf.errors.CancelledError. Expected exit code: 0.

expect: finding=run-after-close line=29
expect: close=explicit line=27
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf
from tensorflow.core.protobuf import config_pb2

tf.compat.v1.disable_eager_execution()

c = tf.constant(6.0) + tf.constant(7.0)

sess = tf.compat.v1.Session()
opts = config_pb2.CallableOptions()
opts.fetch.append(c.name)
fn = sess._make_callable_from_options(opts)
print("fn():", fn())
sess.close()
try:
    fn()  # -> CancelledError: Session has been closed.
except tf.errors.CancelledError as e:
    print(f"caught {type(e).__name__}: {e}")
