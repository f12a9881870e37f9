"""Sessions and their lifecycle: ids for sessions and graphs, and the wrappers that
record creation, `with` and `as_default()` blocks, close (explicit, by leaving `with`,
by garbage collection) and `Session.reset`.

Nothing here may change what the script sees: wrappers call the original with the same
arguments, return its result and re-raise its exception; recording failures are
swallowed.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import Any

from inspector.agent import devices as _devices
from inspector.agent import memory as _memory_mod
from inspector.agent import recorder as _recorder_mod
from inspector.agent.tf_refs import GRAPH_ID_ATTR, SESSION_ID_ATTR, in_run, state
from inspector.trace import format as fmt

# Why a session is being closed and from which line, keyed by id(session): set by
# __exit__/__del__, read by close(). Not thread-local: leaving a `with` block by an
# exception makes TensorFlow close the session from a "SessionCloseThread".
_closing_how: dict[int, tuple[str, int]] = {}


def _rec():
    return _recorder_mod._recorder


# -- identities ---------------------------------------------------------------
def graph_id(graph: Any) -> int:
    if graph is None:
        return 0
    gid = getattr(graph, GRAPH_ID_ATTR, None)
    if gid is None:
        rec = _rec()
        gid = rec.new_graph_id()
        try:
            setattr(graph, GRAPH_ID_ATTR, gid)
        except Exception:
            pass
        rec.emit_event(fmt.GRAPH, id=gid, type=type(graph).__name__)
    return gid


def session_id(sess: Any) -> int:
    """The recorded id of a session object; 0 for None. A session made before the
    recorder started gets an id now, with a creation event that says so."""
    if sess is None:
        return 0
    sid = getattr(sess, SESSION_ID_ATTR, None)
    if sid is None:
        sid = record_session(sess, known=False)
    return sid


def new_session_id(sess: Any) -> int:
    sid = _rec().new_session_id()
    try:
        setattr(sess, SESSION_ID_ATTR, sid)
    except Exception:
        pass
    return sid


def record_session(sess: Any, known: bool = True, sid: int | None = None) -> int:
    """Write the creation event of a session (a raw one, or a monitored one whose id
    was given out before its construction)."""
    rec = _rec()
    if sid is None:
        sid = new_session_id(sess)
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
        parent=state.creating_parent,
        site=rec.site_id(),
        th=rec.thread_id(),
        known=known,
    )
    _memory_mod.sample_at(sid, "sess")  # one tagged reading at creation and close, never per run
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


# -- lifecycle wrappers ----------------------------------------------------------
def wrap_init(original: Callable) -> Callable:
    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if _rec() is not None and getattr(self, SESSION_ID_ATTR, None) is None:
            try:
                record_session(self)
            except Exception:
                pass

    return __init__


def wrap_close(original: Callable, already_closed: Callable[[Any], bool]) -> Callable:
    # Bound here, not looked up as globals when called: a session garbage-collected at
    # interpreter shutdown is closed after this module's globals were cleared.
    closing, recorder_mod, memory_mod, session_id_ = _closing_how, _recorder_mod, _memory_mod, session_id

    @functools.wraps(original)
    def close(self, *args, **kwargs):
        try:
            rec = recorder_mod._recorder
            how, site = closing.pop(id(self), None) or ("explicit", 0)
        except Exception:
            rec = None
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
                sid = session_id_(self)
                rec.emit_event(
                    fmt.CLOSE, s=sid, ts=rec.now(), how=how,
                    site=site or rec.site_id(), th=rec.thread_id(), already_closed=was_closed,
                )
                if not was_closed:
                    memory_mod.sample_at(sid, "close")
            except Exception:
                pass

    return close


def wrap_marking(original: Callable, how: str, event: str | None = None) -> Callable:
    """Wrap __exit__ or __del__: note why a close is coming, optionally record `event`."""
    closing, recorder_mod, session_id_ = _closing_how, _recorder_mod, session_id  # (see wrap_close)

    @functools.wraps(original)
    def method(self, *args, **kwargs):
        try:
            rec = recorder_mod._recorder
        except Exception:
            rec = None
        if rec is not None:
            try:
                site = rec.site_id()
            except Exception:
                site = 0
            try:
                closing[id(self)] = (how, site)
                if event is not None:
                    rec.emit_event(event, s=session_id_(self), ts=rec.now(), how="with",
                                   site=site, th=rec.thread_id())
            except Exception:
                pass
        try:
            return original(self, *args, **kwargs)
        finally:
            closing.pop(id(self), None)

    return method


def wrap_enter(original: Callable) -> Callable:
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


def wrap_as_default(original: Callable) -> Callable:
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


def wrap_reset(original: Callable) -> Callable:
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


def wrap_reset_default_graph(original: Callable, get_default_graph: Callable | None) -> Callable:
    """`reset_default_graph()`: one `graph_reset` event per call, with the id of the new
    default graph (asking for it only makes now the graph TensorFlow would make at its next
    use, the same object). A call that raised (a graph still open in a `with` block) is
    recorded with its error and changed nothing."""

    @functools.wraps(original)
    def reset_default_graph(*args, **kwargs):
        rec = _rec()
        error = None
        try:
            return original(*args, **kwargs)
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            raise
        finally:
            if rec is not None:
                try:
                    fields: dict[str, Any] = {"ts": rec.now(), "site": rec.site_id(),
                                              "th": rec.thread_id()}
                    if error is not None:
                        fields["error"] = error
                    elif get_default_graph is not None:
                        fields["graph"] = graph_id(get_default_graph())
                    rec.emit_event(fmt.GRAPH_RESET, **fields)
                except Exception:
                    pass

    return reset_default_graph


def wrap_monitored_init(original: Callable) -> Callable:
    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        rec = _rec()
        if rec is None:
            return original(self, *args, **kwargs)
        sid = new_session_id(self)
        previous, me = state.creating_parent, threading.get_ident()
        inside = me in in_run
        # The runs TensorFlow makes while creating the session (variable
        # initialisation, hooks) are its own, not the script's.
        state.creating_parent = sid
        in_run.add(me)
        try:
            original(self, *args, **kwargs)
        finally:
            state.creating_parent = previous
            if not inside:
                in_run.discard(me)
        try:
            record_session(self, sid=sid)
        except Exception:
            pass

    return __init__


def internal_runs(original: Callable) -> Callable:
    """Runs made inside `original` (hooks' end() at close) are TensorFlow's own."""

    @functools.wraps(original)
    def method(*args, **kwargs):
        me = threading.get_ident()
        inside = me in in_run
        in_run.add(me)
        try:
            return original(*args, **kwargs)
        finally:
            if not inside:
                in_run.discard(me)

    return method
