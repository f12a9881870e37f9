"""`tfsess-inspect replay TRACE`: open a recorded run in the app (no TensorFlow needed)."""

from __future__ import annotations

import argparse

from inspector.commands import CommandError
from inspector.integrations import web
from inspector.trace.reader import TraceError, check_trace_file

HELP = "open a recorded trace in the inspector (post mortem; TensorFlow not needed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("trace", help="a trace file written by `tfsess-inspect run`")
    parser.add_argument("--follow", action="store_true",
                        help="the trace is still being written: follow it (= tfsess-inspect follow)")
    web.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    # Fail in one line on what is not a trace before the screen switches to the app.
    try:
        check_trace_file(args.trace)
    except TraceError as exc:
        raise CommandError(str(exc)) from None
    if args.follow:
        if args.web:
            raise CommandError("--follow is for the terminal: it does not go with --web")
        from inspector.commands.follow import follow

        return follow(args.trace)
    if args.web:  # the same app in a browser (inspector/integrations/web.py)
        return web.serve(["replay", args.trace], f"tfsess-inspect replay {args.trace}", args.port)
    from inspector.tui.replay import run_replay

    return run_replay(args.trace)
