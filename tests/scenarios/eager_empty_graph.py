"""Eager tensor fetched through a Session whose graph is empty (eager mode on).

This is the seed article's situation on TF2: `c` is an EagerTensor, the
session's graph has no ops, and `sess.run(c)` raises RuntimeError "The
Session graph is empty..." (caught). Expected exit code: 0.

expect: finding=eager-in-session line=22
expect: close=with line=20
expect: runs=1
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

c = tf.add(tf.constant(10), tf.constant(20))  # eager: an EagerTensor, not a graph tensor

with tf.compat.v1.Session() as sess:
    try:
        sess.run(c)  # -> RuntimeError: The Session graph is empty. Add operations to the graph before calling run().
    except RuntimeError as e:
        print(f"caught {type(e).__name__}: {e}")
