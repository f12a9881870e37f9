"""The source pane draws a file's lines as they are, indentation and all, with whatever
Pygments is installed. The snapshot pictures pin Pygments (pyproject.toml's test extra:
a minor release may recolour a token); this test does not depend on the pin, and
.ci/run runs it again with the newest Pygments, so the product is checked with what a
fresh `pip install tfsess-inspect` gets."""

from __future__ import annotations

import asyncio
import re

import pygments
from rich.text import Text
from textual.app import App, ComposeResult

from inspector.tui.source_pane import SourcePane, SourceView
from tests.helpers import REPO

CODE = '''\
def train(steps):
    total = 0
    for step in range(steps):
        if step % 2:
            print("odd", step)
        total += step
        return total  # the last row, indented
'''


class _SourceOnly(App):
    def compose(self) -> ComposeResult:
        yield SourcePane()


def _rows(code: str, height: int) -> tuple[list[str], list]:
    """The rows the source view draws for `code` (a one-row title, then the code), as
    text, and the segments of each row."""

    async def go():
        app = _SourceOnly()
        async with app.run_test(size=(70, height)) as pilot:
            view = app.query_one(SourceView)
            view.show(Text("train.py:1"), False, "train.py", code, 1, False, {})
            await pilot.pause()
            strips = [view.render_line(y) for y in range(view.size.height)]
        return [s.text.rstrip() for s in strips], [list(s) for s in strips]

    return asyncio.run(go())


def test_every_source_row_keeps_its_indentation_with_this_pygments():
    lines = CODE.splitlines()
    rows, _ = _rows(CODE, height=len(lines) + 1)
    assert rows[0] == "  train.py:1", pygments.__version__
    assert rows[1:] == [f"  {n:>3} │ {line}".rstrip() for n, line in enumerate(lines, 1)], (
        f"Pygments {pygments.__version__}")
    assert rows[-1] == "    7 │         return total  # the last row, indented"


def test_the_source_is_coloured_with_this_pygments():
    rows, segments = _rows(CODE, height=len(CODE.splitlines()) + 1)
    colour = {seg.text.strip(): seg.style.color for seg in segments[3] if seg.text.strip()}
    assert colour["for"] != colour["step"], f"Pygments {pygments.__version__}: {colour}"


def test_the_snapshot_pictures_pin_the_packages_they_are_drawn_with():
    # A minor release of any of these may change a picture: the test extra pins them.
    # (read without tomllib, which Python 3.10 lacks)
    text = (REPO / "pyproject.toml").read_text()
    block = re.search(r"^test = \[(.*?)^\]", text, re.M | re.S).group(1)
    test_extra = re.findall(r'^\s*"([^"]+)"', block, re.M)
    pinned = {m.group(1).lower() for req in test_extra
              if (m := re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==[0-9][0-9.]*", req))}
    assert {"pygments", "textual", "rich", "pytest-textual-snapshot"} <= pinned, test_extra
