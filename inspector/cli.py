"""The command line: builds the parser from `inspector.commands` and stays thin."""

from __future__ import annotations

import argparse
import os
import sys

from inspector import __version__
from inspector.commands import CommandError, agent_path, export, follow, replay, report
from inspector.commands import run as run_cmd

COMMANDS = {
    "run": run_cmd,
    "report": report,
    "replay": replay,
    "export": export,
    "follow": follow,
    "agent-path": agent_path,
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


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tfsess-inspect run", add_help=False)
    run_cmd.add_arguments(parser)
    return parser


def _option_values(parser: argparse.ArgumentParser) -> dict[str, int]:
    """Each option string of `parser` and how many words it takes (0 or 1)."""
    return {s: 0 if a.nargs == 0 else 1 for a in parser._actions for s in a.option_strings}


_RUN_OPTIONS = _option_values(_run_parser())
_REPLAY_TOO = {"--web", "--port"}  # options of both run and replay that may come first


def _leading_option(word: str) -> tuple[str, int] | None:
    """(the option, the number of words it takes) when `word` is a `run` option that may
    come before the script in the short form (`-m` is not: it names the target)."""
    name = word.split("=", 1)[0] if word.startswith("--") else word
    if name == "-m" or name not in _RUN_OPTIONS:
        return None
    return name, 0 if "=" in word else _RUN_OPTIONS[name]


def normalize_argv(argv: list[str]) -> list[str]:
    """`tfsess-inspect script.py args` means `run script.py args`; a trace means replay.
    `run` options before the script or trace (`--no-tui x.py`, `--web t.jsonl`) go to
    that command."""
    lead: list[str] = []
    run_only = False
    while argv and (option := _leading_option(argv[0])):
        name, n = option
        run_only = run_only or name not in _REPLAY_TOO
        lead, argv = lead + argv[:1 + n], argv[1 + n:]
    if lead:
        rest = normalize_argv(argv)
        if run_only and rest[:1] == ["replay"] and argv[:1] != ["replay"]:
            rest = ["run", *rest[1:]]  # a trace after run options: run's hint names replay
        if rest and rest[0] in ("run", "replay"):
            return [rest[0], *lead, *rest[1:]]
        if run_only:  # `--no-tui` alone: run says what is missing, in one line
            return ["run", *lead, *rest]
        return [*lead, *rest]  # let the parser say what is wrong
    if not argv or argv[0].startswith("-") and argv[0] != "-m" or argv[0] in COMMANDS:
        return argv
    if argv[0] == "-m":
        return ["run", *argv]
    if _looks_like_trace(argv[0]):
        return ["replay", *argv]
    return ["run", *argv]


def split_at_module(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """`run` arguments (after `run`) split after `-m MODULE`: (the inspector's, the
    module's), as `python -m` does; (argv, None) when there is no `-m` before the script
    (a script's arguments are the script's already: REMAINDER takes them)."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "-m":
            return (argv[:i + 2], argv[i + 2:]) if i + 1 < len(argv) else (argv, None)
        if word.startswith("-m"):  # -mpkg.mod, as python takes it
            return argv[:i + 1], argv[i + 1:]
        if word == "--" or not word.startswith("-") or word == "-":
            return argv, None  # the script (or `--`) comes first
        name = word.split("=", 1)[0]
        i += 1 + (_RUN_OPTIONS.get(name, 0) if "=" not in word else 0)
    return argv, None


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line as given (short forms included) parsed into the command's arguments."""
    argv = normalize_argv(list(argv))
    parser = build_parser()
    module_args = None
    if argv and argv[0] == "run":
        head, module_args = split_at_module(argv[1:])
        argv = ["run", *head]
    args = parser.parse_args(argv)
    if module_args is not None:
        args.script_and_args = module_args
    elif getattr(args, "command", None) == "run":
        _options_after_notebook(args)
    return args


def _options_after_notebook(args: argparse.Namespace) -> None:
    """A notebook takes no arguments, so what follows one is the inspector's own
    options: `run --no-tui notebook.ipynb --fail-on error` is `run --no-tui --fail-on
    error notebook.ipynb`. Words that are no option stay, and `run` says so."""
    words = list(getattr(args, "script_and_args", None) or [])
    if len(words) < 2 or not words[0].lower().endswith(".ipynb"):
        return
    _, unknown = _run_parser().parse_known_args(words[1:], namespace=args)
    args.script_and_args = [words[0], *(args.script_and_args or []), *unknown]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not getattr(args, "handler", None):
        build_parser().print_help()
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
