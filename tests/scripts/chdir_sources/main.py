"""Run as `main.py ELSEWHERE` from its own directory: a session, os.chdir(ELSEWHERE), a
second session, runs from a helper imported through a relative sys.path entry and from
code compiled under a relative file name, os.chdir("/"), then both closes."""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, "lib")
import helper  # noqa: E402

ns = {}
with open("lib/compiled.py") as fh:
    exec(compile(fh.read(), "lib/compiled.py", "exec"), ns)
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()
c = tf.constant(1.0) + 1.0
s1 = tf.compat.v1.Session()
helper.run_twice(s1, c)
os.chdir(sys.argv[1])
s2 = tf.compat.v1.Session()
helper.run_twice(s2, c)
ns["run_once"](s2, c)
s1.run(c)
os.chdir("/")
s1.close()
s2.close()
print("done in", os.getcwd())
