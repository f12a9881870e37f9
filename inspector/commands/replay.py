"""`tfsess-inspect replay TRACE`: open a recorded run in the app (no TensorFlow needed)."""

from __future__ import annotations

import argparse
import json
import os

from inspector.commands import CommandError
from inspector.trace.reader import TraceError, check_header

HELP = "open a recorded trace in the inspector (post mortem; TensorFlow not needed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("trace", help="a trace file written by `tfsess-inspect run`")


def check_trace(path: str) -> None:
    """Fail early, in one line, on what is not a trace (before the screen switches)."""
    if os.path.isdir(path):
        raise CommandError(f"{path} is a directory, not a trace")
    try:
        with open(path, "rb") as fh:
            first = fh.readline(1 << 20)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from None
    if not first.strip():
        raise CommandError(f"{path} is empty: the recording never started")
    try:
        check_header(json.loads(first), path)
    except (ValueError, UnicodeDecodeError):
        raise CommandError(f"{path} is not a tfsess-inspect trace") from None
    except TraceError as exc:
        raise CommandError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    check_trace(args.trace)
    from inspector.tui.replay import run_replay

    return run_replay(args.trace)
