"""Every run path through one wrapper: `sess.run`, `partial_run(_setup)`, callables,
`Tensor.eval`, `Operation.run`, `MonitoredSession.run`.

Like TensorFlow's own debugger wrapper (tensorflow/python/debug/wrappers/framework.py),
each path is the same wrapper shape and yields one event shape. A successful run is one
24-byte record in the run file (inspector/trace/run_writer.py): its shape (session, kind,
call site, fetch summary, thread), interned once, and its start and duration. A failed
run is a JSON line with its exception (rare, and it needs the message).

The same wrapper exists twice: `python_recorded_run` here, the reference, and the
optional compiled one in `_fastrun.c` (built at install where a C compiler exists), which
does the fast path of a successful run in C and calls back into this module for the
rest. `recorded_run` takes the compiled one when it was built, unless the environment
variable TFSESS_INSPECT_PURE_PYTHON is set to a non-empty value other than 0.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from inspector.agent import memory as _memory_mod
from inspector.agent import recorder as _recorder_mod
from inspector.agent import sessions, summaries
from inspector.agent.tf_refs import SESSION_ID_ATTR, TF, in_run
from inspector.trace import format as fmt
from inspector.trace.run_writer import pack_into, run_line

_HEADER, _SIZE, _TAG = fmt.RUNS_HEADER_SIZE, fmt.RUN_RECORD_SIZE, fmt.RUN_TAG


# What this module and _fastrun.c agree on (its CONTRACT): raised with any change to the
# callbacks' arguments or the memo's rules, on both sides.
_CONTRACT = 1


def _compiled_hot_path() -> Any:
    """The compiled wrapper's module, or None: not built, not wanted, or built from
    other source (an editable install not rebuilt since _fastrun.c changed)."""
    if os.environ.get("TFSESS_INSPECT_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from inspector.agent import _fastrun
    except ImportError:
        return None
    if ((_fastrun.HEADER_SIZE, _fastrun.RECORD_SIZE, _fastrun.RUN_TAG) != (_HEADER, _SIZE, _TAG)
            or _fastrun.SESSION_ID_ATTR != SESSION_ID_ATTR
            or getattr(_fastrun, "CONTRACT", None) != _CONTRACT):
        return None
    return _fastrun


_fastrun = _compiled_hot_path()


def hot_path() -> str:
    """Which run wrapper `recorded_run` makes: "compiled" or "python"."""
    return "compiled" if _fastrun is not None else "python"


class RunPath:
    """How one run path reads its call: the session it runs in (before the call), the
    cheap key of its fetches and feeds and the objects behind it, and the summary."""

    def __init__(self, session_of: Callable, key_of: Callable, keepalive_of: Callable,
                 summary_of: Callable) -> None:
        self.session_of, self.key_of = session_of, key_of
        self.keepalive_of, self.summary_of = keepalive_of, summary_of


def _self(args: tuple, kwargs: dict) -> Any:
    return args[0]


def _default_session_or(args: tuple, kwargs: dict) -> Any:
    # eval(self, feed_dict=None, session=None) and Operation.run(self, feed_dict=None, session=None)
    sess = args[2] if len(args) > 2 else kwargs.get("session")
    if sess is None and TF.get_default_session is not None:
        sess = TF.get_default_session()
    return sess


RUN = RunPath(_self, summaries.run_key, summaries.run_keepalive, summaries.run_summary)
EVAL = RunPath(_default_session_or, summaries.eval_key, summaries.eval_keepalive,
               summaries.eval_summary)
PARTIAL_RUN = RunPath(_self, summaries.partial_run_key, summaries.partial_run_keepalive,
                      summaries.partial_run_summary)
PARTIAL_RUN_SETUP = RunPath(_self, summaries.partial_run_setup_key,
                            summaries.partial_run_setup_keepalive,
                            summaries.partial_run_setup_summary)


def fixed_path(session_of: Callable, fs: int) -> RunPath:
    """A callable's: its session and summary were fixed when it was made."""
    return RunPath(session_of, summaries.no_key, summaries.no_keepalive, lambda a, k: fs)


def recorded_run(kind: str, original: Callable, path: RunPath) -> Callable:
    """Wrap one run path: the compiled wrapper where it was built, else the Python one."""
    wrapper = python_recorded_run(kind, original, path)
    if _fastrun is None:
        return wrapper
    fast = _fastrun.FastRun(
        original=original,
        fallback=wrapper,  # runs with device memory (GPUs) take the Python wrapper whole
        session_of=path.session_of,
        key_of=path.key_of,
        new_shape=functools.partial(_new_shape_from_c, kind, path),
        record_error=functools.partial(_record_run_error_from_c, kind, path),
        recorder_dict=vars(_recorder_mod),
        memory_dict=vars(_memory_mod),
        busy=in_run,
        feeds_key=summaries.feeds_key,
        # run(self, fetches, feed_dict=None, ...): the C code builds this path's key itself
        run_shaped=path is RUN,
    )
    functools.update_wrapper(fast, original)
    return fast


def python_recorded_run(kind: str, original: Callable, path: RunPath) -> Callable:
    """Wrap one run path. The hot path of the whole agent.

    TensorFlow's thread pool makes the next run slower as soon as the gap between two
    runs grows (its workers stop spinning and must be woken), so Python work between
    runs costs a step several times its own time: a successful run is one tuple key,
    one dict lookup and one `pack_into` into a shared mapping, no allocation beyond
    the key, no string, no system call. Everything that repeats is worked out once per
    call site, fetch/feed structure, session and thread (`_new_shape`)."""

    mono = _recorder_mod._MONO
    getframe = sys._getframe
    get_ident = threading.get_ident
    session_of, key_of = path.session_of, path.key_of
    busy = in_run

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        rec = _recorder_mod._recorder
        me = get_ident()
        if me in busy or rec is None:
            return original(*args, **kwargs)
        busy.add(me)
        try:
            devices = _memory_mod.run_devices  # GPUs: read around each run (agent/memory.py)
            before = _memory_mod.read_run(devices) if devices else None
            start = mono()
            try:
                result = original(*args, **kwargs)
            except BaseException as exc:
                end = mono()
                dmem = _memory_mod.run_delta(devices, before) if devices else b""
                _record_run_error(rec, kind, path, args, kwargs, start, end, exc, dmem)
                raise
            end = mono()
            try:
                f = getframe(1)
                p = f.f_back
                try:
                    key = (getattr(session_of(args, kwargs), SESSION_ID_ATTR, None),
                           id(f.f_code), f.f_lasti, p and id(p.f_code), p and p.f_lasti,
                           me, key_of(args, kwargs))
                except Exception:
                    key = None
                try:
                    shape = rec.run_shapes.get(key)
                except TypeError:  # a feed value's shape that cannot be hashed
                    shape = key = None
                if shape is None:
                    shape = _new_shape(rec, kind, path, key, f, args, kwargs)
                if devices:
                    _write_run_line(rec, shape, start, end, _memory_mod.run_delta(devices, before))
                else:
                    runs = rec.runs
                    o = _HEADER + next(runs.slots) * _SIZE
                    first, last, mm = runs.seg
                    if first <= o < last:
                        pack_into(mm, o - first, _TAG, shape, start - rec.t0, end - start)
                    else:
                        runs.write_at(o, shape, start - rec.t0, end - start)
            except Exception:
                pass
            return result
        finally:
            busy.discard(me)

    return wrapper


def _new_shape(rec: Any, kind: str, path: RunPath, key: Any, f: Any, args: tuple,
               kwargs: dict) -> int:
    """The first run of its key: work out session, call site, fetch summary and thread,
    intern them as a run shape, and cache the key when it will mean the same next time."""
    sid, fs = _session_and_summary(path, args, kwargs)
    with rec._lock:
        user_frame = not rec._is_lib(f.f_code)
        site = rec.site_from(f)
        shape = rec.shape_id(sid, kind, site, fs, rec.thread_id())
        # A key is cached only when it names the same thing next time: a known session,
        # a call from the script's own code (from TensorFlow's, the script's line is
        # further up and may differ), and fetches whose identities are stable.
        if key is not None and key[0] is not None and user_frame:
            try:
                keep = path.keepalive_of(args, kwargs)
            except Exception:
                keep = None
            if keep is not None:
                if f.f_back is not None:
                    keep.append(f.f_back.f_code)
                keep.append(f.f_code)
                rec.cache_run_shape(key, shape, keep)
    return shape


def _new_shape_from_c(kind: str, path: RunPath, rec: Any, key: Any, f: Any, args: tuple,
                      kwargs: dict | None) -> int:
    return _new_shape(rec, kind, path, key, f, args, kwargs or {})


def _record_run_error_from_c(kind: str, path: RunPath, rec: Any, args: tuple,
                             kwargs: dict | None, start: int, end: int,
                             exc: BaseException) -> None:
    # One frame between the caller and _record_run_error, as the Python wrapper is.
    _record_run_error(rec, kind, path, args, kwargs or {}, start, end, exc)


def _session_and_summary(path: RunPath, args: tuple, kwargs: dict) -> tuple[int, int]:
    """The run's session id and fetch/feed summary id (0 for what cannot be had)."""
    try:
        sid = sessions.session_id(path.session_of(args, kwargs))
    except Exception:
        sid = 0
    try:
        fs = path.summary_of(args, kwargs)
    except Exception:
        fs = 0
    return sid, fs


def _write_run_line(rec: Any, shape: int, start: int, end: int, dmem: bytes | None) -> None:
    """A run with device-memory deltas (GPUs): the JSON line, which has room for them."""
    rec.writer.write_bytes(run_line(rec.shape_parts(shape), start - rec.t0, end - start, rec.pid,
                                    dmem or b""))


def _record_run_error(rec: Any, kind: str, path: RunPath, args: tuple, kwargs: dict,
                      start: int, end: int, exc: BaseException, dmem: bytes = b"") -> None:
    sid, fs = _session_and_summary(path, args, kwargs)
    try:
        # depth 3: site_id <- here <- the wrapper <- the caller
        rec.run_error(sid, kind, start - rec.t0, end - start, rec.site_id(3), fs, exc, dmem)
    except Exception:
        pass


def wrap_make_callable(original: Callable) -> Callable:
    @functools.wraps(original)
    def make_callable(self, fetches, feed_list=None, accept_options=False):
        fn = original(self, fetches, feed_list, accept_options)
        if _recorder_mod._recorder is None:
            return fn
        sess = self
        try:
            fs = summaries.fetch_summary(fetches, feed_list, feed_values=False)
        except Exception:
            fs = 0
        return recorded_run("callable", fn, fixed_path(lambda a, k: sess, fs))

    return make_callable
