"""200 runs, then `os._exit(0)`: no atexit handlers, no interpreter shutdown.

The session is closed by its `with` block before `os._exit(0)`, so a
recorder must already have everything written when the process vanishes.
No findings. Expected exit code: 0.

expect: close=with line=22
expect: runs=200
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0) + tf.constant(1.0)
total = 0.0

with tf.compat.v1.Session() as sess:
    for _ in range(200):
        total += sess.run(c)
print("ran 200 times, total =", total, flush=True)
os._exit(0)
