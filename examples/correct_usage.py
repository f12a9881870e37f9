"""Correct Session usage in graph mode: nothing here is a problem.

Shows a `with` block, try/finally, `as_default()` + `eval()`, and sessions on
an explicit `tf.Graph().as_default()`; every run happens on an open session.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

a = tf.constant(10)
b = tf.constant(20)
c = tf.add(a, b)

# 1. A `with` block closes the session for you.
with tf.compat.v1.Session() as sess:
    print("with block:", sess.run(c))

# 2. try/finally: close explicitly, even if a run fails.
sess = tf.compat.v1.Session()
try:
    print("try/finally:", sess.run(c))
finally:
    sess.close()

# 3. as_default() lets Tensor.eval() and Operation.run() find the session.
v = tf.compat.v1.Variable(1)
init = tf.compat.v1.global_variables_initializer()
sess = tf.compat.v1.Session()
with sess.as_default():
    init.run()
    print("eval:", c.eval(), "variable:", v.eval())
sess.close()

# 4. An explicit graph: build and run everything inside it.
graph = tf.Graph()
with graph.as_default():
    x = tf.constant([1.0, 2.0, 3.0])
    total = tf.reduce_sum(x)
    with tf.compat.v1.Session(graph=graph) as gsess:
        print("explicit graph:", gsess.run(total))

print("no problems")
