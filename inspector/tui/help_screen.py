"""The help screen (`?`): every key, and what each finding kind means."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from inspector.analysis.findings import KINDS
from inspector.tui.modes import LIVE, POST_MORTEM, key_names, mode_of

INTRO = """\
# tfsess-inspect

Every TensorFlow session your script makes, every run, and the line where a run
outlived its session. The app follows the trace file while the script runs and
stays open when it ends, on the first finding.
"""

PANES = """\
## Panes

- **Timeline**: a lane per session, a bar from creation to close, a tick per run
  (red: failed, or pointed at by a finding). `◆`/`▲` mark the selected event.
- **Events**: every run and session event; newest at the bottom while following.
- **Source**: the selected event's line on a coloured background. Gutter marks,
  each with a note after the code: `!` the line a finding (or the script's
  failure) is about, `+` the session was created, `×` closed, `>` entered, `-` it
  stopped being the default (its `with` block ended). A finding's message is shown
  above the code, with its marked lines that are out of view.
- **Findings**, **Detail** (all fields of the event), **Output** (the script's
  stdout and stderr, as printed).
"""


def _key(keys: str) -> str:
    return " / ".join(f"`{name}`" for name in key_names(keys))


def _lines(bindings) -> list[str]:
    return [f"- {_key(b.key)}  {b.description}" for b in bindings]


def help_markdown(bindings, mode: str | None = None) -> str:
    """Every key, grouped by the mode it works in (modes.py); the keys of `mode`, the
    one the user is in, first."""
    by_mode: dict[str | None, list] = {None: [], LIVE: [], POST_MORTEM: []}
    for b in bindings:
        by_mode[mode_of(b.action)].append(b)
    both = ["## Keys (in both modes)", "", *_lines(by_mode[None]), "- `ctrl+p`  command palette",
            "",
            "In the events table, the findings and the source: `j`/`k` or the arrows, "
            "`pgup`/`pgdn`, `g`/`G` (first/last). In the timeline (focus it with `tab`): "
            "`h`/`l` or the arrows pan. The mouse works too, but is never needed."]
    here = " (you are here)"
    live = ["## Live: while the script runs" + (here if mode == LIVE else ""), "", *_lines(by_mode[LIVE]), "",
            "The script's stdin is `/dev/null` (the terminal belongs to this app); `ctrl+c` "
            "sends it SIGINT, a second `ctrl+c` quits. `q` asks before stopping a script "
            "that still runs. The footer shows the keys of the mode you are in."]
    post = ["## Post-mortem: a replayed trace, or the live view once the script has exited"
            + (here if mode == POST_MORTEM else ""), "", *_lines(by_mode[POST_MORTEM]), "",
            "The playhead is the selected event; every pane shows the run as of it (later "
            "events dimmed, sessions open until their close, only the findings so far: "
            "`n`/`N` go to the next one after it or the one before). `space` plays it at "
            "the speed set by `1`-`5` (0.25x, 1x, 4x, 16x, as fast as possible) or `<`/`>`, "
            "in recorded time with idle gaps over 1 s played as 1 s; `.`/`,` step; `[`/`]` "
            "are the selected session's runs; `t` goes to a time in seconds or an event "
            "number (`#123`). In the live view, once the script has exited, the first of "
            "these keys puts the playhead on the selected event."]
    kinds = ["## What the findings mean", ""]
    kinds += [f"- **{k}**: {v}" for k, v in KINDS.items()]
    sections = [post, both, live] if mode == POST_MORTEM else [live, both, post]
    return "\n".join([INTRO, *("\n".join(s) + "\n" for s in sections),
                      PANES, "\n".join(kinds), "",
                      "Press `escape`, `q` or `?` to close this screen."])


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 0 2;
    }
    """

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help"),
    ]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(self.markdown)
