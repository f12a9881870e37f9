"""What the user asked to run, checked before anything starts (a mistake is one line, exit
2), and where its trace and output go by default."""

from __future__ import annotations

import os
import subprocess


class LaunchError(Exception):
    """A problem with what the user asked to run (reported in one line, exit 2)."""


def output_path(trace_path: str) -> str:
    """Where the script's whole output goes: next to the trace, ``TRACE.out``."""
    return trace_path + ".out"


def default_trace_path(target: str, as_module: bool) -> str:
    stem = target.rsplit(".", 1)[-1] if as_module else os.path.splitext(os.path.basename(target))[0]
    return os.path.abspath(f"tfsess-{stem}-{os.getpid()}.jsonl")


def check_target(target: str, as_module: bool, python: str) -> None:
    """Catch the user's mistakes before starting anything."""
    if as_module:
        probe = subprocess.run(
            [python, "-c", "import importlib.util,sys; sys.exit(0 if importlib.util.find_spec(sys.argv[1]) else 3)", target],
            cwd=os.getcwd(), capture_output=True,
        )
        if probe.returncode != 0:
            raise LaunchError(f"no module named {target!r} (looked up from {os.getcwd()})")
        return
    if not os.path.exists(target):
        raise LaunchError(f"{target}: no such file")
    if os.path.isdir(target):
        raise LaunchError(f"{target} is a directory, not a Python script")
    if not os.access(target, os.R_OK):
        raise LaunchError(f"{target}: not readable")
    with open(target, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b'{"ev":"header"'):
        raise LaunchError(f"{target} is a trace, not a script: did you mean `tfsess-inspect replay {target}`?")
    if b"\x00" in head:
        raise LaunchError(f"{target} is a binary file, not a Python script")
