"""Run by children_parent.py in its own interpreter: a run after close."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()
c = tf.constant(2.0) * 3
sess = tf.compat.v1.Session()
print("child", sess.run(c), flush=True)
sess.close()
try:
    sess.run(c)  # the line the finding points at
except RuntimeError as exc:
    print("child error:", exc, flush=True)
