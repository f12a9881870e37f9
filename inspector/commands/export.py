"""`tfsess-inspect export TRACE --format chrome [-o OUT] [--force]`: the trace for other viewers.

`chrome` is the Chrome trace-event format, which Perfetto (ui.perfetto.dev) and
chrome://tracing load: see inspector/analysis/chrome_trace.py for the layout.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from inspector.analysis.chrome_trace import iter_chrome_json
from inspector.commands import CommandError
from inspector.commands._load import load_trace

HELP = "convert a recorded trace for other tools (--format chrome: Perfetto, chrome://tracing)"

PROGRESS_AFTER_S = 1.0  # say how far we are once an export takes longer than this


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("trace", help="a trace file written by `tfsess-inspect run`")
    parser.add_argument("--format", choices=("chrome",), default="chrome",
                        help="chrome: the Chrome trace-event JSON (default)")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="where to write (default: TRACE with .chrome.json instead of "
                             ".jsonl; '-' for stdout)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite OUT when it exists (without it: an error, exit 2)")


def default_output(trace: str) -> str:
    stem = trace[: -len(".jsonl")] if trace.endswith(".jsonl") else trace
    return stem + ".chrome.json"


class _Progress:
    """Progress on stderr, only once the export has taken a while."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.shown = False
        self.last = 0.0
        self.tty = sys.stderr.isatty()

    def note(self, text: str, force: bool = False) -> None:
        now = time.monotonic()
        if now - self.start < PROGRESS_AFTER_S and not self.shown:
            return
        if not force and now - self.last < (0.2 if self.tty else 2.0):
            return
        self.last = now
        self.shown = True
        sys.stderr.write(f"\r\x1b[Ktfsess-inspect: {text}" if self.tty else f"tfsess-inspect: {text}\n")
        sys.stderr.flush()

    def runs(self, done: int, total: int) -> None:
        self.note(f"export: {done:,} of {total:,} runs ({100 * done // max(total, 1)}%)",
                  force=done == total)

    def done(self) -> None:
        if self.shown and self.tty:
            sys.stderr.write("\n")


def run(args: argparse.Namespace) -> int:
    out = args.output or default_output(args.trace)
    if out != "-":
        out_dir = os.path.dirname(os.path.abspath(out))
        if os.path.isdir(out):
            raise CommandError(f"{out} is a directory: give a file name with -o")
        if not os.path.isdir(out_dir):
            raise CommandError(f"cannot write {out}: no directory {out_dir}")
        if os.path.abspath(out) == os.path.abspath(args.trace):
            raise CommandError(f"{out} is the trace itself: give another file with -o")
        if os.path.lexists(out) and not args.force:  # an earlier export, or a file of the user's
            raise CommandError(f"{out} exists: --force overwrites it (or give another file with -o)")
    progress = _Progress()
    loaded = load_trace(args.trace)
    progress.note(f"read {args.trace} ({len(loaded.state.runs):,} runs)")
    chunks = iter_chrome_json(loaded.state, loaded.findings, trace_path=os.path.abspath(args.trace),
                              progress=progress.runs)
    if out == "-":
        for chunk in chunks:
            sys.stdout.write(chunk)
        progress.done()
        return 0
    # Written next to the target and renamed at the end: a failed or interrupted
    # export never leaves half a JSON file under the name asked for.
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tfsess-export-", suffix=".tmp", dir=out_dir)
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", buffering=1 << 20) as fh:
            for chunk in chunks:
                fh.write(chunk)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise CommandError(f"cannot write {out}: {exc.strerror}") from None
        raise
    progress.done()
    sessions, runs = len(loaded.state.user_sessions()), len(loaded.state.runs)
    sys.stderr.write(f"tfsess-inspect: wrote {out} (Chrome trace events: {_count(sessions, 'session')}, "
                     f"{_count(runs, 'run')}, {_count(len(loaded.findings), 'finding')}): "
                     "open it in ui.perfetto.dev or chrome://tracing\n")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
