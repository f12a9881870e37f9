"""Where the panes are: the lower ones share one slot in a narrow terminal, `tab` goes
through them in order, the focused one's border lights up; the timeline's zoom.
"""

from __future__ import annotations

from inspector.tui.timeline import Timeline

# Panes in `tab` order; in a narrow terminal the lower ones share one slot.
PANES = ["events", "source", "findings", "detail", "output", "timeline"]
LOWER = ["source", "findings", "detail", "output"]
NARROW_WIDTH = 110
NARROW_HEIGHT = 30


class PaneLayout:
    """The InspectorApp's pane layout and focus."""

    def _init_layout(self) -> None:
        self.shown_lower = "source"
        self.narrow = False

    def light_focused_pane(self, focused) -> None:
        """The pane that holds the focus gets `-has-focus` (its border lights up)."""
        for name in LOWER + ["events"]:
            pane = self._q(f"#{name}")
            pane.set_class(focused is pane or pane in focused.ancestors, "-has-focus")

    def _layout_for(self, width: int, height: int) -> None:
        narrow = width < NARROW_WIDTH or height < NARROW_HEIGHT
        self.narrow = narrow
        self.screen.set_class(narrow, "-narrow")
        self._show_lower(self.shown_lower)

    def _show_lower(self, name: str) -> None:
        self.shown_lower = name
        for pane in LOWER:
            self._q(f"#{pane}").set_class(pane == name, "-shown")

    def action_cycle_pane(self, direction: int) -> None:
        focused = self.focused
        current = None
        for name in PANES:
            pane = self._q(f"#{name}")
            if focused is not None and (focused is pane or pane in focused.ancestors):
                current = name
        i = PANES.index(current) if current in PANES else -1
        name = PANES[(i + direction) % len(PANES)]
        self.focus_pane(name)

    def focus_pane(self, name: str) -> None:
        target = self._q(f"#{name}")
        if name == "source":
            target = target.code
        if name in LOWER and self.shown_lower != name:
            self._show_lower(name)
            # A pane that was hidden takes the focus once it is displayed.
            self.call_after_refresh(target.focus)
            return
        target.focus()

    def action_details(self) -> None:
        self.focus_pane("detail")

    def action_zoom(self, factor: float) -> None:
        self._q(Timeline).zoom(factor)
