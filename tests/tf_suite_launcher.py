"""Run one of TensorFlow's own test files (tests/tf_suites/) on today's TensorFlow.

    python tests/tf_suite_launcher.py [--tf1] tests/tf_suites/session_test.py [googletest args]

The only session_test.py the reference index holds is from early 2019 (TF 1.13 era). It
is kept verbatim; what TF 2.21 and numpy 2 removed since is put back here, before the
file runs, and nothing else:

- `ops.RegisterShape(name)(fn)`: Python shape functions are gone (shapes come from the
  C++ op registry); the file registers one for an op it never builds. A no-op here.
- `common_shapes.unknown_shape`: gone with it; only passed to the no-op above.
- `np.object`: removed in numpy 1.24; it was an alias of the builtin `object`.

`--tf1` first calls `tf.compat.v1.disable_v2_behavior()`, as TF 1.x-style programs do and
as TensorFlow's own v1 test configuration runs these files: the `@run_v1_only` tests
(InteractiveSession, as_default, timeouts, partial_run with conversion functions, ...)
then run instead of being skipped.

The launcher runs the file as `__main__` with sys.argv and sys.path[0] as if it had been
run directly, so the plain and the recorded run (`tfsess-inspect run ... launcher suite`)
execute exactly the same code.
"""

from __future__ import annotations

import os
import runpy
import sys


def _install_shims() -> None:
    import numpy as np
    from tensorflow.python.framework import common_shapes, ops

    if not hasattr(ops, "RegisterShape"):
        ops.RegisterShape = lambda op_type: (lambda fn: fn)
    if not hasattr(common_shapes, "unknown_shape"):
        common_shapes.unknown_shape = lambda op: None
    if "object" not in np.__dict__:
        np.object = object


def main() -> None:
    args = sys.argv[1:]
    tf1 = bool(args) and args[0] == "--tf1"
    if tf1:
        args = args[1:]
    if not args:
        sys.exit("usage: tf_suite_launcher.py [--tf1] SUITE.py [args...]")
    suite = os.path.abspath(args[0])
    _install_shims()
    if tf1:
        from tensorflow.python.compat import v2_compat

        v2_compat.disable_v2_behavior()
    sys.argv = [suite, *args[1:]]
    sys.path[0] = os.path.dirname(suite)
    runpy.run_path(suite, run_name="__main__")


if __name__ == "__main__":
    main()
