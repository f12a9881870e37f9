"""The files here are TensorFlow's googletest mains, run as scripts by
tests/test_tf_suites.py; pytest must not collect them itself (*_test.py)."""

collect_ignore_glob = ["*.py"]
