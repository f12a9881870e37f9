"""Makes runs forever, printing how many it made; the test SIGKILLs it."""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
c = tf.constant(1.0) + 1.0
sess = tf.compat.v1.Session()
n = 0
while True:
    sess.run(c)
    n += 1
    if n % 50 == 0:
        sys.stdout.write(f"{n}\n")
        sys.stdout.flush()
