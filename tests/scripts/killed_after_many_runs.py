"""Makes runs forever from two threads; after each run returns, the count of returned
runs goes into a shared mapping of COUNTER_FILE (page cache: it survives a SIGKILL as the
trace does). Also feeds a placeholder whose batch size changes. The test SIGKILLs it."""
import mmap
import os
import struct
import sys
import threading

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
x = tf.compat.v1.placeholder(tf.float32, [None, 4])
c = tf.constant(1.0) + 1.0
total = tf.reduce_sum(x)
sess = tf.compat.v1.Session()
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, 16)
counter = mmap.mmap(fd, 16)
lock = threading.Lock()
done = 0
counter[8:16] = struct.pack("<q", os.getpid())


def returned() -> None:
    global done
    with lock:
        done += 1
        counter[0:8] = struct.pack("<q", done)


def feeder() -> None:
    batch = np.ones((8, 4), np.float32)
    small = np.ones((3, 4), np.float32)
    i = 0
    while True:
        sess.run(total, feed_dict={x: batch if i % 100 else small})
        returned()
        i += 1


threading.Thread(target=feeder, daemon=True).start()
while True:
    sess.run(c)
    returned()
