"""Makes 20 runs, then meets the fault named by argv[1]."""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
c = tf.constant(1.0) + 1.0
sess = tf.compat.v1.Session()
fault = sys.argv[1]
if fault == "chdir":
    os.chdir("/")
if fault == "close-stdio":
    os.close(1)
    os.close(2)
for _ in range(20):
    sess.run(c)
if fault == "segfault":
    import ctypes

    ctypes.string_at(0)
elif fault == "sigabrt":
    os.abort()
sess.close()
