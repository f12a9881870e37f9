"""Where the script's process starts: ``python .../inspector/agent/_launch.py TRACE T0
[flags] [-m] TARGET ARGS`` (see inspector/launch/script_process.py and bootstrap.main).

A file rather than ``python -c``: its frame, the bottom of every stack in the script's
process, then has a file name of its own, which TensorFlow's recorded op tracebacks can
leave out (patches.patch_tf_stack) as they leave out nothing of a plain run. Python puts
this directory first on sys.path; bootstrap.main puts the script's there instead, as
python would have."""

import os
import sys

_d = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # holds `inspector`
_added = _d not in sys.path
if _added:
    sys.path.append(_d)
from inspector.agent.bootstrap import main as _main  # noqa: E402

if _added:
    sys.path.remove(_d)
del _d, _added
_main(sys.argv[1:])
