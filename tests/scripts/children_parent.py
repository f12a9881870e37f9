"""A script whose Python children use sessions: a subprocess running another script
(which runs after close), a multiprocessing spawn pool, a forked child that imports
TensorFlow after the fork, and a child that never imports TensorFlow."""

import multiprocessing
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = os.path.dirname(os.path.abspath(__file__))


def pool_task(n):
    import tensorflow as tf

    g = tf.Graph()
    with g.as_default():
        c = tf.constant(float(n)) * 2.0
    with tf.compat.v1.Session(graph=g) as sess:
        return float(sess.run(c))


if __name__ == "__main__":
    r = subprocess.run([sys.executable, os.path.join(HERE, "children_child.py")])
    print("subprocess exit", r.returncode, flush=True)
    r = subprocess.run([sys.executable, "-c", "print('no tensorflow here')"])
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        print("pool", pool.map(pool_task, [1, 2]), flush=True)
    pid = os.fork()
    if pid == 0:
        import tensorflow as tf

        tf.compat.v1.disable_eager_execution()
        c = tf.constant(5.0)
        sess = tf.compat.v1.Session()
        print("forked", sess.run(c), flush=True)
        os._exit(0)  # leaves its session open
    _, status = os.waitpid(pid, 0)
    print("fork exit", os.waitstatus_to_exitcode(status), flush=True)
