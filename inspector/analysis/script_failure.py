"""How the script itself failed: its uncaught exception (the trace's `exc` event) and
the line it points at, for a view to show as prominently as a finding.

A `SyntaxError` is raised while the script is compiled, before any of its frames
runs, so its `exc` event has no site; its message names the file and the line
(`invalid syntax (x.py, line 3)`), and when that file is the script, that is the line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from inspector.analysis.state import TraceState

_COMPILE_SITE = re.compile(r"\((?P<name>[^()]+), line (?P<line>\d+)\)$")


@dataclass(frozen=True)
class ScriptFailure:
    type: str  # the exception's type: ModuleNotFoundError, SyntaxError, ...
    message: str
    file: str | None  # where it was raised in the script (None: not known)
    line: int | None
    function: str | None

    @property
    def exception(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type

    @property
    def where(self) -> str | None:
        """`file.py:LINE` (the file's base name), or None when not known."""
        if not self.file or not self.line:
            return None
        return f"{os.path.basename(self.file)}:{self.line}"

    def headline(self) -> str:
        """One line: `the script failed at x.py:2 with ModuleNotFoundError: ...`."""
        where = self.where
        return f"the script failed{f' at {where}' if where else ''} with {self.exception}"


def script_failure(state: TraceState) -> ScriptFailure | None:
    """The script's uncaught exception, or None (it ended normally, or still runs).
    `SystemExit` is an exit, not a failure: the agent records no `exc` for it."""
    text = state.exit.exception
    if text is None:
        return None
    kind, _, message = text.partition(": ")
    file = line = function = None
    if state.exit.exception_site is not None:
        file, line, function = state.exit.exception_site
        line = line or None
    elif kind in ("SyntaxError", "IndentationError", "TabError"):
        file, line = _compile_site(state, message)
    return ScriptFailure(kind or "?", message, file or None, line, function)


def _compile_site(state: TraceState, message: str) -> tuple[str | None, int | None]:
    """The script's file and line a compile error's message names (else None, None)."""
    match = _COMPILE_SITE.search(message)
    script = state.header.get("script")
    if match is None or not isinstance(script, str):
        return None, None
    if match.group("name") != os.path.basename(script):
        return None, None
    cwd = state.header.get("cwd")
    if not os.path.isabs(script) and isinstance(cwd, str):
        script = os.path.join(cwd, script)
    return script, int(match.group("line"))
