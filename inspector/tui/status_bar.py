"""The status bar: script, state, elapsed time, trace path, totals."""

from __future__ import annotations

import signal

from rich.text import Text
from textual.widgets import Static

from inspector.tui._textual_compat import update_static
from inspector.tui.text import one_line, plural

STATE_STYLE = {
    "starting": "bold black on yellow",
    "running": "bold black on green",
    "exited": "bold white on blue",
    "failed": "bold white on red",
    "killed": "bold white on red",
    "trace": "bold white on blue",
    "problem": "bold white on red",
}


def signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def state_words(state, code: int | None, signum: int | None) -> tuple[str, str]:
    """(words, style key) for the script's state."""
    if state == "starting":
        return "starting", "starting"
    if state == "running":
        return "running", "running"
    if signum:
        return f"killed by {signal_name(signum)}", "killed"
    if code is None:
        return "ended", "exited"
    return f"exited with code {code}", "exited" if code == 0 else "failed"


def elapsed(seconds: float) -> str:
    m, s = divmod(max(0.0, seconds), 60)
    if m >= 60:
        h, m = divmod(m, 60)
        return f"{int(h)}:{int(m):02d}:{s:04.1f}"
    return f"{int(m):02d}:{s:04.1f}"


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar {
        height: auto;
        max-height: 3;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    _shown: tuple | None = None

    def show(self, *, title: str, state: str, code: int | None, signum: int | None,
             seconds: float | None, trace: str, sessions: int, runs: int, findings: int,
             severities: dict[str, int], follow: bool, extra: list[str], width: int,
             failure: str | None = None) -> None:
        words, key = state_words(state, code, signum)
        text = Text(no_wrap=False, overflow="fold")
        text.append(f" {words} ", STATE_STYLE[key])
        text.append(" ")
        text.append(one_line(title, max(20, width // 3)), "bold")
        if seconds is not None:
            text.append(f"  {elapsed(seconds)}", "cyan")
        if failure:  # the script's uncaught exception: first, before the totals
            text.append("  ")
            text.append(f" {one_line(failure, max(40, width - 4))} ", STATE_STYLE["failed"])
        text.append("  ")
        text.append(f"sessions {sessions} · runs {runs} · ")
        errors = severities.get("error", 0)
        style = "bold red" if errors else ("bold yellow" if findings else "bold green")
        text.append(f"findings {findings}", style)
        if findings:  # (1 error), (1 warning), (2 errors, 1 warning)
            counts = [plural(severities[s], s) for s in ("error", "warning", "info")
                      if severities.get(s)]
            text.append(f" ({', '.join(counts)})", style)
        if follow:
            text.append("  ● follow", "bold green")
        for item in extra:
            text.append("  ")
            text.append(one_line(item), "bold yellow")
        text.append("  trace ", "dim")
        text.append(one_line(trace), "dim")
        key = (text.plain, tuple(text.spans), width)
        if key == self._shown:
            return  # (the app asks 4 times a second, and on every key)
        self._shown = key
        update_static(self, text)  # a layout only when the number of lines changes
