"""Prints what a script can see of how it was started, then exits as told by argv."""
import json
import os
import pickle
import sys


class Point:
    def __init__(self, x):
        self.x = x


info = {
    "name": __name__,
    "file": __file__,
    "argv": sys.argv,
    "path0": sys.path[0],
    "main_is_module": sys.modules["__main__"] is sys.modules[__name__],
    "dunders": sorted(k for k in globals() if k.startswith("__")),
    "builtins_type": type(__builtins__).__name__,
    "spec": repr(__spec__),
    "pickle_roundtrip": pickle.loads(pickle.dumps(Point(3))).x,
    "stdin_isatty": os.isatty(0),
}
print(json.dumps(info, sort_keys=True))
how = sys.argv[1] if len(sys.argv) > 1 else "ok"
if how == "raise":
    def inner():
        raise ValueError("boom [bold]not markup[/bold]")
    inner()
elif how == "exit3":
    sys.exit(3)
elif how == "sigterm":
    import signal
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGTERM)
elif how == "syntax":
    compile("def broken(:\n", "<x>", "exec")
