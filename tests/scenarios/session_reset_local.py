"""`tf.compat.v1.Session.reset("")` on the local (in-process) target.

In TF 2.21 this neither raises nor is a no-op: it closes EVERY in-process
session, on any graph, at the C++ level. Python still thinks the sessions are
open (`sess._closed` stays False), so the next runs fail in C++ with
tf.errors.CancelledError (caught). Expected exit code: 0.

expect: finding=run-after-close line=35
expect: finding=run-after-close line=39
expect: close=reset line=32
expect: close=reset line=32
expect: runs=4
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

c = tf.constant(1.0) + tf.constant(2.0)
g = tf.Graph()
with g.as_default():
    k = tf.constant(5.0)

s1 = tf.compat.v1.Session()
s2 = tf.compat.v1.Session(graph=g)
print("s1:", s1.run(c))
print("s2:", s2.run(k))
tf.compat.v1.Session.reset("")  # -> returns None; closes s1 AND s2
print("after reset, python-side closed flags:", s1._closed, s2._closed)
try:
    s1.run(c)  # -> CancelledError: Graph execution error:\n\nSession has been closed.
except tf.errors.CancelledError as e:
    print(f"caught {type(e).__name__}: {e}")
try:
    s2.run(k)  # -> CancelledError: Graph execution error:\n\nSession has been closed.
except tf.errors.CancelledError as e:
    print(f"caught {type(e).__name__}: {e}")
