"""Runs from several threads on one shared session (a supported pattern).

Four threads each call `sess.run` 25 times while the `with` block keeps the
session open; all threads are joined before it closes. Zero findings.
Expected exit code: 0.

expect: close=with line=30
expect: runs=100
expect: exit=0
"""
import os
import threading

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

m = tf.random.uniform([32, 32])
c = tf.reduce_sum(tf.matmul(m, m))
results = []


def worker(sess, n):
    for _ in range(n):
        results.append(sess.run(c))


with tf.compat.v1.Session() as sess:
    threads = [threading.Thread(target=worker, args=(sess, 25)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
print("runs done:", len(results))
