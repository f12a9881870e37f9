"""`SparseTensor.eval()` with a default session, and with `session=sess`.

Both evals succeed and return a SparseTensorValue; zero findings.
Expected exit code: 0.

expect: close=with line=20
expect: runs=2
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

sp = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[2, 3])

with tf.compat.v1.Session() as sess:
    print("default session:", sp.eval())
    print("explicit session:", sp.eval(session=sess))
