"""Configures virtual CPUs before and after its first session exists, while the eager
context is not yet initialised: allowed without the recorder, so it must stay allowed
with it (a recorder that read TensorFlow's memory figures too early would initialise the
context and make the second call fail). Then the context comes up (listing logical
devices), and the script sleeps a little so that a sampler can read it."""
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()
cpu = tf.config.list_physical_devices("CPU")[0]
time.sleep(0.2)
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
print("configured before the first session")
c = tf.constant(1.0) + 1.0
with tf.compat.v1.Session() as sess:
    print("run", sess.run(c))
    time.sleep(0.2)
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 3)
        print("configured after the first session")
    except RuntimeError as exc:
        print("RuntimeError:", exc)
    print([d.name for d in tf.config.list_logical_devices("CPU")])
    time.sleep(0.3)
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 4)
        print("configured after the context was initialised")
    except RuntimeError as exc:
        print("RuntimeError:", exc)
    print("run", sess.run(c))
