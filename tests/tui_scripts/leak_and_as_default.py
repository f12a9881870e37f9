"""An op fetched (the detail pane says `op`), eval() after the `with sess.as_default():`
block has ended (no-default-session, an error, marked at the block's `with` line), and
a session never closed (session-leak, a warning). No TensorFlow error escapes."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(2.0) * tf.constant(5.0)
nothing = tf.no_op(name="nothing")

sess = tf.compat.v1.Session()
sess.run(nothing)
with sess.as_default():
    print("inside:", c.eval())
try:
    c.eval()
except ValueError as exc:
    print("caught", type(exc).__name__)
print("done; the session is never closed")
