"""Recording the script's Python child processes, each into its own trace file.

The root process (started by the launcher) puts two things into the environment that
its children inherit: `TFSESS_INSPECT_CHILD` (where the root's trace is, its clock
origin and the agent's options) and a `PYTHONPATH` entry holding our
`sitecustomize.py`. A child interpreter (`subprocess` with `sys.executable`,
`multiprocessing` spawn) runs that at start-up; when the child imports TensorFlow it
calls `start_child()`: the import hook goes in and the child's trace is opened, so helper
processes that never import TensorFlow pay next to nothing and leave no file behind. A forked child (os.fork,
`multiprocessing` fork) inherits the recorder and switches it to a file of its own
(`after_fork`).

Each child trace is `<root trace stem>.child-<pid>.jsonl` next to the root's, with the
root's clock origin (monotonic time is system-wide), so the timelines line up. The child
announces itself with one `proc` line appended to the root's trace: readers find every
child from the root trace alone.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

ENV = "TFSESS_INSPECT_CHILD"
# Holds our sitecustomize.py: on a process's PYTHONPATH, it records the process (as a
# child of a recorded script, or as a job: TFSESS_INSPECT_TRACE, agent/job.py).
SITE_DIR = _SITE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_child")
_config: dict[str, Any] | None = None  # this process's copy of the root's settings


def child_trace_path(root_trace: str, pid: int) -> str:
    stem = root_trace[: -len(".jsonl")] if root_trace.endswith(".jsonl") else root_trace
    return f"{stem}.child-{pid}.jsonl"


def propagate(root_trace: str, t0: int, memory_interval: float | None, step_stats: bool) -> None:
    """Called in the root process: let the script's Python children record too."""
    global _config
    _config = {
        "trace": os.path.abspath(root_trace),
        "t0": t0,
        "memory_interval": memory_interval,
        "step_stats": step_stats,
    }
    os.environ[ENV] = json.dumps(_config)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = _SITE_DIR if not old else _SITE_DIR + os.pathsep + old


def record_forks(root_trace: str, t0: int) -> None:
    """Let forked children of this process record, each into a trace of its own beside
    `root_trace`; nothing goes into the environment, so spawned interpreters are left
    alone (the pytest plugin, whose process is not one the launcher started)."""
    global _config
    _config = {"trace": os.path.abspath(root_trace), "t0": t0, "memory_interval": None,
               "step_stats": False}


def start_child() -> None:
    """In a child interpreter, from our sitecustomize: get ready to record."""
    global _config
    raw = os.environ.get(ENV)
    if not raw:
        return
    try:
        config = json.loads(raw)
        if not isinstance(config, dict) or not isinstance(config.get("trace"), str):
            return
        int(config["t0"])
    except (ValueError, TypeError, KeyError):
        return
    _config = config
    from inspector.agent import importhook, stepstats
    from inspector.agent import recorder as recorder_mod

    stepstats.enabled = bool(config.get("step_stats"))
    recorder_mod.pending_start = _open_child_trace
    importhook.install()


def _open_child_trace(how: str = "spawn") -> Any:
    """Open this child's trace (at its first TensorFlow import, or right after a fork)."""
    from inspector.agent import memory as memory_mod
    from inspector.agent import recorder as recorder_mod

    config = _config
    if config is None:
        return None
    root = config["trace"]
    path = child_trace_path(root, os.getpid())
    header = {
        "script": sys.argv[0] if sys.argv else None,
        "argv": list(sys.argv),
        "module": False,
        "child": how,
        "root_trace": os.path.basename(root),
    }
    rec = recorder_mod.start(path, int(config["t0"]), header=header)
    interval = config.get("memory_interval")
    memory_mod.install(rec, memory_mod.DEFAULT_INTERVAL if interval is None else float(interval))
    announce(rec, root, path, how)
    _hide_own_frames()
    return rec


def _hide_own_frames() -> None:
    """An uncaught exception's traceback, as python prints it, without our wrappers'
    frames (the root process does the same in bootstrap.main)."""
    import threading

    from inspector.agent.tracebacks import clean_chain as _clean_chain

    previous = sys.excepthook

    def excepthook(tp: Any, value: Any, tb: Any) -> None:
        if value is not None:
            try:
                _clean_chain(value, set())
                tb = value.__traceback__
            except Exception:
                pass
        previous(tp, value, tb)

    if sys.excepthook is sys.__excepthook__:  # the script's own hook is left alone
        sys.excepthook = excepthook
    previous_thread = threading.excepthook

    def thread_excepthook(args: Any) -> None:
        if args.exc_value is not None:
            try:
                _clean_chain(args.exc_value, set())
                args = threading.ExceptHookArgs(
                    (args.exc_type, args.exc_value, args.exc_value.__traceback__, args.thread))
            except Exception:
                pass
        previous_thread(args)

    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = thread_excepthook


def announce(rec: Any, root: str, path: str, how: str) -> None:
    """One `proc` line in the root's trace: where this child's events are."""
    from inspector.agent.recorder import _json
    from inspector.trace import format as fmt
    from inspector.trace.writer import TraceWriter

    try:
        writer = TraceWriter(root)
    except OSError:
        return
    try:
        writer.write(_json({"ev": fmt.PROC, "pid": rec.pid, "ppid": os.getppid(), "ts": rec.now(),
                            "how": how, "trace": os.path.basename(path), "argv": list(sys.argv)}) + "\n")
    finally:
        writer.close()


def after_fork(rec: Any) -> None:
    """In a forked child: move the inherited recorder to files of the child's own, so
    that the ids it hands out from now on cannot clash with the parent's. (The recorder
    has already let go of the parent's files; without a root trace to name the child's
    after, the child records nothing.)"""
    if _config is None:
        return
    from inspector.agent.recorder import _json, make_header, open_run_file, runs_writer
    from inspector.trace.writer import TraceWriter

    old = rec.writer
    path = child_trace_path(_config["trace"], os.getpid())
    try:
        rec.writer = TraceWriter(path)
    except OSError:
        return  # nowhere to write: record nothing rather than mix files
    runs, runs_info = open_run_file(path)
    rec.runs = runs_writer(rec, runs)
    try:
        os.close(old.fd)
    except OSError:
        pass

    head = make_header(rec, {"script": sys.argv[0] if sys.argv else None, "argv": list(sys.argv),
                             "module": False, "child": "fork",
                             "root_trace": os.path.basename(_config["trace"]),
                             **({"runs": runs_info} if runs_info else {})})
    rec.writer.write(_json(head) + "\n")
    rec.forget_interned()
    announce(rec, _config["trace"], path, "fork")


def _register() -> None:
    from inspector.agent import recorder as recorder_mod

    if after_fork not in recorder_mod.fork_handlers:
        recorder_mod.fork_handlers.append(after_fork)


_register()
