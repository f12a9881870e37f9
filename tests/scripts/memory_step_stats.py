"""Runs a small graph in the ways `run --step-stats` must handle: plain sess.run, eval,
a call with its own RunMetadata but no tracing (it must get no step stats, as without
the recorder), and a call that traces itself (it keeps its own statistics)."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()
a = tf.compat.v1.Variable(tf.ones([64, 64]))  # a variable: not folded into a constant
b = tf.matmul(a, a, name="the_matmul")
total = tf.reduce_sum(b)
with tf.compat.v1.Session() as sess:
    sess.run(a.initializer)
    print("run", sess.run(total))
    print("run", sess.run(total, {a: [[1.0] * 64] * 64}))
    print("eval", total.eval())
    md = tf.compat.v1.RunMetadata()
    print("own metadata", sess.run(total, run_metadata=md), len(md.step_stats.dev_stats))
    opts = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
    md = tf.compat.v1.RunMetadata()
    print("own tracing", sess.run(total, options=opts, run_metadata=md), len(md.step_stats.dev_stats) > 0)
