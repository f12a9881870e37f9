"""Recording a Python process that tfsess-inspect did not start (a training job run by a
scheduler, a launcher script): the public environment variable `TFSESS_INSPECT_TRACE`.

    export TFSESS_INSPECT_TRACE=/runs/job-42.jsonl
    export PYTHONPATH="$(tfsess-inspect agent-path)${PYTHONPATH:+:$PYTHONPATH}"
    python train.py

The directory on PYTHONPATH holds the agent's `sitecustomize.py` (the one the script's
child processes get, inspector/agent/_child): at interpreter start it sees the variable
and calls `start_job()`, which opens the trace at once (header, the script's source),
sets up the child-process mechanism for the job's own children (they inherit
`TFSESS_INSPECT_CHILD`, which wins over this variable) and installs the import hook.
Nothing else changes for the job: no tee, no wrapper process. At exit the job writes
its own `script_end` and `end` (what a `tfsess-inspect run` parent would write), with
the exit code as Python knows it; a job killed by a signal or `os._exit` leaves none,
and `tfsess-inspect follow` then shows how long the trace has had no news.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import Any

TRACE_ENV = "TFSESS_INSPECT_TRACE"

_exit_code: int | None = None
_how = "return"  # how the job's own code ended, for `script_end`
_ended = False


def trace_path_from_env() -> str | None:
    path = os.environ.get(TRACE_ENV)
    return os.path.abspath(path) if path else None


def tfsess_inspect_itself() -> bool:
    """This process is tfsess-inspect's own (the command, say `follow` in a shell that
    exported the variable, or a script it runs, which records into its own trace): the
    variable is not for it."""
    argv0 = os.path.basename(sys.argv[0]) if sys.argv else ""
    if argv0 in ("tfsess-inspect", "_launch.py"):
        return True
    try:  # `python -m inspector ...`: at start-up sys.argv[0] is only "-m"
        with open("/proc/self/cmdline", "rb") as fh:
            words = fh.read().split(b"\0")
    except OSError:
        return False
    return any(w == b"-m" and (nxt == b"inspector" or nxt.startswith(b"inspector."))
               for w, nxt in zip(words, words[1:], strict=False))


def start_job() -> Any:
    """Start recording this process into `$TFSESS_INSPECT_TRACE` (from sitecustomize)."""
    from inspector.agent import children, importhook
    from inspector.agent import memory as memory_mod
    from inspector.agent import recorder as recorder_mod

    path = trace_path_from_env()
    if path is None or recorder_mod.get() is not None or tfsess_inspect_itself():
        return None
    try:
        open(path, "w").close()
    except OSError as exc:
        sys.__stderr__.write(f"tfsess-inspect: {TRACE_ENV}={path}: cannot write it "
                             f"({exc.strerror}): not recording\n")
        return None
    argv = list(sys.argv)
    script = argv[0] if argv else None
    rec = recorder_mod.start(path, header={"script": script, "module": False, "argv": argv,
                                          "job": True})
    if script and os.path.isfile(script):
        rec.embed_source(script)
    memory_mod.install(rec, memory_mod.DEFAULT_INTERVAL)
    children.propagate(path, rec.t0, memory_mod.DEFAULT_INTERVAL, False)
    importhook.install()
    _watch_exit(rec)
    return rec


def _watch_exit(rec: Any) -> None:
    from inspector.agent.recorder import _exception_name
    from inspector.trace import format as fmt

    previous_hook = sys.excepthook

    def excepthook(tp: Any, value: Any, tb: Any) -> None:
        global _exit_code, _how
        if not isinstance(value, SystemExit):
            _exit_code, _how = 1, "exception"
            try:
                rec.emit_event(fmt.EXCEPTION, ts=rec.now(), type=_exception_name(value),
                               msg=str(value)[:4000], site=None)
            except Exception:
                pass
        previous_hook(tp, value, tb)

    sys.excepthook = excepthook
    original_exit = sys.exit

    def exit(code: Any = None) -> None:  # noqa: A001 - stands in for sys.exit
        global _exit_code, _how
        _exit_code = code if isinstance(code, int) else (0 if code is None else 1)
        _how = "exit"
        original_exit(code)

    sys.exit = exit

    def at_exit() -> None:
        global _ended
        if _ended:
            return
        _ended = True
        code = _exit_code if _exit_code is not None else 0
        try:
            now = rec.now()
            rec.emit_event(fmt.SCRIPT_END, ts=now, how=_how, code=code)
            rec.emit_event(fmt.END, ts=now, code=code, signal=None)
        except Exception:
            pass

    atexit.register(at_exit)
