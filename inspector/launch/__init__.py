"""Launching the user's script: its own process (a child interpreter under the agent),
its output teed into the trace, its exit status recorded. The one place that starts the
script, for `run --no-tui` (commands/run.py) and the live view (tui/sources.py) alike.

- target.py: what to run, checked before anything starts; default trace and output paths;
- script_process.py: the child process, the output tee, signals, the exit status.
"""

from inspector.launch.script_process import ScriptProcess, run_passthrough
from inspector.launch.target import LaunchError, check_target, default_trace_path, output_path

__all__ = ["LaunchError", "ScriptProcess", "check_target", "default_trace_path", "output_path",
           "run_passthrough"]
