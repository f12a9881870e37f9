"""`Operation.run()` with no default session registered.

`init.run()` works inside `with sess.as_default():` and raises ValueError
after that block (caught); the session itself is still open and is closed
explicitly at the end. Expected exit code: 0.

expect: finding=no-default-session line=27
expect: close=explicit line=31
expect: runs=3
expect: exit=0
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.compat.v1.disable_eager_execution()

v = tf.compat.v1.Variable(1.0)
init = tf.compat.v1.global_variables_initializer()

sess = tf.compat.v1.Session()  # not `with Session()`: that would also make it the default
with sess.as_default():
    init.run()
try:
    init.run()  # -> ValueError: Cannot execute operation using `run()`: No default session is registered. Use `with sess.as_default():` or pass an explicit session to `run(session=sess)`
except ValueError as e:
    print(f"caught {type(e).__name__}: {e}")
print("v:", sess.run(v))
sess.close()
