"""Wrappers around TensorFlow's session API.

Like TensorFlow's own debugger wrapper (tensorflow/python/debug/wrappers/framework.py),
every run path goes through one wrapper shape, `_recorded_run`, that yields one event
shape. A thread-local guard keeps nested internal calls (make_callable with feeds
calls self.run, eval calls session.run, MonitoredSession.run calls the raw session)
from being counted twice.

Nothing here may change what the script sees: wrappers call the original with the
same arguments, return its result and re-raise its exception; recording failures
are swallowed.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from inspector.agent import devices as _devices
from inspector.agent import memory as _memory_mod
from inspector.agent import recorder as _recorder_mod
from inspector.agent import stepstats as _stepstats
from inspector.trace import format as fmt

_SID = "_tfsess_inspect_id"
_GID = "_tfsess_inspect_gid"


class _ThreadState(threading.local):
    in_run = False
    creating_parent = 0


_state = _ThreadState()
# Why a session is being closed and from which line, keyed by id(session): set by
# __exit__/__del__, read by close(). Not thread-local: leaving a `with` block by an
# exception makes TensorFlow close the session from a "SessionCloseThread".
_closing_how: dict[int, tuple[str, int]] = {}


class _TF:
    """TensorFlow objects the wrappers need, captured as TF's modules load."""

    eager_base: type | None = None
    sparse_tensor: type | None = None
    operation: type | None = None
    variable_types: tuple = ()
    get_default_session: Callable[[], Any] | None = None


def _rec():
    return _recorder_mod._recorder


# -- identities ---------------------------------------------------------------
def graph_id(graph: Any) -> int:
    if graph is None:
        return 0
    gid = getattr(graph, _GID, None)
    if gid is None:
        rec = _rec()
        gid = rec.new_graph_id()
        try:
            setattr(graph, _GID, gid)
        except Exception:
            pass
        rec.emit_event(fmt.GRAPH, id=gid, type=type(graph).__name__)
    return gid


def session_id(sess: Any) -> int:
    """The recorded id of a session object; 0 for None. A session made before the
    recorder started gets an id now, with a creation event that says so."""
    if sess is None:
        return 0
    sid = getattr(sess, _SID, None)
    if sid is None:
        sid = _record_session(sess, known=False)
    return sid


def _new_session_id(sess: Any) -> int:
    sid = _rec().new_session_id()
    try:
        setattr(sess, _SID, sid)
    except Exception:
        pass
    return sid


def _record_session(sess: Any, known: bool = True, sid: int | None = None) -> int:
    """Write the creation event of a session (a raw one, or a monitored one whose id
    was given out before its construction)."""
    rec = _rec()
    if sid is None:
        sid = _new_session_id(sess)
    graph = getattr(sess, "_graph", None)
    if graph is None:  # a monitored session: its graph is a property
        graph = getattr(sess, "graph", None)
    target = getattr(sess, "_target", "")
    if isinstance(target, bytes):
        target = target.decode("utf-8", "replace")
    config = getattr(sess, "_config", None)
    rec.emit_event(
        fmt.SESSION,
        s=sid,
        ts=rec.now(),
        kind=type(sess).__name__,
        target=target if isinstance(target, str) else str(target),
        graph=graph_id(graph) if graph is not None else 0,
        config=_config_summary(config),
        parent=_state.creating_parent,
        site=rec.site_id(),
        th=rec.thread_id(),
        known=known,
    )
    _memory_at(sid, "sess")
    _devices.watch(rec, sess, sid)  # remote targets: list_devices() after a first run
    return sid


def _config_summary(config: Any) -> str | None:
    if config is None:
        return None
    try:
        text = str(config)
    except Exception:
        return None
    return " ".join(text.split())[:300]


# -- fetch and feed summaries ------------------------------------------------
def _leaves(x: Any, out: list) -> None:
    t = type(x)
    if t is list or t is tuple:
        for y in x:
            _leaves(y, out)
    elif t is dict:
        for y in x.values():
            _leaves(y, out)
    elif isinstance(x, tuple) and hasattr(x, "_fields"):
        for y in x:
            _leaves(y, out)
    else:
        out.append(x)


def _shape_of(x: Any) -> Any:
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    try:
        as_list = getattr(shape, "as_list", None)
        if as_list is not None:
            return as_list()
        return list(shape)
    except Exception:
        return None


def _dtype_of(x: Any) -> str | None:
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return None
    name = getattr(dtype, "name", None)
    return name if isinstance(name, str) else str(dtype)


def _describe_leaf(x: Any) -> list:
    if isinstance(x, (str, bytes)):
        name = x.decode("utf-8", "replace") if isinstance(x, bytes) else x
        return [name, None, None, 0, "name"]
    if _TF.eager_base is not None and isinstance(x, _TF.eager_base):
        return [None, _dtype_of(x), _shape_of(x), 0, "eager"]
    if _TF.operation is not None and isinstance(x, _TF.operation):
        kind = "op"
    elif _TF.sparse_tensor is not None and isinstance(x, _TF.sparse_tensor):
        kind = "sparse"
    elif "Variable" in type(x).__name__:
        if getattr(x, "_in_graph_mode", True) is False:
            return [None, _dtype_of(x), _shape_of(x), 0, "eager"]
        kind = "variable"
    elif hasattr(x, "graph") and hasattr(x, "dtype"):
        kind = "tensor"
    else:
        return [repr(x)[:100], None, None, 0, type(x).__name__]
    try:
        name = str(x.name)
    except Exception:
        name = None
    try:
        gid = graph_id(x.graph)
    except Exception:
        gid = 0
    return [name, _dtype_of(x), _shape_of(x), gid, kind]


def _value_sig(v: Any) -> Any:
    t = type(v)
    if t in (int, float, bool, str, bytes, type(None)):
        return t
    if t is list or t is tuple:
        return (t, len(v))
    shape = getattr(v, "shape", None)
    if shape is not None and type(shape) is tuple:
        return (t, str(getattr(v, "dtype", "")), shape)
    return t


def fetch_summary(fetches: Any, feeds: Any, feed_values: bool = True) -> int:
    """Interned id of the summary of these fetches and feeds. `feeds` is a feed_dict
    (keys and values) or, with feed_values=False, a list of feed keys."""
    rec = _recorder_mod._recorder
    if not feeds and type(fetches) not in _CONTAINERS and not isinstance(fetches, tuple):
        # The common case, one tensor or op and no feeds: no flattening, a cheap key.
        hit = rec._fetch_summaries.get(id(fetches))
        if hit is not None and hit[1][0][0] is fetches:
            return hit[0]
        leaves = [fetches]
        key: Any = id(fetches)
        return rec.fetch_summary_id(key, ([fetches], []), lambda: _describe(leaves, [], []))
    leaves = []
    _leaves(fetches, leaves)
    fkeys: list = []
    fvals: list = []
    if feeds:
        if feed_values and isinstance(feeds, dict):
            fkeys = list(feeds.keys())
            fvals = list(feeds.values())
        else:
            fkeys = list(feeds)
    key = (
        tuple(map(id, leaves)),
        tuple(map(id, fkeys)),
        tuple(map(_value_sig, fvals)),
    )
    try:
        hash(key)
    except TypeError:
        key = (object(),)

    return rec.fetch_summary_id(key, (leaves, fkeys), lambda: _describe(leaves, fkeys, fvals))


_CONTAINERS = (list, dict)


def _describe(leaves: list, fkeys: list, fvals: list) -> tuple[list, int, list, int]:
    fetch_desc = [_describe_leaf(x) for x in leaves[: fmt_max()]]
    feed_desc = []
    for i, k in enumerate(fkeys[: fmt_max()]):
        kd = _describe_leaf(k)
        if i < len(fvals):
            v = fvals[i]
            kd = [kd[0], _dtype_of(v) or type(v).__name__, _shape_of(v), kd[3], kd[4]]
        feed_desc.append(kd)
    return fetch_desc, len(leaves), feed_desc, len(fkeys)


def fmt_max() -> int:
    return _recorder_mod._MAX_LEAVES


# -- the one run wrapper -------------------------------------------------------
def _recorded_run(
    kind: str,
    original: Callable,
    session_of: Callable[[tuple, dict], Any],
    summary_of: Callable[[tuple, dict], int],
) -> Callable:
    """Wrap one run path: `session_of` names the session the call runs in (before the
    call), `summary_of` gives the fetch/feed summary id (after it)."""

    mono = _recorder_mod._MONO
    getframe = sys._getframe
    get_ident = threading.get_ident
    kind_b = kind.encode()
    plain_fetch = summary_of is _run_summary  # run(self, fetches): see the lookup below

    # The hot path of the whole agent. A trivial sess.run costs ~75 µs, and TensorFlow's
    # thread pool makes the next run slower as soon as the gap between two runs grows
    # past ~3 µs (its workers stop spinning and must be woken): everything the recorder
    # does between runs counts several times over. So it stays flat: all bookkeeping
    # after the call, one dict lookup per interned thing, bytes formatted in one step,
    # one os.write.
    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        state = _state
        rec = _recorder_mod._recorder
        if state.in_run or rec is None:
            return original(*args, **kwargs)
        state.in_run = True
        try:
            devices = _memory_mod.run_devices  # GPUs: read around each run (agent/memory.py)
            before = _memory_mod.read_run(devices) if devices else None
            start = mono()
            try:
                result = original(*args, **kwargs)
            except BaseException as exc:
                end = mono()
                dmem = _memory_mod.run_delta(devices, before) if devices else b""
                _record_run_error(rec, kind, session_of, summary_of, args, kwargs, start, end, exc, dmem)
                raise
            end = mono()
            dmem = _memory_mod.run_delta(devices, before) if devices else None
            try:
                try:
                    sess = session_of(args, kwargs)
                    sid = getattr(sess, _SID, None) or session_id(sess)
                except Exception:
                    sid = 0
                # The call site: the caller's code and instruction offset and its
                # caller's (ids are safe keys: the recorder keeps each code seen alive).
                f = getframe(1)
                code = f.f_code
                if rec._code_is_lib.get(id(code)) is False:
                    p = f.f_back
                    key = (id(code), f.f_lasti, 0, 0) if p is None else (
                        id(code), f.f_lasti, id(p.f_code), p.f_lasti)
                    site = rec._fast_sites.get(key) or rec.site_at(key, f)
                else:  # called from TensorFlow's code or not seen yet: walk the stack
                    site = rec.site_id()
                # sess.run(one_fetch): fetch_summary's own cache, looked up in place.
                hit = rec._fetch_summaries.get(id(args[1])) if plain_fetch and len(args) == 2 else None
                if hit is not None and hit[1][0][0] is args[1] and not kwargs:
                    fs = hit[0]
                else:
                    fs = summary_of(args, kwargs)
                th = rec._threads.get(get_ident()) or rec.thread_id()
                line = (
                    b'{"ev":"run","s":%d,"ts":%d,"dur":%d,"k":"%s","site":%d,"fs":%d,"th":%d,"pid":%d}\n'
                    % (sid, start - rec.t0, end - start, kind_b, site, fs, th, rec.pid)
                )
                if dmem:
                    line = line[:-2] + dmem + b"}\n"
                rec.writer.write_bytes(line)
            except Exception:
                pass
            return result
        finally:
            state.in_run = False

    return wrapper


def _record_run_error(
    rec: Any, kind: str, session_of: Callable, summary_of: Callable,
    args: tuple, kwargs: dict, start: int, end: int, exc: BaseException, dmem: bytes = b"",
) -> None:
    try:
        sess = session_of(args, kwargs)
        sid = getattr(sess, _SID, None) or session_id(sess)
    except Exception:
        sid = 0
    try:
        fs = summary_of(args, kwargs)
    except Exception:
        fs = 0
    try:
        # depth 3: site_id <- here <- the wrapper <- the caller
        rec.run_error(sid, kind, start - rec.t0, end - start, rec.site_id(3), fs, exc, dmem)
    except Exception:
        pass


def _arg(args: tuple, kwargs: dict, index: int, name: str, default: Any = None) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def _self(args: tuple, kwargs: dict) -> Any:
    return args[0]


def _run_summary(args: tuple, kwargs: dict) -> int:
    # run(self, fetches, feed_dict=None, ...); monitored run has the same shape.
    n = len(args)
    if n == 2 and not kwargs:  # sess.run(fetches): the common case, on the hot path
        return fetch_summary(args[1], None)
    return fetch_summary(args[1] if n > 1 else kwargs.get("fetches"),
                         args[2] if n > 2 else kwargs.get("feed_dict"))


def _partial_run_summary(args: tuple, kwargs: dict) -> int:
    # partial_run(self, handle, fetches, feed_dict=None)
    return fetch_summary(_arg(args, kwargs, 2, "fetches"), _arg(args, kwargs, 3, "feed_dict"))


def _partial_run_setup_summary(args: tuple, kwargs: dict) -> int:
    # partial_run_setup(self, fetches, feeds=None): feeds are keys only
    return fetch_summary(_arg(args, kwargs, 1, "fetches"), _arg(args, kwargs, 2, "feeds"), feed_values=False)


def _default_session_or(args: tuple, kwargs: dict) -> Any:
    # eval(self, feed_dict=None, session=None) and Operation.run(self, feed_dict=None, session=None)
    sess = _arg(args, kwargs, 2, "session")
    if sess is None and _TF.get_default_session is not None:
        sess = _TF.get_default_session()
    return sess


def _eval_summary(args: tuple, kwargs: dict) -> int:
    return fetch_summary(args[0], _arg(args, kwargs, 1, "feed_dict"))


# -- lifecycle wrappers ----------------------------------------------------------
def _wrap_init(original: Callable) -> Callable:
    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if _rec() is not None and getattr(self, _SID, None) is None:
            try:
                _record_session(self)
            except Exception:
                pass

    return __init__


def _wrap_close(original: Callable, already_closed: Callable[[Any], bool]) -> Callable:
    @functools.wraps(original)
    def close(self, *args, **kwargs):
        rec = _rec()
        how, site = _closing_how.pop(id(self), None) or ("explicit", 0)
        if rec is None:
            return original(self, *args, **kwargs)
        try:
            was_closed = already_closed(self)
        except Exception:
            was_closed = False
        if how == "gc" and was_closed:
            return original(self, *args, **kwargs)
        try:
            return original(self, *args, **kwargs)
        finally:
            try:
                sid = session_id(self)
                rec.emit_event(
                    fmt.CLOSE, s=sid, ts=rec.now(), how=how,
                    site=site or rec.site_id(), th=rec.thread_id(), already_closed=was_closed,
                )
                if not was_closed:
                    _memory_at(sid, "close")
            except Exception:
                pass

    return close


def _wrap_marking(original: Callable, how: str, event: str | None = None) -> Callable:
    """Wrap __exit__ or __del__: note why a close is coming, optionally record `event`."""

    @functools.wraps(original)
    def method(self, *args, **kwargs):
        rec = _rec()
        if rec is not None:
            try:
                site = rec.site_id()
            except Exception:
                site = 0
            _closing_how[id(self)] = (how, site)
            if event is not None:
                try:
                    rec.emit_event(event, s=session_id(self), ts=rec.now(), how="with",
                                   site=site, th=rec.thread_id())
                except Exception:
                    pass
        try:
            return original(self, *args, **kwargs)
        finally:
            _closing_how.pop(id(self), None)

    return method


def _wrap_enter(original: Callable) -> Callable:
    @functools.wraps(original)
    def __enter__(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        rec = _rec()
        if rec is not None:
            try:
                rec.emit_event(fmt.ENTER, s=session_id(self), ts=rec.now(), how="with",
                               site=rec.site_id(), th=rec.thread_id())
            except Exception:
                pass
        return result

    return __enter__


class _DefaultSessionContext:
    """What `sess.as_default()` returns under the recorder: the original context
    manager, with its enter and exit recorded."""

    def __init__(self, cm: Any, sess: Any) -> None:
        self._cm = cm
        self._sess = sess

    def __enter__(self):
        result = self._cm.__enter__()
        self._record(fmt.ENTER)
        return result

    def __exit__(self, *exc):
        try:
            return self._cm.__exit__(*exc)
        finally:
            self._record(fmt.EXIT)

    def _record(self, ev: str) -> None:
        rec = _rec()
        if rec is None:
            return
        try:
            rec.emit_event(ev, s=session_id(self._sess), ts=rec.now(), how="as_default",
                           site=rec.site_id(), th=rec.thread_id())
        except Exception:
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cm, name)


def _wrap_as_default(original: Callable) -> Callable:
    @functools.wraps(original)
    def as_default(self, *args, **kwargs):
        cm = original(self, *args, **kwargs)
        rec = _rec()
        # Session.__enter__ and InteractiveSession use as_default() themselves:
        # only the script's own calls are recorded.
        if rec is None or rec._is_lib(sys._getframe(1).f_code):
            return cm
        return _DefaultSessionContext(cm, self)

    return as_default


def _wrap_reset(original: Callable) -> Callable:
    @functools.wraps(original)
    def reset(target, *args, **kwargs):
        rec = _rec()
        try:
            return original(target, *args, **kwargs)
        finally:
            if rec is not None:
                try:
                    t = target.decode("utf-8", "replace") if isinstance(target, bytes) else str(target)
                    rec.emit_event(fmt.RESET, target=t, ts=rec.now(), site=rec.site_id(),
                                   th=rec.thread_id())
                except Exception:
                    pass

    return reset


def _wrap_make_callable(original: Callable) -> Callable:
    @functools.wraps(original)
    def make_callable(self, fetches, feed_list=None, accept_options=False):
        fn = original(self, fetches, feed_list, accept_options)
        if _rec() is None:
            return fn
        sess = self
        try:
            fs = fetch_summary(fetches, feed_list, feed_values=False)
        except Exception:
            fs = 0
        return _recorded_run("callable", fn, lambda a, k: sess, lambda a, k: fs)

    return make_callable


# -- device memory: one tagged reading at session creation and close (never per run) --
def _memory_at(sid: int, at: str) -> None:
    _memory_mod.sample_at(sid, at)


# -- per-module patchers -------------------------------------------------------
def _set(owner: Any, name: str, make: Callable[[Callable], Callable], what: str) -> None:
    original = owner.__dict__.get(name) if hasattr(owner, "__dict__") else None
    if original is None:
        rec = _rec()
        if rec is not None:
            rec.warn_once(what, f"this TensorFlow has no {what}: calls through it are not recorded")
        return
    setattr(owner, name, make(original))


def patch_session_module(mod: Any) -> None:
    base = mod.BaseSession
    _set(base, "__init__", _wrap_init, "BaseSession.__init__")
    # --step-stats: FULL_TRACE inside the recorded call (the same `f` when off).
    _set(base, "run", lambda f: _recorded_run("run", _stepstats.wrap_run(f, _rec), _self, _run_summary),
         "BaseSession.run")
    _set(base, "partial_run", lambda f: _recorded_run("partial_run", f, _self, _partial_run_summary),
         "BaseSession.partial_run")
    _set(base, "partial_run_setup",
         lambda f: _recorded_run("partial_run_setup", f, _self, _partial_run_setup_summary),
         "BaseSession.partial_run_setup")
    _set(base, "make_callable", _wrap_make_callable, "BaseSession.make_callable")
    _set(base, "close", lambda f: _wrap_close(f, lambda s: bool(getattr(s, "_closed", False)) or getattr(s, "_session", 1) is None),
         "BaseSession.close")
    _set(base, "__del__", lambda f: _wrap_marking(f, "gc"), "BaseSession.__del__")
    _set(base, "as_default", _wrap_as_default, "BaseSession.as_default")
    callable_cls = getattr(base, "_Callable", None)
    if callable_cls is not None:
        _set(callable_cls, "__call__",
             lambda f: _recorded_run("callable", f, lambda a, k: a[0]._session, lambda a, k: 0),
             "BaseSession._Callable.__call__")
    sess_cls = mod.Session
    _set(sess_cls, "__enter__", _wrap_enter, "Session.__enter__")
    _set(sess_cls, "__exit__", lambda f: _wrap_marking(f, "with", fmt.EXIT), "Session.__exit__")
    reset = sess_cls.__dict__.get("reset")
    if isinstance(reset, staticmethod):
        sess_cls.reset = staticmethod(_wrap_reset(reset.__func__))


def patch_tensor_module(mod: Any) -> None:
    _set(mod.Tensor, "eval", lambda f: _recorded_run("eval", f, _default_session_or, _eval_summary),
         "Tensor.eval")


def patch_ops_module(mod: Any) -> None:
    _TF.operation = getattr(mod, "Operation", None)
    _TF.eager_base = getattr(mod, "_EagerTensorBase", None)
    _TF.get_default_session = getattr(mod, "get_default_session", None)
    _set(mod.Operation, "run",
         lambda f: _recorded_run("operation-run", f, _default_session_or, _eval_summary),
         "Operation.run")
    if _TF.eager_base is not None and "eval" in _TF.eager_base.__dict__:
        _set(_TF.eager_base, "eval",
             lambda f: _recorded_run("eval", f, _default_session_or, _eval_summary),
             "EagerTensor.eval")


def patch_sparse_tensor_module(mod: Any) -> None:
    _TF.sparse_tensor = getattr(mod, "SparseTensor", None)
    _set(mod.SparseTensor, "eval",
         lambda f: _recorded_run("eval", f, _default_session_or, _eval_summary),
         "SparseTensor.eval")


def _wrap_monitored_init(original: Callable) -> Callable:
    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        rec = _rec()
        if rec is None:
            return original(self, *args, **kwargs)
        sid = _new_session_id(self)
        previous = _state.creating_parent, _state.in_run
        # The runs TensorFlow makes while creating the session (variable
        # initialisation, hooks) are its own, not the script's.
        _state.creating_parent, _state.in_run = sid, True
        try:
            original(self, *args, **kwargs)
        finally:
            _state.creating_parent, _state.in_run = previous
        try:
            _record_session(self, sid=sid)
        except Exception:
            pass

    return __init__


def _internal_runs(original: Callable) -> Callable:
    """Runs made inside `original` (hooks' end() at close) are TensorFlow's own."""

    @functools.wraps(original)
    def method(*args, **kwargs):
        previous = _state.in_run
        _state.in_run = True
        try:
            return original(*args, **kwargs)
        finally:
            _state.in_run = previous

    return method


def patch_monitored_session_module(mod: Any) -> None:
    cls = mod._MonitoredSession
    _set(cls, "__init__", _wrap_monitored_init, "_MonitoredSession.__init__")
    _set(cls, "run", lambda f: _recorded_run("monitored-run", f, _self, _run_summary),
         "_MonitoredSession.run")
    _set(cls, "_close_internal",
         lambda f: _wrap_close(_internal_runs(f), lambda s: getattr(s, "_sess", 1) is None),
         "_MonitoredSession._close_internal")
    _set(cls, "__enter__", _wrap_enter, "_MonitoredSession.__enter__")
    _set(cls, "__exit__", lambda f: _wrap_marking(f, "with", fmt.EXIT), "_MonitoredSession.__exit__")


def patch_deprecation_module(mod: Any) -> None:
    """TensorFlow's deprecation warnings name the caller a fixed number of frames up,
    which would be our wrapper: skip our frames so the warning names the script's line
    exactly as without the recorder."""
    original = getattr(mod, "_call_location", None)
    if original is None:
        return
    ours = _recorder_mod._INSPECTOR_DIR + "/"

    @functools.wraps(original)
    def _call_location(outer=False):
        f = sys._getframe(2)
        while f is not None and f.f_code.co_filename.startswith(ours):
            f = f.f_back
        parent = f and f.f_back
        while parent is not None and parent.f_code.co_filename.startswith(ours):
            parent = parent.f_back
        if outer and parent is not None:
            f = parent
        return f"{f.f_code.co_filename}:{f.f_lineno}"

    mod._call_location = _call_location


def patch_tf_stack_module(mod: Any) -> None:
    """TensorFlow keeps the Python stack of every op it creates (shown as "Original stack
    trace" when the op fails). Under the recorder that stack starts with the launcher's
    and bootstrap's frames, which a plain run does not have: a stack filter, TensorFlow's
    own mechanism for hiding frames, leaves the agent's files out."""
    base = mod.StackTraceFilter
    stacks = mod._source_filter_stacks
    agent_dir = os.path.dirname(os.path.abspath(__file__))
    ours = frozenset(os.path.join(agent_dir, name) for name in os.listdir(agent_dir)
                     if name.endswith(".py"))

    class HideInspectorFrames(base):
        def get_filtered_filenames(self) -> frozenset:
            return ours

    def bottom() -> list:
        f = HideInspectorFrames()
        f.update()  # a filter's file set is filled when it is entered; this one never is
        return [f]

    stacks.default_factory = bottom
    for stack in stacks.values():
        if stack and type(stack[0]).__name__ == "SentinelFilter":
            stack[0] = bottom()[0]


PATCHERS: dict[str, Callable[[Any], None]] = {
    "tensorflow.python.util.tf_stack": patch_tf_stack_module,
    "tensorflow.python.util.deprecation": patch_deprecation_module,
    "tensorflow.python.framework.ops": patch_ops_module,
    "tensorflow.python.framework.tensor": patch_tensor_module,
    "tensorflow.python.framework.sparse_tensor": patch_sparse_tensor_module,
    "tensorflow.python.client.session": patch_session_module,
    "tensorflow.python.training.monitored_session": patch_monitored_session_module,
}
