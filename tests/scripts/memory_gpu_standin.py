"""A STAND-IN GPU: no machine here has one. Replaces TensorFlow's public
`tf.config.list_logical_devices` and `tf.config.experimental.get_memory_info` so that
they also answer for a fake "GPU:0" whose bytes in use grow by 64 MiB in each step,
inside the run (a py_func; peak kept as TensorFlow's allocator keeps it), then runs a session as a GPU script
would. Every other device goes to TensorFlow's own functions. The recorder reads GPU
memory through exactly these two public functions, so this exercises the path a real
GPU takes, not the GPU itself."""
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

MIB = 1 << 20
_real_list = tf.config.list_logical_devices
_real_info = tf.config.experimental.get_memory_info
fake = {"current": 0, "peak": 0}


def list_logical_devices(device_type=None):
    devices = _real_list(device_type)
    if device_type in (None, "GPU"):
        devices = devices + [tf.config.LogicalDevice(name="/device:GPU:0", device_type="GPU")]
    return devices


def get_memory_info(device):
    if device in ("GPU:0", "/device:GPU:0"):
        return dict(fake)
    return _real_info(device)


tf.config.list_logical_devices = list_logical_devices
tf.config.experimental.get_memory_info = get_memory_info

print([d.name for d in tf.config.list_logical_devices("GPU")], flush=True)  # initialises the context
tf.compat.v1.disable_eager_execution()


def allocate():  # what a GPU step does to its allocator: 64 MiB more in use
    fake["current"] += 64 * MIB
    fake["peak"] = max(fake["peak"], fake["current"])
    return 1.0


c = tf.compat.v1.py_func(allocate, [], tf.float64)
with tf.compat.v1.Session() as sess:
    for _ in range(3):
        sess.run(c)
        time.sleep(0.2)
    fake["current"] = 32 * MIB
    time.sleep(0.2)
print("done")
