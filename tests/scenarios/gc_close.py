"""Session closed by garbage collection, never used afterwards.

`del sess` drops the last reference, so CPython runs `Session.__del__` (which
calls close) right on the `del` line; `gc.collect()` finds nothing more.
No error findings. Expected exit code: 0.

expect: close=gc line=25
expect: runs=2
expect: exit=0
"""
import gc
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(2.0) * tf.constant(2.0)

sess = tf.compat.v1.Session()
print("run 1:", sess.run(c))
print("run 2:", sess.run(c))
del sess  # refcount drops to zero: Session.__del__ -> close() runs here
gc.collect()
print("session collected; nothing used it afterwards")
