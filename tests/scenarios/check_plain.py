"""Run every scenario with plain `python` and check its exit code.

Each scenario's docstring has an `expect: exit=<code>` line; this script runs
all scenarios (2 at a time), compares the real exit code with it, and prints
a table. A process killed by signal N counts as exit code 128+N (what a
shell reports), so SIGTERM is 143. It also checks that every scenario has
well-formed `expect:` lines. Exit code 0 if everything matches, 1 otherwise.

Usage: python tests/scenarios/check_plain.py [NAME ...]
"""
import concurrent.futures
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 120
KINDS = {
    "run-after-close",
    "no-default-session",
    "graph-mismatch",
    "eager-in-session",
    "session-leak",
    "double-close",
}
HOWS = {"explicit", "with", "gc", "reset", "monitored"}
EXPECT_RE = re.compile(r"^expect: (.*)$", re.M)


def scenarios(names):
    files = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name and not p.name.startswith("_"))
    if names:
        wanted = {n.removesuffix(".py") for n in names}
        files = [p for p in files if p.stem in wanted]
    return files


def parse_expectations(path):
    """Return (expected exit code or None, list of format problems)."""
    text = path.read_text()
    nlines = text.count("\n") + 1
    problems, exits, runs = [], [], []
    for body in EXPECT_RE.findall(text):
        m = re.fullmatch(r"(finding|close)=([\w-]+) line=(\d+)", body)
        if m:
            key, value, line = m.group(1), m.group(2), int(m.group(3))
            if key == "finding" and value not in KINDS:
                problems.append(f"unknown finding kind {value!r}")
            if key == "close" and value not in HOWS:
                problems.append(f"unknown close kind {value!r}")
            if not 1 <= line <= nlines:
                problems.append(f"line {line} out of range")
            continue
        m = re.fullmatch(r"(runs|exit)=(\d+)", body)
        if m:
            (runs if m.group(1) == "runs" else exits).append(int(m.group(2)))
            continue
        problems.append(f"malformed expect line {body!r}")
    if len(exits) != 1:
        problems.append(f"need exactly one exit= line, found {len(exits)}")
    if len(runs) != 1:
        problems.append(f"need exactly one runs= line, found {len(runs)}")
    return (exits[0] if exits else None), problems


def run_one(path):
    expected, problems = parse_expectations(path)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, str(path)],
            cwd=HERE.parent.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        code = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
        tail = proc.stderr.strip().splitlines()[-1:] if code != expected else []
    except subprocess.TimeoutExpired:
        code, tail = None, [f"timeout after {TIMEOUT_S}s"]
    elapsed = time.monotonic() - start
    ok = not problems and code == expected
    return path.name, expected, code, elapsed, ok, problems + tail


def main(argv):
    files = scenarios(argv)
    if not files:
        print("no scenarios found")
        return 1
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        rows = list(pool.map(run_one, files))
    width = max(len(r[0]) for r in rows)
    print(f"{'scenario':<{width}}  expect  actual  time    result")
    print("-" * (width + 34))
    for name, expected, code, elapsed, ok, notes in rows:
        line = f"{name:<{width}}  {str(expected):>6}  {str(code):>6}  {elapsed:5.1f}s  {'ok' if ok else 'FAIL'}"
        if notes:
            line += "  " + "; ".join(notes)
        print(line)
    failed = sum(not r[4] for r in rows)
    print("-" * (width + 34))
    print(f"{len(rows) - failed}/{len(rows)} scenarios match their expected exit code")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
