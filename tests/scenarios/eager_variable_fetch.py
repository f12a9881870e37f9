"""Eager `tf.Variable` fetched through a Session with a non-empty graph.

Unlike an EagerTensor (AttributeError), an eager ResourceVariable cannot be
converted into a fetch at all and `sess.run(v)` raises TypeError (caught).
Expected exit code: 0.

expect: finding=eager-in-session line=26
expect: close=with line=23
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

v = tf.Variable(2.0)  # eager: a ResourceVariable living outside any graph
g = tf.Graph()
with g.as_default():
    k = tf.constant(3.0)

with tf.compat.v1.Session(graph=g) as sess:
    print("k:", sess.run(k))
    try:
        sess.run(v)  # -> TypeError: Argument `fetch` = <tf.Variable 'Variable:0' shape=() dtype=float32> has invalid type "ResourceVariable" must be a string or Tensor. (Can not convert a ResourceVariable into a Tensor or Operation.)
    except TypeError as err:
        print(f"caught {type(err).__name__}: {err}")
