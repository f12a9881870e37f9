"""Keep the script's stdout ahead of what it writes to stderr after it.

Under the recorder the script's stdout is a pipe (the live view; `run --no-tui` when
output is not a terminal), so Python block-buffers it: a print() sits in the buffer
while a later traceback or log line goes straight to stderr, and the trace (and the
live view's Output pane) shows the line after the traceback that followed it. In the
terminal the script would otherwise write to, stdout is line-buffered and the order is
kept.

What we do: when the script's stderr is written through `sys.stderr` (print(file=...),
logging, warnings, traceback, the interpreter's report of an uncaught exception), the
original sys.stdout is flushed first. Nothing the script would reasonably check
changes: stdout is still a pipe (isatty() False), still block-buffered
(`line_buffering` False: a print() with no stderr after it is written as before), the
environment is untouched (no PYTHONUNBUFFERED, which the script's own children would
inherit), and sys.stdout and sys.stderr are the same objects of the same type. What
does change: `sys.stderr.write` is an attribute of the stderr object (a function that
flushes, then calls the original method), and stdout reaches its pipe in more, smaller
writes when the script interleaves it with stderr. The trade-off we accept: a flush (a
write system call only when stdout holds something) per write to stderr.

Not covered: writes to file descriptor 2 that bypass sys.stderr (TensorFlow's C++
logging, os.write(2, ...)): stdout still buffered at that moment reaches the pipe later.
When stdout is a terminal (a pty) it is line-buffered already, so nothing is done.
"""

from __future__ import annotations

import sys
from typing import Any


def install() -> None:
    out, err = sys.stdout, sys.stderr
    if out is None or err is None or out is err:
        return
    try:
        if out.isatty():
            return
        original = err.write
    except Exception:
        return

    def write(text: Any, /) -> Any:
        if sys.stdout is out:  # a stdout the script put in place is its own business
            try:
                out.flush()
            except Exception:
                pass  # (a broken pipe, a closed stdout) the script meets it at its own flush
        return original(text)

    try:
        err.write = write
    except (AttributeError, TypeError):
        pass  # a stderr object without an instance dictionary: left as it is
