"""`tfsess-inspect run [--no-tui] [-o TRACE] (script.py | -m module) [args...]`."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from rich.console import Console
from rich.text import Text

from inspector.analysis.model import SEVERITY_ORDER
from inspector.commands import CommandError
from inspector.commands._load import load_trace
from inspector.commands._summary import print_summary
from inspector.integrations import web
from inspector.launch import (
    LaunchError,
    ScriptProcess,
    check_target,
    default_trace_path,
    run_passthrough,
)
from inspector.tui.text import clean

HELP = ("run a script under the recorder: with the live view (the script's stdin is then "
        "/dev/null: the terminal belongs to the app), or --no-tui for CI")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-tui", action="store_true",
                        help="no live view: the script keeps the terminal (stdin, stdout, stderr "
                             "pass straight through) and a summary is printed to stderr at the end")
    parser.add_argument("-o", "--output", metavar="TRACE",
                        help="where to write the trace (default: ./tfsess-<script>-<pid>.jsonl)")
    parser.add_argument("--fail-on", choices=("error", "warning"), default=None,
                        help="with --no-tui: exit 1 when the trace has findings of this severity or "
                             "worse, even if the script exited 0 (its own non-zero exit code wins)")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that runs the script (default: this one)")
    parser.add_argument("--memory-interval", type=_seconds, metavar="SECONDS",
                        help="seconds between samples of the script's memory (default 0.1; 0: "
                             "only at session creation and close)")
    parser.add_argument("--step-stats", action="store_true",
                        help="trace every sess.run with RunOptions FULL_TRACE and record per-allocator "
                             "peaks and the slowest ops (costs tens of µs per run: off by default)")
    parser.add_argument("-m", dest="module", metavar="MODULE",
                        help="run a module as `python -m MODULE` would: every word after MODULE is "
                             "the module's (`-m pytest -q -x`)")
    web.add_arguments(parser)
    parser.add_argument("script_and_args", nargs=argparse.REMAINDER, metavar="script.py [args...]")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds: {text!r}")
    return value


def target_of(args: argparse.Namespace) -> tuple[str, list[str], bool]:
    if args.module:
        return args.module, list(args.script_and_args), True
    if not args.script_and_args:
        raise CommandError("no script given: tfsess-inspect run [--no-tui] script.py [args...]")
    return args.script_and_args[0], list(args.script_and_args[1:]), False


NOTEBOOK_RUNNER = "inspector.integrations.notebook.runner"


def notebook_target(target: str, script_args: list[str], python: str) -> tuple[str, list[str]]:
    """`run NOTEBOOK.ipynb`: the notebook runner as the script (a module), given the
    notebook; the user's mistakes (no such file, not a notebook, no ipykernel) first."""
    from inspector.integrations.notebook.check import NotebookError, check_can_run

    if script_args:
        raise CommandError(f"a notebook takes no arguments: tfsess-inspect run {target}")
    try:
        check_can_run(target, python)
    except NotebookError as exc:
        raise CommandError(str(exc)) from None
    return NOTEBOOK_RUNNER, [os.path.abspath(target)]


def run(args: argparse.Namespace) -> int:
    target, script_args, as_module = target_of(args)
    trace_name = (target, as_module)
    if not as_module and target.lower().endswith(".ipynb"):
        target, script_args = notebook_target(target, script_args, args.python)
        as_module = True
    try:
        if trace_name[0] == target:
            check_target(target, as_module, args.python)
    except LaunchError as exc:
        raise CommandError(str(exc)) from None
    fail_on = getattr(args, "fail_on", None)
    if fail_on and not args.no_tui:
        raise CommandError("--fail-on is for CI runs: use it with --no-tui")
    if getattr(args, "web", False):
        if args.no_tui:
            raise CommandError("--web serves the live view: it does not go with --no-tui")
        return web.serve(_live_argv(args), f"tfsess-inspect {target}", args.port)
    trace = args.output or default_trace_path(*trace_name)
    if not args.no_tui:
        from inspector.tui import live

        code = live.run_live(target, script_args, as_module, trace, args.python,
                             memory_interval=args.memory_interval, step_stats=args.step_stats)
        if not web.IN_BROWSER_TAB:  # a tab's stderr lands on the server's stdout
            say_what_was_kept(trace)
        return code
    proc = ScriptProcess(target, script_args, trace, as_module=as_module, python=args.python,
                         memory_interval=args.memory_interval, step_stats=args.step_stats)
    try:
        code = run_passthrough(proc)
    except LaunchError as exc:
        raise CommandError(str(exc)) from None
    try:
        loaded = load_trace(trace)
        print_summary(Console(stderr=True, highlight=False), loaded.state, loaded.findings, trace,
                      loaded.cut)
    except CommandError as exc:
        sys.stderr.write(f"tfsess-inspect: {exc}\n")
        return 2 if fail_on and code == 0 else code  # a gate that could not look fails
    if fail_on and code == 0:
        return _gate(loaded.findings, fail_on)
    return code


def say_what_was_kept(trace: str) -> None:
    """After the live view: the totals line of `run --no-tui`'s summary, the trace and how
    to replay it (on stderr, once the app has given the terminal back)."""
    if not os.path.exists(trace):  # the script never started: that was said
        return
    try:
        loaded = load_trace(trace)
    except CommandError as exc:
        sys.stderr.write(f"tfsess-inspect: {exc}\n")
        return
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    with console.capture() as captured:  # its first line is the totals, whatever it says
        print_summary(console, loaded.state, loaded.findings, trace, loaded.cut)
    sys.stderr.write(captured.get().splitlines()[0] + "\n")
    sys.stderr.flush()
    rel = os.path.relpath(trace)
    shown = trace if rel.startswith("..") else rel
    console.print(Text(f"  trace: {clean(shown)} · replay it: tfsess-inspect replay "
                       f"{clean(shlex.quote(shown))}", style="dim"))


def _live_argv(args: argparse.Namespace) -> list[str]:
    """The `run` arguments of the live view behind --web (the same, without --web)."""
    argv = ["run"]
    if args.output:
        argv += ["-o", args.output]
    if args.python != sys.executable:
        argv += ["--python", args.python]
    if args.memory_interval is not None:
        argv += ["--memory-interval", repr(args.memory_interval)]
    if args.step_stats:
        argv.append("--step-stats")
    if args.module:
        argv += ["-m", args.module]
    return argv + list(args.script_and_args)


def _gate(findings: list, fail_on: str) -> int:
    """--fail-on: 1 when a finding is of severity `fail_on` or worse."""
    limit = SEVERITY_ORDER[fail_on]
    bad = sum(1 for f in findings if SEVERITY_ORDER.get(f.severity, 99) <= limit)
    if not bad:
        return 0
    sys.stderr.write(f"tfsess-inspect: --fail-on {fail_on}: {bad} finding{'s' if bad != 1 else ''} "
                     f"of severity {fail_on} or worse: exit 1\n")
    return 1
