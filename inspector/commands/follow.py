"""`tfsess-inspect follow TRACE`: the app on a trace another process is still writing
(a job with TFSESS_INSPECT_TRACE, a notebook's kernel, a run in another terminal)."""

from __future__ import annotations

import argparse

from inspector.commands import CommandError
from inspector.trace.reader import TraceError, check_trace_file

HELP = ("open the inspector on a trace that another process is still writing (a job with "
        "TFSESS_INSPECT_TRACE, a notebook's kernel) and follow it as the live view does")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("trace", help="the trace file being written")


def run(args: argparse.Namespace) -> int:
    return follow(args.trace)


def follow(trace: str) -> int:
    # Fail in one line on what is not a trace before the screen switches to the app.
    try:
        check_trace_file(trace)
    except TraceError as exc:
        raise CommandError(str(exc)) from None
    from inspector.tui.follow import run_follow

    try:
        return run_follow(trace)
    except TraceError as exc:
        raise CommandError(str(exc)) from None
