"""Run after an explicit close: `sess.run(c)` after `sess.close()`.

One good run, then `sess.close()`, then a run on the closed session that
raises RuntimeError (caught and printed). Expected exit code: 0.

expect: finding=run-after-close line=27
expect: close=explicit line=25
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

a = tf.constant(10)
b = tf.constant(20)
c = tf.add(a, b)

sess = tf.compat.v1.Session()
print("result:", sess.run(c))
sess.close()
try:
    sess.run(c)  # -> RuntimeError: Attempted to use a closed Session.
except RuntimeError as e:
    print(f"caught {type(e).__name__}: {e}")
