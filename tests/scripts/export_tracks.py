"""For the export tests: two sessions, one of them run from two threads, and a run
after close (swallowed), so the timeline has several tracks and a finding."""
import os
import threading

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()

x = tf.compat.v1.placeholder(tf.float32, shape=[None], name="x")
total = tf.reduce_sum(x * 2.0, name="total")

first = tf.compat.v1.Session()
second = tf.compat.v1.Session()
for i in range(3):
    first.run(total, feed_dict={x: [float(i)]})


def worker():
    for i in range(2):
        second.run(total, feed_dict={x: [float(i)]})


t = threading.Thread(target=worker, name="feeder")
t.start()
t.join()
second.run(total, feed_dict={x: [1.0]})
second.close()
first.close()
try:
    first.run(total, feed_dict={x: [1.0]})
except RuntimeError as exc:
    print("swallowed:", exc)
