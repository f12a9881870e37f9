"""Grows memory in four steps: four 64 MiB variables initialised one by one, a short
sleep after each. With the argument `eager`, the script initialises TensorFlow's eager
context first (so the recorder may read the allocator too)."""
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

if "eager" in sys.argv[1:]:
    print(len(tf.config.list_logical_devices("CPU")), "logical CPU", flush=True)
tf.compat.v1.disable_eager_execution()
variables = [tf.compat.v1.Variable(tf.zeros([16 * 1024 * 1024]), name=f"v{i}") for i in range(4)]
with tf.compat.v1.Session() as sess:
    time.sleep(0.25)
    for v in variables:
        sess.run(v.initializer)
        print("initialised", v.op.name, flush=True)
        time.sleep(0.25)
print("done")
