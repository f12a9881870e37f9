"""Reading a big trace: `tfsess-inspect report` on a synthetic 1,000,000-run trace.

The trace is made from a real recording (examples/run_after_close.py) by
benchmarks/synth.py: its events are kept, and runs of its busiest session are added, as
records in its run file (trace format 2). Run by hand: `python benchmarks/load.py [--runs 1000000] [--rounds 3]
[--print-per-run]` (`--print-per-run`: each run followed by a line of output, as the
`out` events of a script that prints a line per run, unbuffered: "step N" then its newline).
Prints wall time and peak RSS of the report process (medians).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402  (benchmarks/synth.py)


def synthesise(real: str, out: str, runs: int, prints: bool = False) -> None:
    synth.write_trace(synth.json_lines(real), out, runs, prints=prints)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--print-per-run", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        real = os.path.join(tmp, "real.jsonl")
        subprocess.run([sys.executable, "-m", "inspector", "run", "--no-tui", "-o", real,
                        os.path.join(REPO, "examples", "run_after_close.py")],
                       check=True, capture_output=True)
        big = os.path.join(tmp, "big.jsonl")
        print(f"writing a {args.runs}-run trace ...", file=sys.stderr, flush=True)
        synthesise(real, big, args.runs, args.print_per_run)
        size = os.path.getsize(big) + os.path.getsize(big + ".runs")
        walls, rss = [], []
        for i in range(args.rounds):
            print(f"round {i + 1}/{args.rounds} ...", file=sys.stderr, flush=True)
            t = time.perf_counter()
            p = subprocess.Popen([sys.executable, "-m", "inspector", "report", big, "--format", "json"],
                                 stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(p.pid, 0)
            walls.append(time.perf_counter() - t)
            rss.append(usage.ru_maxrss / 1024)
            assert os.waitstatus_to_exitcode(status) == 0
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    date = datetime.date.today().isoformat()
    print("| what | figure | unit | machine | date |\n|---|---|---|---|---|")
    what = f"{args.runs} runs" + (", each followed by 2 `out` lines" if args.print_per_run else "")
    print(f"| trace of {what} | {size / 1e6:.0f} | MB | {machine} | {date} |")
    print(f"| `report --format json`, wall | {statistics.median(walls):.2f} | s | {machine} | {date} |")
    print(f"| `report --format json`, peak RSS | {statistics.median(rss):.0f} | MB | {machine} | {date} |")


if __name__ == "__main__":
    main()
