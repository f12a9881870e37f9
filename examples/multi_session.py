"""Three sessions on separate graphs with overlapping lifetimes.

Sessions A and B run interleaved, A is closed while B goes on, an
InteractiveSession is opened and closed properly, and finally A is used
after its close (the error is caught). Takes about 3-4 seconds.
"""
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

TICK = 0.02

# Graph A: a counter.
graph_a = tf.Graph()
with graph_a.as_default():
    counter = tf.compat.v1.Variable(0, name="counter")
    step_a = tf.compat.v1.assign_add(counter, 1)
    init_a = tf.compat.v1.global_variables_initializer()

# Graph B: a small matrix product fed through a placeholder.
graph_b = tf.Graph()
with graph_b.as_default():
    x = tf.compat.v1.placeholder(tf.float32, shape=[4, 4])
    step_b = tf.reduce_sum(tf.matmul(x, x))

# Graph C: used by an InteractiveSession.
graph_c = tf.Graph()
with graph_c.as_default():
    noise = tf.reduce_mean(tf.random.normal([64]))

sess_a = tf.compat.v1.Session(graph=graph_a)
sess_a.run(init_a)
print("A opened")
for _ in range(20):
    sess_a.run(step_a)
    time.sleep(TICK)

sess_b = tf.compat.v1.Session(graph=graph_b)
print("B opened (A still open)")
ones = [[1.0] * 4] * 4
for i in range(20):
    sess_a.run(step_a)
    sess_b.run(step_b, feed_dict={x: ones})
    time.sleep(TICK)

print("A counter:", sess_a.run(counter))
sess_a.close()
print("A closed (B still open)")
for _ in range(15):
    sess_b.run(step_b, feed_dict={x: ones})
    time.sleep(TICK)

isess = tf.compat.v1.InteractiveSession(graph=graph_c)
print("C opened (interactive, B still open)")
for _ in range(20):
    noise.eval()
    sess_b.run(step_b, feed_dict={x: ones})
    time.sleep(TICK)
isess.close()
print("C closed")

sess_b.close()
print("B closed")

try:
    sess_a.run(step_a)  # A was closed above
except RuntimeError as e:
    print(f"A used after close -> RuntimeError: {e}")
