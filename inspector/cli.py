"""The command line: builds the parser from `inspector.commands` and stays thin."""

from __future__ import annotations

import argparse
import os
import sys

from inspector import __version__
from inspector.commands import CommandError, export, replay, report
from inspector.commands import run as run_cmd

COMMANDS = {
    "run": run_cmd,
    "report": report,
    "replay": replay,
    "export": export,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tfsess-inspect",
        description="A terminal inspector for TensorFlow sessions. "
        "`tfsess-inspect script.py [args]` runs the script with the live view; "
        "`tfsess-inspect TRACE.jsonl` replays a recording.",
    )
    parser.add_argument("--version", action="version", version=f"tfsess-inspect {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(handler=module.run)
    return parser


def _looks_like_trace(path: str) -> bool:
    if path.endswith(".jsonl"):
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(14) == b'{"ev":"header"'
    except OSError:
        return False


_LEADING = {"--web": 0, "--port": 1}  # options of run/replay that may come first


def normalize_argv(argv: list[str]) -> list[str]:
    """`tfsess-inspect script.py args` means `run script.py args`; a trace means replay.
    `--web [--port N]` before the script or trace go to that command."""
    lead: list[str] = []
    while argv and (argv[0] in _LEADING or argv[0].startswith("--port=")):
        n = 1 + _LEADING.get(argv[0], 0)
        lead, argv = lead + argv[:n], argv[n:]
    if lead:
        rest = normalize_argv(argv)
        if rest and rest[0] in ("run", "replay"):
            return [rest[0], *lead, *rest[1:]]
        return [*lead, *rest]  # let the parser say what is wrong
    if not argv or argv[0].startswith("-") and argv[0] != "-m" or argv[0] in COMMANDS:
        return argv
    if argv[0] == "-m":
        return ["run", *argv]
    if _looks_like_trace(argv[0]):
        return ["replay", *argv]
    return ["run", *argv]


def main(argv: list[str] | None = None) -> int:
    argv = normalize_argv(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except CommandError as exc:
        sys.stderr.write(f"tfsess-inspect: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `report ... | head`: the reader left; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
