"""A session on a real in-process gRPC server (`tf.distribute.Server.create_local_server()`,
loopback): runs against it work as any other, a run after close is caught as for a
local session, and a session on a target where no server listens, created and closed
without a run, neither blocks nor prints anything (nothing contacts it).

Under tfsess-inspect, the session's devices are listed by a daemon thread named
`tfsess-devices` after its first run; the script waits for that thread to be done
(plain python has no such thread and does not wait). Expected exit code: 0.

expect: finding=run-after-close line=44
expect: close=explicit line=42
expect: close=explicit line=49
expect: runs=3
expect: exit=0
"""
import os
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()


def wait_for_device_listing():
    for _ in range(600):
        if not any(t.name == "tfsess-devices" for t in threading.enumerate()):
            return
        time.sleep(0.05)


server = tf.distribute.Server.create_local_server()
c = tf.add(tf.constant(10), tf.constant(20))

sess = tf.compat.v1.Session(server.target)
print("target is grpc:", sess.sess_str.startswith(b"grpc://localhost:"))
print("result:", sess.run(c))
print("again:", sess.run(c))
wait_for_device_listing()
sess.close()
try:
    sess.run(c)  # -> RuntimeError: Attempted to use a closed Session.
except RuntimeError as e:
    print(f"caught {type(e).__name__}: {e}")

nowhere = tf.compat.v1.Session("grpc://127.0.0.1:1")
nowhere.close()
print("done")
