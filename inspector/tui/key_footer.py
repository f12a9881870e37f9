"""The footer: Textual's, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer, Input


class KeyFooter(Footer):
    """Textual's Footer recomposes a widget per key on every focus change (~100 ms of
    work on this machine with our keys). Moving between panes with `tab` changes no
    key the footer shows (the panes' own keys are hidden), so that work is skipped, and
    a key pressed right after `tab` no longer waits behind it.

    While a text box (search, go to) has the focus, the footer stays as it was: the box
    takes the letter keys only until enter or escape, and rebuilding the footer into and
    out of it cost two screen layouts after each jump (~40 ms)."""

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if isinstance(screen.focused, Input) and self._shown is not None:
            return
        shown = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
        )
        if self._bindings_ready and shown == self._shown:
            return
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown  # (else the parent did not rebuild: try again next time)
