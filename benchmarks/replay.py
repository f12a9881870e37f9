"""Replay at a million events: open time to totals shown, peak RSS, playhead key latency.

The trace is a real recording of examples/multi_session.py with 1,000,000 synthetic
runs of its longest-lived session inserted (benchmarks/synth.py), in trace format 2 (the
runs as records in its run file, as the agent writes them). Each round
opens it in a fresh process (the app headless, 140x40), so peak RSS is the replay's own.
Run by hand: `python benchmarks/replay.py [--events 1000000] [--rounds 3]`
(`--events 10000000` for ten million runs).
Prints a table (what, figure, unit, machine, date); medians over rounds, keys also p95.
A key is timed to its first frame and to its last (the panes it redraws after the cursor).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)
sys.path.insert(0, HERE)

import tui as bench_tui  # noqa: E402  (benchmarks/tui.py: recording, big trace, frames)

# What each measured key is: (presses before it, untimed; the timed press; presses after
# it, untimed, that put the app back).
KEYS = {
    ".": ([], "full_stop", []),
    ",": ([], "comma", []),
    # Play from the start, then paused again. (From where the rows before leave it, at
    # the end but one, play stopped at the end at once and the press after it played
    # again from the start: still playing when `]` was timed, whose "last frame" was then
    # the playback's last tick, 0.5-0.9 s later.)
    "space": (["g"], "space", ["space"]),
    "]": (["t", *"#500000", "enter"], "right_square_bracket", []),  # in the big session's runs
    "[": ([], "left_square_bracket", []),
    # (The trace's one finding is on its last event: n from the start, N from the middle
    # (none before: round to the last), G from the start, g from the end.)
    "n": (["g"], "n", []),
    "N": (["t", *"#500000", "enter"], "N", []),
    "G": (["g"], "G", []),
    "g": ([], "g", []),
    "j": ([], "j", []),
    "k": ([], "k", []),
    "pagedown": ([], "pagedown", []),
    "s": ([], "s", []),  # one session's rows
    "escape": ([], "escape", []),  # all rows again
    "+": ([], "plus", ["minus"]),
    "3": ([], "3", ["2"]),
    "tab": ([], "tab", ["shift+tab"]),
    "t #500000": (["t", *"#500000"], "enter", []),
}


async def settled(frames: list[float], start: float, quiet: float = 0.06) -> float:
    """From the key to its last frame: the one after which none came for `quiet` s
    (a key's work can take several frames: the cursor first, then the panes)."""
    while True:
        last = frames[-1] if frames and frames[-1] > start else start
        if time.perf_counter() - last >= quiet:
            return last - start
        await asyncio.sleep(0.002)


def child(path: str, rounds: int) -> None:
    """In a fresh process: open the trace, time keys, print JSON on stdout."""
    from inspector.tui.app import InspectorApp
    from inspector.tui.sources import TraceFile

    out: dict = {"keys": {k: [] for k in KEYS}, "settled": {k: [] for k in KEYS}}

    async def go() -> None:
        t0, c0 = time.perf_counter(), time.process_time()
        app = InspectorApp(TraceFile(path))
        frames = bench_tui.watch_frames(app)
        async with app.run_test(size=(140, 40)) as pilot:
            while not (app.view.final and app.playhead is not None):
                await pilot.pause(0.005)
            ready = time.perf_counter()
            out["open"] = ready - t0
            out["open_cpu"] = time.process_time() - c0  # (both threads: reader and app)
            out["totals_frame"] = await bench_tui.next_frame(frames, ready, pilot) + out["open"]
            out["rows"] = len(app.view.rows)
            await pilot.pause(0.5)
            for _ in range(rounds):
                for name, (before, key, after) in KEYS.items():
                    if before:
                        await pilot.press(*before)
                        await pilot.pause(0.05)
                    start = time.perf_counter()
                    await pilot.press(key)
                    out["keys"][name].append(await bench_tui.next_frame(frames, start, pilot))
                    if name != "space":  # (playing draws on and on)
                        out["settled"][name].append(await settled(frames, start))
                    await pilot.pause(0.05)
                    if after:
                        await pilot.press(*after)
                        await pilot.pause(0.05)
                    assert not app.playing, f"still playing after `{name}`: the next key's frames would be playback's"
                await pilot.press("n")  # back near the findings, with the playhead
                await pilot.pause(0.05)

    asyncio.run(go())
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--key-rounds", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.key_rounds)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        print("recording examples/multi_session.py ...", file=sys.stderr, flush=True)
        lines = bench_tui.record("examples/multi_session.py", tmp)
        big = os.path.join(tmp, "big.jsonl")
        print(f"writing {args.events} events ...", file=sys.stderr, flush=True)
        bench_tui.big_trace(lines, big, args.events)
        size = bench_tui.trace_size(big)
        opens, cpus, frames, rss, loads = [], [], [], [], []
        keys: dict[str, list[float]] = {k: [] for k in KEYS}
        settled: dict[str, list[float]] = {k: [] for k in KEYS}
        nrows = 0
        for i in range(args.rounds):
            print(f"round {i + 1}/{args.rounds} ...", file=sys.stderr, flush=True)
            p = subprocess.Popen([sys.executable, __file__, "--child", big,
                                  "--key-rounds", str(args.key_rounds)],
                                 cwd=REPO, stdout=subprocess.PIPE)
            stdout = p.stdout.read()
            _, status, usage = os.wait4(p.pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0
            res = json.loads(stdout.decode().strip().splitlines()[-1])
            loads.append(os.getloadavg()[0])
            opens.append(res["open"])
            cpus.append(res["open_cpu"])
            frames.append(res["totals_frame"])
            rss.append(usage.ru_maxrss / 1024)
            nrows = res["rows"]
            for k, xs in res["keys"].items():
                keys[k] += xs
            for k, xs in res["settled"].items():
                settled[k] += xs
    # A press that drew no frame within 10 s is NaN: counted apart, out of the figures.
    blank = sum(1 for xs in keys.values() for x in xs if x != x)
    keys = {k: [x for x in xs if x == x] for k, xs in keys.items()}
    p95 = bench_tui.p95
    rows.append((f"trace of {nrows:,} rows", f"{size / 1e6:.0f}", "MB"))
    rows.append(("open to totals and playhead ready (goal ≤ 2 s)", f"{statistics.median(opens):.2f}", "s"))
    rows.append(("open to the first frame showing them", f"{statistics.median(frames):.2f}", "s"))
    rows.append(("CPU time of the replaying process until then (what load does not change)",
                 f"{statistics.median(cpus):.2f}", "s"))
    rows.append(("machine load after each round (1-minute average; 2 cores)",
                 " / ".join(f"{x:.1f}" for x in loads), ""))
    rows.append(("peak RSS of the replaying process (goal ≤ 400 MB)", f"{statistics.median(rss):.0f}", "MB"))
    def ms(xs: list[float]) -> str:
        return f"{statistics.median(xs) * 1e3:.0f} ({p95(xs) * 1e3:.0f})" if xs else "—"

    for k, xs in keys.items():
        rows.append((f"key `{k}` at {nrows:,} rows, median (p95): first frame / last frame "
                     "(goal ≤ 50 ms)", f"{ms(xs)} / {ms(settled[k])}", "ms"))
    for what, lists in (("first frame", keys), ("last frame", settled)):
        presses = sorted((x, k) for k, xs in lists.items() for x in xs)
        over = sum(1 for x, _ in presses if x > 0.050)
        rows.append((f"slowest of all {len(presses)} presses to its {what} (key)",
                     f"{presses[-1][0] * 1e3:.0f} (`{presses[-1][1]}`)", "ms"))
        rows.append((f"presses over 50 ms to the {what}", f"{over} of {len(presses)}", ""))
    rows.append(("presses that drew no frame within 10 s", f"{blank}", ""))
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    date = datetime.date.today().isoformat()
    print("| what | figure | unit | machine | date |\n|---|---|---|---|---|")
    for what, fig, unit in rows:
        print(f"| {what} | {fig} | {unit} | {machine} | {date} |")


if __name__ == "__main__":
    main()
