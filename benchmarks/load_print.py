"""Load: a script that makes 1,000,000 runs and prints a line per run.

Run by hand (not part of the test suite): `python benchmarks/load_print.py [--runs
1000000] [--rounds 2] [--flush] [--buffered]` (`--flush`: the script flushes every line,
so the tee gets about a chunk, and the trace an `out` event, per line; `--buffered`:
PYTHONUNBUFFERED taken out of the environment, so the script's stdout to a pipe is
block-buffered; with PYTHONUNBUFFERED=1 each print is several writes). Each round, one
after another:

- plain: `python load.py N`, stdout to a pipe drained by this process (the reference);
- headless: `tfsess-inspect run --no-tui -o T load.py N`, same; wall time, peak RSS of the
  inspector process itself (VmHWM of its /proc entry, polled; the script is another
  process), trace and TRACE.out sizes, runs in the trace (the recorder keeps up: none
  lost);
- live: in a fresh process, the app (headless, Textual's run_test, 140x40) runs the script
  (`LiveScript`, as `tfsess-inspect run load.py N` does) while keys are pressed every
  ~0.3 s; wall time to the final state, peak RSS of that process, how far behind the
  trace the app fell, what the output pane and the state keep, and key latency under
  load: from a press to the first frame after the app has handled it.

Prints a table (what, figure, unit, machine, date); medians over rounds (keys: median
and p95 over all presses, and the worst).
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
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)
sys.path.insert(0, HERE)

SCRIPT = """\
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
c = tf.constant(1.0) + 1.0
n = int(sys.argv[1])
flush = sys.argv[2:] == ["--flush"]
with tf.compat.v1.Session() as sess:
    for i in range(n):
        print("step", i, sess.run(c), flush=flush)
"""

KEYS = ["j", "k", "G", "g", "tab", "pagedown"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": REPO}


def vm_hwm(pid: int | str) -> int:
    """Peak resident memory of one process (bytes), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def drained(cmd: list[str], cwd: str) -> tuple[float, int, int, int]:
    """Run `cmd` with stdout drained (counted) here, stderr to /dev/null. Returns (wall
    seconds, exit code, stdout bytes, peak RSS of the process itself)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], vm_hwm(p.pid))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    n = 0
    while chunk := p.stdout.read1(1 << 20):
        n += len(chunk)
    code = p.wait()
    done.set()
    poller.join()
    return time.perf_counter() - t, code, n, peak[0]


def count_runs(trace: str) -> tuple[int, int]:
    """(run lines, out lines) in the trace."""
    runs = outs = 0
    with open(trace, "rb") as fh:
        for line in fh:
            runs += line.startswith(b'{"ev":"run",')
            outs += line.startswith(b'{"ev":"out",')
    return runs, outs


def _live(script: str, trace: str, runs: int, flush: bool) -> dict:
    """In a fresh process: the live app runs the script; keys under load."""
    from textual import events
    from tui import next_frame, watch_frames

    from inspector.tui.app import InspectorApp
    from inspector.tui.output_pane import OutputPane
    from inspector.tui.sources import LiveScript

    res: dict = {"keys": []}

    async def go() -> None:
        source = LiveScript(script, [str(runs), *(["--flush"] if flush else [])], trace)
        app = InspectorApp(source)
        frames = watch_frames(app)
        # Every key measured here is bound to an action: note when each action is done.
        # (Pilot.press also waits for the process to be idle, up to a second: under load
        # that would be measured, not the app.)
        actions_done: list[tuple[float, str]] = []
        run_action = app.run_action

        async def timed_action(*a, **k):
            result = await run_action(*a, **k)
            actions_done.append((time.perf_counter(), str(a[0]) if a else "?"))
            return result

        app.run_action = timed_action

        async def send(key: str) -> tuple[float, float | None, str | None]:
            """Send a key as the terminal would: (sent at, its action done at, action)."""
            before = len(actions_done)
            event = events.Key(key, key if len(key) == 1 else None)
            event.set_sender(app)
            start = time.perf_counter()
            app._driver.send_message(event)
            while len(actions_done) == before and time.perf_counter() - start < 30:
                await asyncio.sleep(0.0005)
            if len(actions_done) == before:
                return start, None, None
            return start, *actions_done[before]
        t0 = time.perf_counter()
        async with app.run_test(size=(140, 40)) as pilot:
            behind = 0
            i = 0
            end_seen_at = None
            while not app.view.final:
                await asyncio.sleep(0.3)
                try:
                    size = os.path.getsize(trace)
                except OSError:
                    size = 0
                behind = max(behind, size - source.tail.offset)
                if end_seen_at is None and not source.running and source.exit_code is not None:
                    end_seen_at = time.perf_counter()
                if app.view.state is None or source.exit_code is not None:
                    continue
                key = KEYS[i % len(KEYS)]
                i += 1
                focused = type(app.focused).__name__ if app.focused else None
                start, handled, action = await send(key)
                if handled is None:  # no action within 30 s: not timed, counted
                    res.setdefault("no_action", []).append((key, focused))
                else:
                    lat = await next_frame(frames, handled, pilot)
                    res["keys"].append((key, handled - start + lat, action, focused))
                if key == "tab":
                    await send("shift+tab")  # back to the events table, untimed
            res["wall"] = time.perf_counter() - t0
            res["catch_up"] = time.perf_counter() - end_seen_at if end_seen_at else 0.0
            res["behind_bytes"] = behind
            st = app.view.state
            res["runs"] = len(st.runs)
            res["exit"] = source.exit_code
            res["state_output_kept"] = len(st.output)
            res["state_output_total"] = st.output.total
            res["state_output_chars"] = sum(len(o.text) for o in st.output)
            res["pane_lines"] = len(app.query_one(OutputPane).lines)
            await pilot.press("q")

    asyncio.run(go())
    res["rss"] = vm_hwm("self")
    return res


def machine_row() -> str:
    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--flush", action="store_true",
                        help="the script flushes each line (print(..., flush=True)): an `out` event per line")
    parser.add_argument("--buffered", action="store_true",
                        help="PYTHONUNBUFFERED out of the script's environment: its stdout to a pipe "
                             "is block-buffered, as most users' is (the default keeps the environment)")
    parser.add_argument("--live-only", action="store_true", help="only the live view's part")
    parser.add_argument("--live-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.buffered:
        ENV.pop("PYTHONUNBUFFERED", None)
    if args.live_child:
        script, trace, runs, flush = args.live_child
        print(json.dumps(_live(script, trace, int(runs), flush == "1")))
        return
    rec: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        rec.setdefault(name, []).append(value)

    keys: list[float] = []
    key_by: dict[str, list[float]] = {}
    no_action: list = []
    worst: list = []
    loadavg = []
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "load_print.py")
        with open(script, "w") as fh:
            fh.write(SCRIPT)
        for r in range(args.rounds):
            loadavg.append(os.getloadavg()[0])
            extra = ["--flush"] if args.flush else []
            if not args.live_only:
                print(f"round {r + 1}/{args.rounds}: plain ...", file=sys.stderr, flush=True)
                wall, code, nout, _ = drained([sys.executable, script, str(args.runs), *extra], tmp)
                assert code == 0, code
                add("plain wall", wall)
                print(f"round {r + 1}/{args.rounds}: run --no-tui ...", file=sys.stderr, flush=True)
                trace = os.path.join(tmp, f"headless{r}.jsonl")
                wall, code, nrec, peak = drained(
                    [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", trace, script, str(args.runs), *extra],
                    tmp)
                assert code == 0 and nrec == nout, (code, nrec, nout)
                add("headless wall", wall)
                add("headless rss", peak)
                add("trace bytes", os.path.getsize(trace))
                add(".out bytes", os.path.getsize(trace + ".out"))
                assert os.path.getsize(trace + ".out") >= nout  # stdout, and stderr too
                runs_in, outs_in = count_runs(trace)
                add("headless runs", runs_in)
                add("out events", outs_in)
                os.unlink(trace)
                os.unlink(trace + ".out")

            print(f"round {r + 1}/{args.rounds}: live view ...", file=sys.stderr, flush=True)
            trace = os.path.join(tmp, f"live{r}.jsonl")
            p = subprocess.run([sys.executable, __file__, "--live-child", script, trace, str(args.runs), "1" if args.flush else "0"],
                               cwd=tmp, env=ENV, capture_output=True, text=True)
            if p.returncode != 0:
                sys.stderr.write(p.stderr[-3000:])
                raise SystemExit(1)
            res = json.loads(p.stdout.strip().splitlines()[-1])
            assert res["exit"] == 0 and res["runs"] == args.runs, res
            for name in ("wall", "rss", "catch_up", "behind_bytes", "state_output_kept", "state_output_total",
                         "state_output_chars", "pane_lines"):
                add(f"live {name}", res[name])
            for key, lat, _action, _focused in res["keys"]:
                keys.append(lat)
                key_by.setdefault(key, []).append(lat)
            no_action += res.get("no_action", [])
            worst.append(max(res["keys"], key=lambda k: k[1]))
            os.unlink(trace)
            os.unlink(trace + ".out")
            loadavg.append(os.getloadavg()[0])

    med = {k: statistics.median(v) for k, v in rec.items()}

    for name, src in (("headless rss MB", "headless rss"), ("trace MB", "trace bytes"), (".out MB", ".out bytes"),
                      ("live rss MB", "live rss"), ("live behind MB", "live behind_bytes")):
        if src in med:
            med[name] = med[src] / 1e6

    def fmt(spec: str, *names: str) -> str | None:
        """The medians of `names` formatted with `spec`, or None if one was not measured."""
        if any(n not in med for n in names):
            return None
        return spec.format(*(med[n] for n in names))

    n = args.runs
    rows = [
        (f"plain `python load_print.py` ({n:,} runs, a line each{', flushed' if args.flush else ''}), wall",
         fmt("{:.1f}", "plain wall"), "s"),
        ("`run --no-tui`, same script, wall", fmt("{:.1f}", "headless wall"), "s"),
        ("`run --no-tui`: runs in the trace (none lost)", fmt("{:,.0f}", "headless runs"), "runs"),
        ("`run --no-tui`: peak RSS of the inspector process", fmt("{:.0f}", "headless rss MB"), "MB"),
        ("trace size", fmt("{:.0f}", "trace MB"), "MB"),
        ("`out` events in the trace", fmt("{:,.0f}", "out events"), "events"),
        ("TRACE.out size (the whole output)", fmt("{:.1f}", ".out MB"), "MB"),
        ("live view (headless app, 140x40), wall to final state", fmt("{:.1f}", "live wall"), "s"),
        ("live view: peak RSS of the inspector process", fmt("{:.0f}", "live rss MB"), "MB"),
        ("live view: most trace bytes not yet read (sampled every 0.3 s)", fmt("{:.1f}", "live behind MB"), "MB"),
        ("live view: from the script's end to the final state", fmt("{:.1f}", "live catch_up"), "s"),
        ("live view: output chunks kept by the state / seen",
         fmt("{:,.0f} / {:,.0f}", "live state_output_kept", "live state_output_total"), "chunks"),
        ("live view: output lines in the pane", fmt("{:,.0f}", "live pane_lines"), "lines"),
        (f"live view: key to frame under load ({len(keys)} presses of {', '.join(KEYS)}), median (p95)",
         f"{statistics.median(keys) * 1e3:.0f} ({p95(keys) * 1e3:.0f})", "ms"),
        ("live view: key to frame under load, worst", f"{max(keys) * 1e3:.0f}", "ms"),
        ("live view: keys with no action within 30 s (not timed)", f"{len(no_action)}", "keys"),
    ]
    date = datetime.date.today().isoformat()
    machine = machine_row()
    print("| what | figure | unit | machine | date |\n|---|---|---|---|---|")
    for what, fig, unit in rows:
        if fig is None:
            continue
        print(f"| {what} | {fig} | {unit} | {machine} | {date} |")
    print(f"\n(PYTHONUNBUFFERED={ENV.get('PYTHONUNBUFFERED', '')!r}; rounds: {args.rounds}; load average 1 min during the rounds: "
          f"{', '.join(f'{x:.1f}' for x in loadavg)}; per round: "
          + "; ".join(f"{k} {', '.join(f'{x:.4g}' for x in v)}" for k, v in rec.items()) + ")")
    print(f"worst key per round (key, seconds, action, focused): {worst}")
    print(f"keys with no action within 30 s (key, focused): {no_action}")
    for key, xs in key_by.items():
        print(f"key {key}: median {statistics.median(xs) * 1e3:.0f} ms, p95 {p95(xs) * 1e3:.0f} ms, n {len(xs)}")


if __name__ == "__main__":
    main()
