"""More faults, each in a real child process, plain and recorded: a memory limit (as
the OOM killer), a script that forks or spawns, one that closes or redirects fds 0-2,
one that changes directory. Each keeps every event before the fault, the script's
output and exit code are python's own, and `report` reads the trace."""

from __future__ import annotations

import concurrent.futures
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.analysis import build_state
from inspector.trace.reader import read_trace
from tests.helpers import (
    ENV,
    REPO,
    Result,
    comparable_stderr,
    run_plain,
    run_recorded,
    strip_summary,
)

SCRIPT = REPO / "tests" / "scripts" / "faults_more.py"
CHDIR_SCRIPT_DIR = REPO / "tests" / "scripts" / "chdir_sources"
FAULTS = ("oom", "oom-kill", "fork", "spawn", "stdio", "chdir")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Result, Result]]:
    """Every fault once plainly and once recorded, two processes at a time."""
    base: Path = tmp_path_factory.mktemp("faults_more")

    def both(fault: str) -> tuple[str, tuple[Result, Result]]:
        if fault == "chdir":
            work = base / "chdir" / "work"
            shutil.copytree(CHDIR_SCRIPT_DIR, work)
            elsewhere = base / "chdir" / "elsewhere"
            elsewhere.mkdir()
            # The script by a relative path, from its own directory.
            plain = run_plain("main.py", str(elsewhere), cwd=work)
            rec = run_recorded("main.py", str(elsewhere), trace=base / "chdir.jsonl", cwd=work)
            return fault, (plain, rec)
        plain = run_plain(SCRIPT, fault, cwd=base)
        rec = run_recorded(SCRIPT, fault, trace=base / f"{fault}.jsonl", cwd=base)
        return fault, (plain, rec)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(both, FAULTS))


def shell_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def trace_lines(trace: Path) -> list[dict]:
    """Every line of the trace is one whole JSON object; returned with the run file's
    runs in among them (as the reader gives them), the header first."""
    raw = trace.read_bytes()
    assert raw.endswith(b"\n")
    lines = [json.loads(line) for line in raw.splitlines()]
    assert all(isinstance(o, dict) and isinstance(o.get("ev"), str) for o in lines)
    data = read_trace(str(trace))
    assert not data.cut and not data.bad_lines
    return [data.header, *data.events]


def report(trace: Path) -> dict:
    """`report` reads the trace: text and json, exit 0, no traceback."""
    env = {**ENV, "PYTHONPATH": str(REPO)}
    text = subprocess.run([sys.executable, "-m", "inspector", "report", str(trace)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert text.returncode == 0 and "Traceback" not in text.stderr, text.stderr
    assert text.stdout.startswith("tfsess-inspect: sessions ")
    p = subprocess.run([sys.executable, "-m", "inspector", "report", str(trace), "--format", "json"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def assert_same_as_plain(plain: Result, rec: Result, code: int, ordered: bool = True) -> None:
    """Same exit code and output as python (`ordered=False`: the same lines, in any
    order, where two processes print at once)."""
    assert shell_code(plain.code) == code
    assert rec.code == code, rec.stderr[-3000:]
    if ordered:
        assert rec.stdout == plain.stdout
    else:
        assert sorted(rec.stdout.splitlines()) == sorted(plain.stdout.splitlines())
    assert "Traceback" not in rec.stderr[rec.stderr.rfind("tfsess-inspect: sessions "):]


def test_memory_error_and_tensorflow_oom_keep_every_run(runs):
    plain, rec = runs["oom"]
    assert_same_as_plain(plain, rec, 1)
    assert rec.stdout == "20 runs\ncaught MemoryError\n"
    # The same exception line as python's (TensorFlow's error text goes on with where
    # the op was made, which is not compared here).
    def exception_lines(stderr: str) -> list[str]:
        return [ln for ln in stderr.splitlines() if ln.startswith("tensorflow.python.framework.errors_impl.")]

    assert exception_lines(strip_summary(rec.stderr)) == exception_lines(plain.stderr)
    assert exception_lines(plain.stderr)[-1].startswith(
        "tensorflow.python.framework.errors_impl.ResourceExhaustedError")
    data = read_trace(str(rec.trace))
    trace_lines(rec.trace)
    state = build_state(data.header, data.events)
    ok = [r for r in state.runs if r.ok]
    failed = [r for r in state.runs if not r.ok]
    assert len(ok) == 40 and len(failed) == 1
    assert failed[0].exc == "tf.errors.ResourceExhaustedError"
    assert state.exit.code == 1 and state.exit.exception.startswith("tf.errors.ResourceExhaustedError")
    rep = report(rec.trace)
    assert rep["runs"] == 41 and rep["exit"]["code"] == 1


def test_killed_at_the_memory_limit_keeps_every_run(runs):
    plain, rec = runs["oom-kill"]
    assert_same_as_plain(plain, rec, 128 + signal.SIGKILL)
    assert rec.stdout == "20 runs\n"
    data = read_trace(str(rec.trace))
    assert not data.cut
    state = build_state(data.header, data.events)
    assert len(state.runs) == 20 and all(r.ok for r in state.runs)
    assert state.exit.signal == signal.SIGKILL and state.exit.script_end is None
    rep = report(rec.trace)
    assert rep["runs"] == 20 and rep["exit"]["code"] == 137


def events_by_process(trace: Path) -> tuple[int, dict[int, list[dict]]]:
    """The root process's pid, and every process's events: those in the root trace by
    their pid, and those in a child's own trace that a `proc` line of the root trace
    names (a child's events may be in either place)."""
    lines = trace_lines(trace)
    root = lines[0]["pid"]
    by: dict[int, list[dict]] = {}
    for o in lines[1:]:
        by.setdefault(o.get("pid"), []).append(o)
    for o in lines:
        if o["ev"] == "proc" and isinstance(o.get("trace"), str):
            child = trace_lines(trace.parent / o["trace"])
            by.setdefault(o["pid"], []).extend(c for c in child[1:] if c.get("pid") == o["pid"])
    return root, by


def test_a_forked_child_writes_whole_lines_with_its_own_pid(runs):
    plain, rec = runs["fork"]
    assert_same_as_plain(plain, rec, 0, ordered=False)  # parent and child print at once
    assert sorted(rec.stdout.splitlines()) == ["20 runs", "child: 5 runs", "parent: child exited 3"]
    parent, by = events_by_process(rec.trace)
    assert len(by) == 2 and parent in by
    (child,) = set(by) - {parent}
    mine, theirs = by[parent], by[child]
    # The parent's events are all there: its session, 20 runs, its close, its end.
    assert [o["ev"] for o in mine if o["ev"] in ("sess", "run", "runerr", "close")] == \
        ["sess"] + ["run"] * 20 + ["close"]
    assert [o["how"] for o in mine if o["ev"] == "script_end"] == ["return"]
    assert [o["code"] for o in mine if o["ev"] == "end"] == [0]
    # The child's: its session in its with-block, 5 runs, its own sys.exit(3).
    assert [o["ev"] for o in theirs if o["ev"] in ("sess", "run", "runerr", "close")] == \
        ["sess"] + ["run"] * 5 + ["close"]
    assert [(o["how"], o["code"]) for o in theirs if o["ev"] == "script_end"] == [("exit", 3)]
    rep = report(rec.trace)
    assert rep["exit"]["code"] == 0
    assert rep["runs"] in (20, 25)  # the child's 5 too when they are in the root trace


def test_a_forked_childs_session_is_not_merged_into_the_parents(runs):
    """(Before forked children got traces of their own, the child numbered its sessions
    from the parent's counters into the same trace, and the report merged them.)"""
    _, rec = runs["fork"]
    parent, _ = events_by_process(rec.trace)
    rep = report(rec.trace)
    assert [s["runs"] for s in rep["sessions"] if s["pid"] == parent] == [20]
    assert sorted(s["runs"] for s in rep["sessions"]) in ([20], [5, 20])


def test_spawned_processes_leave_the_trace_and_the_exit_code_alone(runs):
    plain, rec = runs["spawn"]
    assert_same_as_plain(plain, rec, 0)
    assert rec.stdout == "20 runs\nsub x\nsubprocess exited 3\nworker 1\nworker 2\npool [2, 4]\n"
    lines = trace_lines(rec.trace)
    # Only the recorded script writes events (the spawned interpreters have no agent);
    # their output is the script's output.
    assert {o.get("pid") for o in lines} == {lines[0]["pid"]}
    out = "".join(o["text"] for o in lines if o["ev"] == "out" and o["fd"] == 1)
    assert out == rec.stdout
    rep = report(rec.trace)
    assert rep["runs"] == 20 and rep["exit"]["code"] == 0
    assert [s["closed"]["how"] for s in rep["sessions"]] == ["explicit"]


def test_closed_and_redirected_stdio_keep_every_event(runs):
    plain, rec = runs["stdio"]
    assert_same_as_plain(plain, rec, 4)
    assert rec.stdout == "20 runs\n"
    assert comparable_stderr(strip_summary(rec.stderr)) == comparable_stderr(plain.stderr) == ""
    lines = trace_lines(rec.trace)
    state = build_state(lines[0], lines[1:])
    assert len(state.runs) == 22 and all(r.ok for r in state.runs)
    (sess,) = state.user_sessions()
    assert sess.closed_how == "explicit"
    assert state.exit.script_end == "exit" and state.exit.code == 4
    # What went to the StringIO or /dev/null is not output.
    out = "".join(o.text for o in state.output)
    assert "StringIO" not in out and "/dev/null" not in out
    assert report(rec.trace)["exit"]["code"] == 4


def test_chdir_between_sessions_keeps_call_sites_and_sources(runs):
    plain, rec = runs["chdir"]
    assert_same_as_plain(plain, rec, 0)
    assert rec.stdout == "done in /\n"
    data = read_trace(str(rec.trace))
    state = build_state(data.header, data.events)
    assert len(state.runs) == 6 and all(r.ok for r in state.runs)
    assert [s.closed_how for s in state.user_sessions()] == ["explicit", "explicit"]
    work = Path(data.header["cwd"])
    assert work.name == "work"
    # The script given by a relative path and the helper found through a relative
    # sys.path entry: absolute call sites, sources embedded (read before the chdir
    # or after it, from the right place).
    files = {r.site.file for r in state.runs}
    assert str(work / "main.py") in files and str(work / "lib" / "helper.py") in files
    for name in ("main.py", "lib/helper.py"):
        src = state.sources[str(work / name)]
        assert src.text == (CHDIR_SCRIPT_DIR / name).read_text()
    rep = report(rec.trace)
    assert rep["runs"] == 6 and [s["runs"] for s in rep["sessions"]] == [3, 3]


def test_chdir_source_compiled_under_a_relative_name_is_embedded(runs):
    _, rec = runs["chdir"]
    data = read_trace(str(rec.trace))
    state = build_state(data.header, data.events)
    texts = [s.text for f, s in state.sources.items() if f.endswith("compiled.py")]
    assert texts == [(CHDIR_SCRIPT_DIR / "lib" / "compiled.py").read_text()]
