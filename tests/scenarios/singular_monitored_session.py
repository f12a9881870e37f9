"""`tf.compat.v1.train.SingularMonitoredSession`: two good runs, close, then run after close.

`mon.close()` closes the wrapped tf Session; the later `mon.run` raises
AttributeError because the monitored session dropped its inner session
(caught). Expected exit code: 0.

expect: finding=run-after-close line=28
expect: close=monitored line=26
expect: runs=3
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

step = tf.compat.v1.train.get_or_create_global_step()
inc = tf.compat.v1.assign_add(step, 1)

mon = tf.compat.v1.train.SingularMonitoredSession()
print("step:", mon.run(inc))
print("step:", mon.run(inc))
mon.close()
try:
    mon.run(inc)  # -> AttributeError: 'NoneType' object has no attribute 'run'
except AttributeError as e:
    print(f"caught {type(e).__name__}: {e}")
