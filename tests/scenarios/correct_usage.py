"""A correct script: every run happens on an open session of the right graph.

Covers a `with` block, try/finally, make_callable (with and without
feed_list), `as_default()` + `eval()`/`op.run()`, an explicit
`tf.Graph().as_default()`, and an InteractiveSession closed properly.
Zero findings of any kind. Expected exit code: 0.

expect: close=with line=33
expect: close=explicit line=47
expect: close=explicit line=54
expect: close=with line=61
expect: close=explicit line=68
expect: runs=11
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

a = tf.constant(3.0)
b = tf.constant(4.0)
c = a * b
v = tf.compat.v1.Variable(1.0)
init = tf.compat.v1.global_variables_initializer()
p = tf.compat.v1.placeholder(tf.float32, shape=[])
d = p + 1.0

# 1. with-block
with tf.compat.v1.Session() as sess1:
    sess1.run(init)
    print("with:", sess1.run(c))
    print("with + feed:", sess1.run(d, feed_dict={p: 1.0}))

# 2. try/finally, plus callables
sess2 = tf.compat.v1.Session()
try:
    print("try:", sess2.run(c))
    step = sess2.make_callable(c)
    print("callable:", step())
    add_one = sess2.make_callable(d, feed_list=[p])
    print("callable + feed_list:", add_one(2.0))
finally:
    sess2.close()

# 3. as_default + eval / op.run
sess3 = tf.compat.v1.Session()
with sess3.as_default():
    init.run()
    print("eval:", c.eval())
sess3.close()

# 4. explicit graph
g = tf.Graph()
with g.as_default():
    x = tf.constant([1.0, 2.0, 3.0])
    y = tf.reduce_sum(x)
    with tf.compat.v1.Session() as sess4:
        print("graph run:", sess4.run(y))
        print("graph eval:", y.eval())

# 5. InteractiveSession, closed properly
isess = tf.compat.v1.InteractiveSession()
print("interactive eval:", c.eval())
isess.close()
print("all good")
