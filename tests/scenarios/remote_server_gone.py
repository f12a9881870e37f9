"""A session on a gRPC server in a child process, killed after the session's first run.
The script goes on; it leaves with os._exit (plain TensorFlow would hang at exit trying
to close the session on the dead server).

Under tfsess-inspect, the daemon thread `tfsess-devices` finds the server gone and does
not call list_devices() (TensorFlow's call holds the GIL with no deadline: the whole
script would stop); the script waits for that thread to be done (plain python has no
such thread and does not wait). Expected exit code: 0.

expect: runs=1
expect: exit=0
"""
import os
import socket
import subprocess
import sys
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

SERVER = """
import sys, tensorflow as tf
spec = tf.train.ClusterSpec({"worker": ["localhost:" + sys.argv[1]]})
server = tf.distribute.Server(spec, job_name="worker", task_index=0)
print("up", flush=True)
server.join()
"""

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
child = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
print("server:", child.stdout.readline().strip())

c = tf.add(tf.constant(1.0), tf.constant(2.0))
sess = tf.compat.v1.Session(f"grpc://localhost:{port}")
print("result:", sess.run(c))
child.kill()
child.wait()
for _ in range(600):
    if not any(t.name == "tfsess-devices" for t in threading.enumerate()):
        break
    time.sleep(0.05)
print("still running after the server went away", flush=True)
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
