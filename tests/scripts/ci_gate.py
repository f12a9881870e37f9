"""For the CI-gate tests: `ci_gate.py MODE CODE`.

MODE `rac`: a run after close whose RuntimeError is swallowed (an error finding), and a
session left open (a warning); MODE `leak`: only the session left open. Then exits with
CODE.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()

mode, code = sys.argv[1], int(sys.argv[2])
c = tf.add(tf.constant(1), tf.constant(2), name="total")
leaked = tf.compat.v1.Session()
print("leaked session ran:", leaked.run(c))
if mode == "rac":
    sess = tf.compat.v1.Session()
    print("ran:", sess.run(c, feed_dict={}))
    sess.close()
    try:
        sess.run(c)
    except RuntimeError as exc:
        print("swallowed:", exc)
sys.exit(code)
