"""The script's output is kept as a bounded tail (state and output pane), however much
the script prints; the whole of it is in TRACE.out."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from inspector.analysis.output import Output, OutputTail
from inspector.analysis.state import StateBuilder
from inspector.tui import output_pane
from inspector.tui.output_pane import OutputPane


def test_the_tail_keeps_the_last_chunks_and_counts_the_rest():
    tail = OutputTail(max_chunks=100, max_chars=10_000)
    for i in range(1_000):
        tail.append(Output(i, 1, f"line {i}\n"))
    assert tail.total == 1_000
    assert len(tail) == 100 and tail.dropped == 900 and tail.dropped_lines == 900
    assert [o.ts for o in tail] == list(range(900, 1_000))
    assert [o.ts for o in tail[95:]] == list(range(995, 1_000))
    assert [o.ts for o in tail[2:5]] == [902, 903, 904]
    assert tail[-1].text == "line 999\n" and tail[0].ts == 900


def test_the_tail_is_bounded_in_characters_too():
    tail = OutputTail(max_chunks=1_000, max_chars=1_000)
    for i in range(100):
        tail.append(Output(i, 1, "x" * 99 + "\n"))
    assert sum(len(o.text) for o in tail) <= 1_000 and len(tail) == 10
    tail.append(Output(100, 2, "a\n" * 5_000 + "end"))  # one chunk bigger than the bound
    assert len(tail) == 1 and tail[0].text.endswith("a\nend") and len(tail[0].text) == 1_000
    assert tail.total == 101
    assert tail.dropped_lines == 100 + 5_000 - tail[0].text.count("\n")


def test_the_state_keeps_a_bounded_tail_of_a_million_lines():
    builder = StateBuilder({"ev": "header", "pid": 1})
    for i in range(200_000):
        builder.feed({"ev": "out", "pid": 1, "fd": 1, "ts": i, "text": f"step {i}\n"})
    out = builder.state.output
    assert out.total == 200_000 and len(out) <= 20_000
    assert out[-1].text == "step 199999\n"


class _Host(App):
    def compose(self) -> ComposeResult:
        yield OutputPane()


def _lines(pane: OutputPane) -> list[str]:
    return [str(line) for line in pane.lines]


def test_the_pane_shows_the_last_lines_of_a_growing_tail(monkeypatch):
    monkeypatch.setattr(output_pane, "MAX_LINES", 50)

    async def go():
        app = _Host()
        async with app.run_test() as pilot:
            pane = app.query_one(OutputPane)
            tail = OutputTail(max_chunks=30, max_chars=10_000)
            n = 0
            gaps = 0
            for batch in (10, 200, 1, 5_000, 3, 20):  # batches bigger and smaller than both bounds
                for _ in range(batch):
                    tail.append(Output(n, 1, f"line {n}\n"))
                    n += 1
                pane.feed(tail)
                await pilot.pause()
                shown = [ln for ln in _lines(pane) if ln]
                assert shown[-1] == f"line {n - 1}" and len(shown) <= 50
                # In order, no repeats; where the state dropped lines before the pane
                # saw them, a gap line says so.
                numbers = [int(ln.split()[1]) if ln.startswith("line ") else None for ln in shown]
                for a, b in zip(numbers, numbers[1:], strict=False):
                    assert a is None or b is None or b == a + 1, shown
                assert None not in numbers[-min(30, n):]  # the state's 30 chunks, whole
                assert all(ln == output_pane.GAP.strip() for ln, k in zip(shown, numbers, strict=True) if k is None)
                gaps += None in numbers
            assert pane.seen == tail.total == n
            assert gaps  # the 200- and 5,000-line batches went by the state's 30 chunks

    asyncio.run(go())


def test_replay_shows_the_kept_output_up_to_the_playhead(monkeypatch):
    monkeypatch.setattr(output_pane, "MAX_LINES", 50)

    async def go():
        app = _Host()
        async with app.run_test() as pilot:
            pane = app.query_one(OutputPane)
            tail = OutputTail(max_chunks=20, max_chars=10_000)
            for n in range(100):
                tail.append(Output(n, 1, f"line {n}\n"))
            pane.feed(tail)  # the whole (kept) output, as when a replay has loaded
            for count, last in ((5, 84), (20, 99), (0, None), (12, 91)):
                pane.show_upto(tail, count)  # `count` of the kept chunks, as the app gives it
                await pilot.pause()
                shown = [ln for ln in _lines(pane) if ln]
                # The first 80 chunks are not kept: a gap line says so.
                assert shown[0] == output_pane.GAP.strip()
                assert shown[1:] == [f"line {i}" for i in range(80, (last or 79) + 1)]

    asyncio.run(go())


# -- TRACE.out: the whole output, raw, next to the trace ------------------------------------

def _record(tmp_path, code: str, name: str = "t.jsonl"):
    import subprocess
    import sys

    from tests.helpers import ENV, REPO

    script = tmp_path / "prints.py"
    script.write_text(code)
    trace = tmp_path / name
    p = subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", str(trace), str(script)],
                       cwd=tmp_path, env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, timeout=120)
    return p, trace


def test_trace_out_holds_the_raw_output_byte_for_byte(tmp_path):
    p, trace = _record(tmp_path, (
        "import os, sys\n"
        "os.write(1, b'plain\\n\\xff\\xfe not utf-8 \\x1b[2J\\r\\n')\n"
        "sys.stdout.write('caf\\u00e9 ' * 5000 + '\\n'); sys.stdout.flush()\n"
        "os.write(1, b'no newline at the end')\n"
        "sys.stderr.write('to stderr\\n')\n"
    ))
    assert p.returncode == 0, p.stderr
    out = trace.with_name(trace.name + ".out").read_bytes()
    # stdout and stderr come through two pipes: each one's bytes are in order, whole.
    assert out.replace(b"to stderr\n", b"", 1) == p.stdout
    assert b"to stderr\n" in out
    assert p.stdout.startswith(b"plain\n\xff\xfe not utf-8 \x1b[2J\r\n")


def test_a_million_printed_lines_are_all_in_trace_out_and_the_state_keeps_a_tail(tmp_path):
    n = 1_000_000
    p, trace = _record(tmp_path, f"for i in range({n}):\n    print('line', i)\n")
    assert p.returncode == 0
    out = trace.with_name(trace.name + ".out").read_bytes()
    assert out.count(b"\n") == n and out.endswith(b"line 999999\n")
    assert out == p.stdout
    from inspector.commands._load import load_trace

    state = load_trace(str(trace)).state
    kept = state.output
    assert len(kept) < kept.total and kept.dropped == kept.total - len(kept)
    assert sum(len(o.text) for o in kept) <= 2_000_000
    assert "".join(o.text for o in kept).endswith("line 999999\n")
    assert kept.dropped_lines + "".join(o.text for o in kept).count("\n") == n


def test_output_after_the_end_is_not_written_to_a_closed_trace(tmp_path, capfd):
    """A grandchild keeps the script's stdout and prints after the script ended (and
    after the launcher stopped waiting for its output): the trace ends with `end`, the
    late line goes nowhere, and the inspector says nothing about an incomplete trace."""
    import time

    from inspector.launch import ScriptProcess, output_path
    from inspector.trace.reader import read_trace

    script = tmp_path / "late.py"
    # (The grandchild lets go of stderr at once: the launcher then waits 2 s for stdout.)
    late = "import os, time; os.close(2); time.sleep(3); print('late', flush=True)"
    script.write_text(f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {late!r}])\n"
                      "print('bye', flush=True)\n")
    trace = str(tmp_path / "late.jsonl")
    proc = ScriptProcess(str(script), [], trace, passthrough=False)
    proc.start()
    assert proc.wait() == 0
    # Files opened now may get the descriptor numbers the launcher just closed.
    decoys = [open(tmp_path / f"decoy{i}", "w") for i in range(4)]
    time.sleep(4)  # the grandchild prints, the tee thread reads it
    for f in decoys:
        f.close()
    assert all((tmp_path / f"decoy{i}").read_text() == "" for i in range(4))
    data = read_trace(trace)
    assert data.events[-1]["ev"] == "end"
    assert not any(e["ev"] == "out" and "late" in e["text"] for e in data.events)
    assert "incomplete" not in capfd.readouterr().err
    assert open(output_path(trace)).read() == "bye\n"
