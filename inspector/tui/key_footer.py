"""The footer: the keys of the mode the user is in (modes.py), rebuilt only when the
keys it shows change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input

from inspector.tui._textual_compat import FooterKey
from inspector.tui.modes import footer_bindings


def shown_bindings(screen: Screen) -> list[tuple[Binding, bool, str]]:
    """(binding, enabled, tooltip) for the footer: the focused widget's and the screen's
    keys that ask to be shown, then the app's keys of its current mode, in that mode's
    order (an app without modes: its keys that ask to be shown)."""
    app = screen.app
    mode = getattr(app, "footer_mode", None)
    own, apps = [], []
    for node, binding, enabled, tooltip in screen.active_bindings.values():
        if node is app and mode is not None:
            apps.append((binding, enabled, tooltip))
        elif binding.show:
            own.append((binding, enabled, tooltip))
    words = getattr(app, "footer_words", None)
    return own + (footer_bindings(mode, apps, words) if mode is not None else [])


class KeyFooter(Footer):
    """Textual's Footer, showing `shown_bindings`.

    Textual's Footer recomposes a widget per key on every focus change (~100 ms of
    work on this machine with our keys). Moving between panes with `tab` changes no
    key the footer shows (the panes' own keys are hidden), so that work is skipped, and
    a key pressed right after `tab` no longer waits behind it.

    While a text box (search, go to) has the focus, the footer stays as it was: the box
    takes the letter keys only until enter or escape, and rebuilding the footer into and
    out of it cost two screen layouts after each jump (~40 ms)."""

    _shown: tuple | None = None

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        bindings = shown_bindings(self.screen)
        self.styles.grid_size_columns = len(bindings)
        for binding, enabled, tooltip in bindings:
            yield FooterKey(
                binding.key, self.app.get_key_display(binding), binding.description,
                binding.action, disabled=not enabled, tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                yield FooterKey(
                    binding.key, self.app.get_key_display(binding), binding.description,
                    binding.action, classes="-command-palette", disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )

    def bindings_changed(self, screen: Screen) -> None:
        if isinstance(screen.focused, Input) and self._shown is not None:
            return
        shown = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for binding, enabled, tooltip in shown_bindings(screen)
        )
        if self._bindings_ready and shown == self._shown:
            return
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown  # (else the parent did not rebuild: try again next time)
