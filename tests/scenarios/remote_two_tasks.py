"""A two-task cluster on loopback (`tf.train.ClusterSpec` with two local
`tf.distribute.Server`s): an op placed with `tf.device('/job:worker/task:1')`, run
from a session on task 0's master and from one on task 1's; the session of task 1 is
used after its `with` block (caught).

Under tfsess-inspect, each session's devices (both tasks' CPUs) are listed by a daemon
thread named `tfsess-devices` after the session's first run; the script waits for that
thread to be done (plain python has no such thread and does not wait). Expected exit
code: 0.

expect: finding=run-after-close line=53
expect: close=with line=45
expect: close=explicit line=56
expect: runs=4
expect: exit=0
"""
import os
import socket
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


cluster = tf.train.ClusterSpec({"worker": [f"localhost:{free_port()}", f"localhost:{free_port()}"]})
task0 = tf.distribute.Server(cluster, job_name="worker", task_index=0)
task1 = tf.distribute.Server(cluster, job_name="worker", task_index=1)
with tf.device("/job:worker/task:0"):
    a = tf.constant(2.0, name="a")
with tf.device("/job:worker/task:1"):
    b = tf.multiply(a, 3.0, name="b")

chief = tf.compat.v1.Session(task0.target)
print("from task 0:", chief.run(b))
with tf.compat.v1.Session(task1.target) as other:
    print("from task 1:", other.run(b))
    print("again:", other.run(b))
    for _ in range(600):
        if not any(t.name == "tfsess-devices" for t in threading.enumerate()):
            break
        time.sleep(0.05)
try:
    other.run(b)  # -> RuntimeError: Attempted to use a closed Session.
except RuntimeError as e:
    print(f"caught {type(e).__name__}: {e}")
chief.close()
