"""Leaving the app for a while or for good: the line in `$EDITOR` (`o`), SIGINT to the
script (`ctrl+c`), quitting (`q`, which asks while the script runs).
"""

from __future__ import annotations

import os
import shlex
import subprocess

from inspector.tui._textual_compat import suspended
from inspector.tui.confirm_screen import ConfirmQuit


class Leaving:
    """The InspectorApp's editor, interrupt and quit keys."""

    def _init_leaving(self) -> None:
        self.exited = False
        self.exit_code: int | None = None
        self.interrupted = False

    def editor_command(self) -> list[str] | None:
        st = self.view.state
        if st is None or self.selected_ref is None:
            return None
        info = self.view.info(self.selected_ref)
        finding = self.view.finding_for_event(info.index)
        file, line = (finding.file, finding.line) if finding else (info.site.file, info.site.line)
        if not file or file == "?":
            return None
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        return [*shlex.split(editor), f"+{line}", file]

    def action_open_editor(self) -> None:
        cmd = self.editor_command()
        if cmd is None:
            self.notify("No source line selected.", timeout=2)
            return
        try:
            with suspended(self):
                subprocess.run(cmd, check=False)
        except OSError as exc:
            self.notify(f"cannot run {cmd[0]}: {exc.strerror}", severity="error", markup=False)

    def action_interrupt(self) -> None:
        """ctrl+c: stop the script (SIGINT); pressed again, or with nothing running, quit."""
        if self.source.running and not self.interrupted:
            self.interrupted = self.source.interrupt()
            self.notify("Sent SIGINT to the script. ctrl+c again quits.", timeout=4)
            self._update_status()
            return
        self.exit(self.exit_code)

    def action_quit_app(self) -> None:
        if self.source.running:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.exit(self.exit_code)

            self.push_screen(ConfirmQuit(), answered)
            return
        self.exit(self.exit_code)
