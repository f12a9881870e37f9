"""Eager tensor fetched through a Session whose graph is NOT empty (eager mode on).

The session runs on graph `g` (which has ops), so the empty-graph check
passes and fetching the EagerTensor `e` fails while TF looks up its graph:
AttributeError (not TypeError) in TF 2.21 (caught). Expected exit code: 0.

expect: finding=eager-in-session line=26
expect: close=with line=23
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

e = tf.constant(1.0) + 1.0  # eager: an EagerTensor
g = tf.Graph()
with g.as_default():
    k = tf.constant(3.0)

with tf.compat.v1.Session(graph=g) as sess:
    print("k:", sess.run(k))
    try:
        sess.run(e)  # -> AttributeError: Tensor.graph is undefined when eager execution is enabled.
    except AttributeError as err:
        print(f"caught {type(err).__name__}: {err}")
