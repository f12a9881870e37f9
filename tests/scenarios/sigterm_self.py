"""The script kills itself with SIGTERM after a few runs.

Three runs in a `with` block (session closed normally), then
`os.kill(os.getpid(), SIGTERM)` with the default handler: the process dies
at once (Popen returncode -15, shell exit status 143). No findings.
Expected exit code: 143.

expect: close=with line=24
expect: runs=3
expect: exit=143
"""
import os
import signal
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0) + tf.constant(1.0)

with tf.compat.v1.Session() as sess:
    for i in range(3):
        print("run", i, sess.run(c), flush=True)
os.kill(os.getpid(), signal.SIGTERM)
time.sleep(5)
print("not reached")
