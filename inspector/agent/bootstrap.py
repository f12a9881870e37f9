"""Run the user's script as its own `__main__`, under the recorder.

Started by the CLI as ``python -c <stub> TRACE T0_NS [--memory-interval=SECONDS]
[--step-stats] [-m] TARGET ARGS...`` (without the flags: the memory sampler at its default
interval, no step stats).
The script must see what a plain ``python script.py args`` gives it: `__name__`,
`__file__`, `sys.argv`, `sys.path[0]`, a permanent `__main__` (so pickling works), the
same traceback without our frames, and the same exit code.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import importlib.util
import os
import signal
import sys
import types
from typing import Any

from inspector.agent import children, importhook, output_order, stepstats
from inspector.agent import memory as memory_mod
from inspector.agent import recorder as recorder_mod
from inspector.agent.tracebacks import clean_chain as _clean_chain
from inspector.trace import format as fmt

_AGENT_DIR = recorder_mod._AGENT_DIR
_INSPECTOR_DIR = recorder_mod._INSPECTOR_DIR
_kept_modules: list = []
MEMORY_FLAG = "--memory-interval="
STEP_STATS_FLAG = "--step-stats"
AGENT_FLAGS = (STEP_STATS_FLAG,)


class BadTarget(Exception):
    pass


def _fill_main(main: types.ModuleType) -> None:
    """What the interpreter puts into a fresh __main__ before running a script."""
    main.__builtins__ = builtins
    if sys.version_info < (3, 14):
        main.__annotations__ = {}


def _prepare_script(path: str) -> tuple[types.CodeType, types.ModuleType]:
    abspath = os.path.abspath(path)
    with open(abspath, "rb") as fh:
        source = fh.read()
    main = types.ModuleType("__main__")
    main.__file__ = abspath
    _fill_main(main)
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", abspath)
    main.__spec__ = None
    main.__package__ = None
    main.__cached__ = None
    sys.path[0] = os.path.dirname(os.path.realpath(abspath))
    # A SyntaxError here is the script's: reported as python reports it.
    code = compile(source, abspath, "exec", dont_inherit=True)
    return code, main


def _prepare_module(name: str) -> tuple[types.CodeType, types.ModuleType]:
    sys.path[0] = os.getcwd()
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise BadTarget(f"No module named {name}")
    if spec.submodule_search_locations is not None:  # a package: run its __main__
        spec = importlib.util.find_spec(name + ".__main__")
        if spec is None:
            raise BadTarget(f"No module named {name}.__main__; '{name}' is a package and cannot be directly executed")
    code = spec.loader.get_code(spec.name)
    if code is None:
        raise BadTarget(f"No code object available for {name}")
    main = types.ModuleType("__main__")
    main.__file__ = spec.origin
    _fill_main(main)
    main.__loader__ = spec.loader
    main.__spec__ = spec
    main.__package__ = spec.parent
    main.__cached__ = spec.cached
    return code, main


def main(argv: list[str]) -> None:
    trace, t0, *rest = argv
    memory_interval = memory_mod.DEFAULT_INTERVAL
    while rest and (rest[0] in AGENT_FLAGS or rest[0].startswith(MEMORY_FLAG)):
        flag, rest = rest[0], rest[1:]  # optional: older launchers give none
        if flag.startswith(MEMORY_FLAG):
            memory_interval = float(flag[len(MEMORY_FLAG):])
        elif flag == STEP_STATS_FLAG:
            stepstats.enabled = True
    as_module = bool(rest) and rest[0] == "-m"
    if as_module:
        rest = rest[1:]
    target, script_args = rest[0], rest[1:]
    header = {"script": target, "module": as_module, "argv": [target, *script_args]}
    rec = recorder_mod.start(trace, int(t0), header=header)
    caller = sys._getframe(1)
    while caller is not None:  # the launcher's `python -c` stub is ours, not the script's
        rec.own_codes.add(caller.f_code)
        caller = caller.f_back
    memory_mod.install(rec, memory_interval)
    children.propagate(trace, int(t0), memory_interval, stepstats.enabled)
    try:
        code, main_module = _prepare_module(target) if as_module else _prepare_script(target)
    except BadTarget as exc:
        rec.emit_event(fmt.SCRIPT_END, ts=rec.now(), how="bad-target", code=2, exc=str(exc))
        sys.stderr.write(f"tfsess-inspect: {exc}\n")
        raise SystemExit(2) from None
    except SyntaxError as exc:
        _clean_chain(exc, set())
        rec.emit_event(fmt.EXCEPTION, ts=rec.now(), type="SyntaxError", msg=str(exc))
        rec.emit_event(fmt.SCRIPT_END, ts=rec.now(), how="exception", code=1)
        sys.excepthook(type(exc), exc, exc.__traceback__)
        raise SystemExit(1) from None
    if main_module.__file__ and os.path.exists(main_module.__file__):
        rec.embed_source(main_module.__file__)
    sys.argv[:] = [main_module.__file__ if as_module else target, *script_args]
    _kept_modules.append(sys.modules.get("__main__"))
    sys.modules["__main__"] = main_module
    importhook.install()
    output_order.install()
    try:
        exec(code, main_module.__dict__)
    except SystemExit as exc:
        code_ = exc.code
        rec.emit_event(fmt.SCRIPT_END, ts=rec.now(), how="exit",
                       code=code_ if isinstance(code_, int) else (0 if code_ is None else 1))
        raise
    except BaseException as exc:
        _clean_chain(exc, set())
        rec.emit_event(fmt.EXCEPTION, ts=rec.now(), type=recorder_mod._exception_name(exc),
                       msg=_safe_str(exc), site=_site_of_traceback(rec, exc))
        rec.emit_event(fmt.SCRIPT_END, ts=rec.now(), how="exception", code=1)
        sys.excepthook(type(exc), exc, exc.__traceback__)
        if isinstance(exc, KeyboardInterrupt):
            # As CPython does: die by SIGINT so the parent sees the signal.
            sys.stdout.flush()
            sys.stderr.flush()
            _run_atexit()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        raise SystemExit(1) from None
    rec.emit_event(fmt.SCRIPT_END, ts=rec.now(), how="return", code=0)


def _run_atexit() -> None:
    import atexit

    try:
        atexit._run_exitfuncs()
    except Exception:
        pass


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:4000]
    except Exception:
        return "<unprintable exception>"


def _site_of_traceback(rec: Any, exc: BaseException) -> list | None:
    """Where the uncaught exception left the script's own code: the innermost
    traceback entry that is not library code."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        if not rec._is_lib(tb.tb_frame.f_code):
            found = [tb.tb_frame.f_code.co_filename, tb.tb_lineno, tb.tb_frame.f_code.co_name]
        tb = tb.tb_next
    if found is not None:
        found[0] = rec.embed_source(found[0])
    return found
