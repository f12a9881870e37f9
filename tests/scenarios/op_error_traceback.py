"""An op fails at run time (check_numerics on a NaN) and the script does not catch it.

TensorFlow's error message carries the Python stack where the op was created
("Original stack trace for 'CheckNumerics'"): under the recorder it must be the same
as without it, with none of the launcher's or the agent's frames at its bottom. The
scenario test compares stderr with a plain run's. Expected exit code: 1.

expect: close=with line=23
expect: runs=1
expect: exit=1
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()

x = tf.compat.v1.placeholder(tf.float32, shape=[None])
y = tf.debugging.check_numerics(x, "bad values")
with tf.compat.v1.Session() as sess:
    sess.run(y, {x: np.array([np.nan], np.float32)})
