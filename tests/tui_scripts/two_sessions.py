"""Two graph-mode sessions; the second is run after its `with` block closed it.

Also prints Rich markup and a terminal escape, and fetches a name that looks like
markup, so the TUI tests can check that user text is shown literally; the last run
(an eager tensor on a closed session) is the event of two findings.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf

eager = tf.constant(7)  # made before eager execution is turned off: an EagerTensor

tf.compat.v1.disable_eager_execution()

a = tf.constant(2.0, name="a")
b = tf.constant(3.0, name="b")
total = tf.add(a, b, name="total")

first = tf.compat.v1.Session()
for _ in range(5):
    first.run(total)
first.close()

print("[bold red]not markup[/bold red] \x1b[31mnot red\x1b[0m")

with tf.compat.v1.Session() as second:
    second.run([a, b])

try:
    second.run(total)
except RuntimeError as exc:
    print("caught:", exc)

try:
    first.run("[bold]x[/bold]:0")
except Exception as exc:
    print("caught:", type(exc).__name__)

try:
    first.run(eager)
except Exception as exc:
    print("caught:", type(exc).__name__)
