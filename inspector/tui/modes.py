"""The app's two modes and the keys each one offers.

- live: the script runs; the app follows its trace. `ctrl+c` stops the script, `f`
  follows the newest event.
- post-mortem: a finished trace, replayed (`tfsess-inspect replay`), or the live view
  once the script has exited: a playhead to play, step and jump with.

The footer shows the keys of the mode the user is in, the most useful first (what is
not in the footer is in help, `?`, grouped by mode, and in the command palette).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding

LIVE = "live"
POST_MORTEM = "post-mortem"

# Actions (as in InspectorApp.BINDINGS) that mean something in one mode only.
LIVE_ONLY = {"interrupt", "toggle_follow"}
POST_MORTEM_ONLY = {"play", "step", "goto", "speed", "speed_step", "edge"}

# The footer, per mode, most useful first: a terminal of 160 columns shows them all.
FOOTER = {
    LIVE: ["interrupt", "next_finding(1)", "toggle_follow", "search", "session_filter",
           "cycle_pane(1)", "help", "quit_app", "zoom(0.5)", "zoom(2)", "open_editor"],
    POST_MORTEM: ["play", "step(1)", "goto", "next_finding(1)", "next_finding(-1)", "search",
                  "session_filter", "cycle_pane(1)", "help", "quit_app", "zoom(0.5)",
                  "zoom(2)", "open_editor"],
}

# Shorter words in the footer than in help (where every key has a line of its own).
FOOTER_WORDS = {
    "next_finding(1)": "Next finding",
    "next_finding(-1)": "Prev",
    "cycle_pane(1)": "Pane",
    "open_editor": "Editor",
    "goto": "Go to",
    "step(1)": "Step",
    "zoom(0.5)": "Zoom",
    "zoom(2)": "Unzoom",
}

_KEY_NAMES = {
    "question_mark": "?", "slash": "/", "plus": "+", "minus": "-", "equals_sign": "=",
    "left_square_bracket": "[", "right_square_bracket": "]", "full_stop": ".",
    "comma": ",", "less_than_sign": "<", "greater_than_sign": ">", "space": "space",
}


def key_names(keys: str) -> list[str]:
    """`"plus,equals_sign"` → `["+", "="]`: the keys as they are typed."""
    return [_KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(",")]


def action_name(action: str) -> str:
    """`step(1)` → `step`."""
    return action.split("(", 1)[0]


def mode_of(action: str) -> str | None:
    """The one mode an action works in, or None (both)."""
    name = action_name(action)
    if name in LIVE_ONLY:
        return LIVE
    if name in POST_MORTEM_ONLY:
        return POST_MORTEM
    return None


# A trace another process writes (`tfsess-inspect follow`): no script of ours to stop.
FOLLOW_WORDS = {"interrupt": "Quit"}


def footer_bindings(mode: str, app_bindings: Iterable[tuple[Binding, bool, str]],
                    words_for: dict[str, str] | None = None) -> list[tuple[Binding, bool, str]]:
    """The app's (binding, enabled, tooltip) to show in `mode`'s footer, in its order,
    with the footer's words (`words_for`: other words for some actions)."""
    order = {action: i for i, action in enumerate(FOOTER[mode])}
    chosen = {}
    for binding, enabled, tooltip in app_bindings:
        if binding.action in order and binding.action not in chosen:
            words = (words_for or {}).get(binding.action) or \
                FOOTER_WORDS.get(binding.action, binding.description)
            chosen[binding.action] = (Binding(binding.key, binding.action, words,
                                              key_display=binding.key_display), enabled,
                                      tooltip or binding.description)
    return [chosen[a] for a in sorted(chosen, key=order.__getitem__)]
