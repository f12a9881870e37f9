"""Reading a big trace: `tfsess-inspect report` on a synthetic 1,000,000-run trace.

The trace is made from a real recording (examples/run_after_close.py): its header,
sessions, sites and failing run are kept, and its successful run line is repeated with
advancing times. Run by hand: `python benchmarks/load.py [--runs 1000000] [--rounds 3]
[--print-per-run]` (`--print-per-run`: each run followed by a line of output, as the
`out` events of a script that prints a line per run, unbuffered: "step N" then its newline).
Prints wall time and peak RSS of the report process (medians).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def synthesise(real: str, out: str, runs: int, prints: bool = False) -> None:
    with open(real) as fh:
        lines = fh.read().splitlines()
    ok = [line for line in lines if line.startswith('{"ev":"run",')]
    template = json.loads(ok[0])
    head = [line for line in lines if not line.startswith(('{"ev":"run",', '{"ev":"close"', '{"ev":"runerr"',
                                                            '{"ev":"script_end"', '{"ev":"end"'))]
    tail = [line for line in lines if line.startswith(('{"ev":"close"', '{"ev":"runerr"', '{"ev":"script_end"',
                                                        '{"ev":"end"'))]
    ts = template["ts"]
    with open(out, "w") as fh:
        fh.write("\n".join(head) + "\n")
        for _ in range(runs):
            ts += 2000
            fh.write('{"ev":"run","s":%d,"ts":%d,"dur":1500,"k":"run","site":%d,"fs":%d,"th":1,"pid":%d}\n'
                     % (template["s"], ts, template["site"], template["fs"], template["pid"]))
            if prints:
                fh.write('{"ev":"out","pid":%d,"fd":1,"ts":%d,"text":"step %d 2.0"}\n'
                         '{"ev":"out","pid":%d,"fd":1,"ts":%d,"text":"\\n"}\n'
                         % (template["pid"], ts + 1600, ts, template["pid"], ts + 1700))
        fh.write("\n".join(tail) + "\n")


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
        size = os.path.getsize(big)
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
