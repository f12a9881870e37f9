"""How fast the live view is: first frame, event-to-screen latency, keys at 1M events.

Run by hand: `python benchmarks/tui.py [--rounds 5] [--events 1000000]`. Prints a table
(what, figure, unit, machine, date); medians of alternating rounds, with p95 where a
figure is a distribution.

- first frame: `tfsess-inspect run examples/seed_run_after_close.py` in a pseudo
  terminal; time from spawning it to the status bar on the terminal, next to the time
  to TensorFlow imported in the child (its `tf` event in the trace), same run.
- event to screen: the app follows a growing trace (run_test, 120x36); a run line is
  appended; time to the first frame written after the app took it in.
- keys at 1M: a recording of examples/multi_session.py with a million synthetic runs
  inserted, opened in the app; time from a key press to the next frame.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from inspector.tui.app import InspectorApp  # noqa: E402
from inspector.tui.sources import TraceFile  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402  (benchmarks/synth.py)


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


# -- first frame ---------------------------------------------------------------------
def first_frame(tmp: str) -> tuple[float, float]:
    """(seconds to the first frame, seconds to TensorFlow imported in the child)."""
    import fcntl
    import termios

    trace = os.path.join(tmp, "ff.jsonl")
    if os.path.exists(trace):
        os.unlink(trace)
    cmd = [sys.executable, "-m", "inspector", "run", "-o", trace,
           os.path.join("examples", "seed_run_after_close.py")]
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(REPO)
        os.execv(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    seen = b""
    frame = tf_at = None
    deadline = start + 60
    while time.monotonic() < deadline and (frame is None or tf_at is None):
        ready, _, _ = select.select([fd], [], [], 0.005)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            if frame is None and b"sessions" in seen:
                frame = time.monotonic() - start
        if tf_at is None and os.path.exists(trace):
            with open(trace, "rb") as fh:
                if b'{"ev":"tf"' in fh.read():
                    tf_at = time.monotonic() - start
    # Quit: ctrl+c stops the script, a second one quits.
    for _ in range(2):
        os.write(fd, b"\x03")
        time.sleep(0.3)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, signal.SIGKILL)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)
    return frame or float("nan"), tf_at or float("nan")


# -- frames ------------------------------------------------------------------------------
def watch_frames(app: InspectorApp) -> list[float]:
    """Timestamps of the frames the app writes (headless: the calls to _display).

    Headless, Textual skips turning a frame into terminal escapes; a terminal pays for
    that before its frame is written, so it is done here too, and the frame is timed
    once it is done."""
    from textual._compositor import CompositorUpdate

    frames: list[float] = []
    original = app._display

    def display(screen, renderable):
        if renderable is not None:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
            frames.append(time.perf_counter())
        return original(screen, renderable)

    app._display = display
    return frames


async def next_frame(frames: list[float], after: float, pilot, timeout: float = 10) -> float:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        for t in reversed(frames):
            if t > after:
                first = min(x for x in frames if x > after)
                return first - after
            break
        await asyncio.sleep(0.0005)
    return float("nan")


# -- event to screen ---------------------------------------------------------------------------
def latency(lines: list[bytes], tmp: str, samples: int) -> list[float]:
    runs = [ln for ln in lines if ln.startswith(b'{"ev":"run",')]
    head = [ln for ln in lines if not ln.startswith((b'{"ev":"run', b'{"ev":"end"', b'{"ev":"script_end"'))]
    path = os.path.join(tmp, "growing.jsonl")
    with open(path, "wb") as fh:
        fh.writelines(head)
    out: list[float] = []

    async def go() -> None:
        app = InspectorApp(TraceFile(path, follow=True))
        frames = watch_frames(app)
        async with app.run_test(size=(120, 36)) as pilot:
            while app.view.state is None:
                await pilot.pause(0.01)
            await pilot.pause(0.3)
            with open(path, "ab") as fh:
                for i in range(samples):
                    before = len(app.view.state.runs)
                    await asyncio.sleep(0.013 * (i % 7))  # not in step with the poll
                    fh.write(runs[i % len(runs)])
                    fh.flush()
                    t = time.perf_counter()
                    while len(app.view.state.runs) == before:
                        await asyncio.sleep(0.0005)
                    out.append(await next_frame(frames, t, pilot))

    asyncio.run(go())
    return out


# -- keys at 1M events --------------------------------------------------------------------------
def big_trace(lines: list[bytes], path: str, n: int) -> None:
    """The recording with `n` runs of its longest-lived session inserted after its
    last run (later events shifted in time), as a version-2 trace with its run file."""
    synth.write_trace(lines, path, n)


def trace_size(path: str) -> int:
    """Bytes of a trace and its run file."""
    runs = path + ".runs"
    return os.path.getsize(path) + (os.path.getsize(runs) if os.path.exists(runs) else 0)


def keys_at(path: str, keys: list[str], rounds: int) -> tuple[float, dict[str, list[float]], int]:
    result: dict[str, list[float]] = {k: [] for k in keys}
    load = [0.0]
    rows = [0]

    async def go() -> None:
        t = time.perf_counter()
        app = InspectorApp(TraceFile(path))
        frames = watch_frames(app)
        async with app.run_test(size=(140, 40)) as pilot:
            while not (app.view.final and app.selected_ref is not None):
                await pilot.pause(0.01)
            load[0] = time.perf_counter() - t
            rows[0] = len(app.view.rows)
            await pilot.pause(0.5)
            for _ in range(rounds):
                for key in keys:  # alternate the keys, round after round
                    start = time.perf_counter()
                    await pilot.press(key)
                    result[key].append(await next_frame(frames, start, pilot))
                    await pilot.pause(0.05)
                start = time.perf_counter()
                app.view.search(app.view.rows, "multi_session.py:62")
                result.setdefault("search", []).append(time.perf_counter() - start)

    asyncio.run(go())
    return load[0], result, rows[0]


def record(example: str, tmp: str) -> list[bytes]:
    trace = os.path.join(tmp, os.path.basename(example) + ".jsonl")
    subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", trace, example],
                   cwd=REPO, check=True, capture_output=True)
    return synth.json_lines(trace)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        print("first frame ...", file=sys.stderr, flush=True)
        ff, tf = [], []
        for _ in range(args.rounds):
            a, b = first_frame(tmp)
            ff.append(a)
            tf.append(b)
        rows.append(("first frame (`run` in a pty, 120x36)", f"{statistics.median(ff) * 1e3:.0f}", "ms"))
        rows.append(("TensorFlow imported in the child, same runs", f"{statistics.median(tf) * 1e3:.0f}", "ms"))

        print("recording examples/multi_session.py ...", file=sys.stderr, flush=True)
        lines = record("examples/multi_session.py", tmp)
        print("event to screen ...", file=sys.stderr, flush=True)
        lat = latency(lines, tmp, args.samples)
        rows.append(("event to screen while following, median", f"{statistics.median(lat) * 1e3:.0f}", "ms"))
        rows.append(("event to screen while following, p95", f"{p95(lat) * 1e3:.0f}", "ms"))

        print(f"{args.events} events ...", file=sys.stderr, flush=True)
        big = os.path.join(tmp, "big.jsonl")
        big_trace(lines, big, args.events)
        size = trace_size(big)
        keys = ["j", "k", "pagedown", "G", "g", "n", "plus", "minus", "s", "escape"]
        load, result, nrows = keys_at(big, keys, args.rounds)
        rows.append((f"open a trace of {nrows:,} rows ({size / 1e6:.0f} MB) to first finding",
                     f"{load:.1f}", "s"))
        for key in keys:
            xs = result[key]
            rows.append((f"key `{key}` to frame at {nrows:,} rows, median (p95)",
                         f"{statistics.median(xs) * 1e3:.0f} ({p95(xs) * 1e3:.0f})", "ms"))
        rows.append((f"search a call site over {nrows:,} rows (filter only, no frame)",
                     f"{statistics.median(result['search']) * 1e3:.0f}", "ms"))
    try:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(("peak RSS of this process", f"{rss:.0f}", "MB"))
    except ImportError:
        pass
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    date = datetime.date.today().isoformat()
    print("| what | figure | unit | machine | date |\n|---|---|---|---|---|")
    for what, fig, unit in rows:
        print(f"| {what} | {fig} | {unit} | {machine} | {date} |")


if __name__ == "__main__":
    main()
