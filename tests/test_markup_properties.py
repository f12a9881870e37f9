"""User text is shown literally, whatever it is (hypothesis): never parsed as Rich
markup, never written to the terminal as an escape sequence."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from inspector.tui.app import InspectorApp
from inspector.tui.detail_pane import DetailPane
from inspector.tui.output_pane import OutputPane
from inspector.tui.sources import TraceFile
from inspector.tui.text import clean, one_line, plain

HERE = os.path.dirname(os.path.abspath(__file__))
TRACE = os.path.join(HERE, "tui_scripts", "two_sessions.trace.jsonl")

# Text a user's script can produce, weighted towards what breaks terminals and markup.
TOKENS = list("[]/\\=@:;#,\"' \n\t\r\x1b\x07\x00\x7f\x9b") + [
    "[bold]", "[/]", "[link=http://x]", "\x1b[2J", "\x1b]8;;http://x\x1b\\"]
hostile = st.lists(st.one_of(st.sampled_from(TOKENS), st.characters(codec="utf-8")),
                   max_size=40).map("".join)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@given(hostile)
def test_clean_leaves_no_control_character_but_newlines(s):
    out = clean(s)
    assert not CONTROL.search(out)
    assert out.count("\n") == s.count("\n")
    assert "\n" not in one_line(s)


@given(hostile)
def test_plain_text_renders_as_itself(s):
    text = plain(s)
    assert text.plain == clean(s) and not text.spans
    console = Console(file=io.StringIO(), width=10_000, color_system=None, record=True,
                      force_terminal=True)
    console.print(text, end="", soft_wrap=True)
    rendered = console.export_text()
    assert rendered.rstrip("\n ") == clean(s).rstrip("\n ").replace("\r", "")
    assert "\x1b" not in rendered


def _trace_with(path: str, message: str, output: str) -> None:
    """The recorded two_sessions trace, its first failing run's message and the last
    output line before it replaced by `message` and `output`."""
    with open(TRACE, "rb") as fh:
        lines = fh.read().splitlines(keepends=True)
    i = next(i for i, ln in enumerate(lines) if ln.startswith(b'{"ev":"runerr"'))
    ev = json.loads(lines[i])
    ev["msg"] = message
    lines[i] = json.dumps(ev, separators=(",", ":")).encode() + b"\n"
    # (The app opens on that run's finding, and shows the output as of it.)
    j = max(k for k, ln in enumerate(lines[:i]) if ln.startswith(b'{"ev":"out"'))
    ev = json.loads(lines[j])
    ev["text"] = output + "\n"
    lines[j] = json.dumps(ev, separators=(",", ":")).encode() + b"\n"
    with open(path, "wb") as fh:
        fh.write(b"".join(lines))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hostile, hostile)
def test_the_app_shows_exception_messages_and_output_literally(tmp_path, message, output):
    path = str(tmp_path / "hostile.jsonl")
    _trace_with(path, message, output)

    async def go():
        app = InspectorApp(TraceFile(path))
        async with app.run_test(size=(200, 50)) as pilot:
            for _ in range(400):
                if app.view.final and app.selected_ref is not None:
                    break
                await pilot.pause(0.01)
            await pilot.pause(0.1)
            # The first finding is that failing run: its message is in the detail pane
            # (all its lines: a long message wraps below the pane's visible rows).
            shown = " ".join(app.query_one(DetailPane).text.split())
            want = " ".join(one_line(message).split())
            assert want[:40] in shown
            pane = app.query_one(OutputPane)
            last = [ln for ln in clean(output).replace("\r", "").split("\n") if ln.strip()]
            if last:
                assert last[-1].replace("␍", "") in "\n".join(pane.lines)
            assert not any("\x1b" in ln for ln in pane.lines)

    asyncio.run(go())
