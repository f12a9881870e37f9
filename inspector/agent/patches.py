"""Which TensorFlow module gets which wrappers (`PATCHERS`, used by the import hook), and
what each watched path is for (`WATCHED`): a path this TensorFlow lacks is never silent.

The wrappers themselves: inspector/agent/runs.py (every run path), sessions.py (the
lifecycle), tf_internals.py (stacks and warnings without our frames).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NamedTuple

from inspector.agent import recorder as _recorder_mod
from inspector.agent import runs, sessions
from inspector.agent import stepstats as _stepstats
from inspector.agent.tf_internals import patch_deprecation_module, patch_tf_stack_module
from inspector.agent.tf_refs import TF
from inspector.trace import format as fmt

OPS = "tensorflow.python.framework.ops"
TENSOR = "tensorflow.python.framework.tensor"
SPARSE = "tensorflow.python.framework.sparse_tensor"
SESSION = "tensorflow.python.client.session"
MONITORED = "tensorflow.python.training.monitored_session"
TF_STACK = "tensorflow.python.util.tf_stack"
DEPRECATION = "tensorflow.python.util.deprecation"

# The releases the scenario suite passed on, every finding exact (scripts/tf_matrix.py,
# docs/compatibility.md). Another release gets one line saying so.
TESTED_RANGE = ((2, 12), (2, 21))
TESTED_RELEASES = "2.12.1, 2.13.1, 2.14.1, 2.15.1, 2.16.2, 2.17.1, 2.18.1, 2.19.1, 2.20.0, 2.21.0"

_ALL = ("run-after-close", "no-default-session", "graph-mismatch", "eager-in-session",
        "session-leak", "double-close")
_RUN = ("run-after-close", "graph-mismatch", "eager-in-session")
_EVAL = ("no-default-session", "run-after-close", "graph-mismatch")
_NOT_RECORDED = "calls through it are not recorded"


class Watch(NamedTuple):
    modules: tuple[str, ...]  # where a TensorFlow release may define it
    findings: tuple[str, ...]  # the kinds of finding that may be missing without it
    effect: str = _NOT_RECORDED


WATCHED: dict[str, Watch] = {
    "BaseSession.__init__": Watch((SESSION,), _ALL, "sessions made by it are not recorded"),
    "BaseSession.run": Watch((SESSION,), _RUN),
    "BaseSession.partial_run": Watch((SESSION,), ("run-after-close", "graph-mismatch")),
    "BaseSession.partial_run_setup": Watch((SESSION,), ("run-after-close", "graph-mismatch")),
    "BaseSession.make_callable": Watch((SESSION,), ("run-after-close",)),
    "BaseSession._Callable.__call__": Watch((SESSION,), ("run-after-close",)),
    "BaseSession.close": Watch((SESSION,), ("run-after-close", "double-close", "session-leak"),
                               "closes are not recorded"),
    "BaseSession.__del__": Watch((SESSION,), ("session-leak",),
                                 "closes by garbage collection are not recorded"),
    "BaseSession.as_default": Watch((SESSION,), ("no-default-session",),
                                    "default sessions are not recorded"),
    "Session.__enter__": Watch((SESSION,), ("no-default-session",),
                               "`with` blocks are not recorded"),
    "Session.__exit__": Watch((SESSION,), (), "closes at the end of a `with` block are "
                              "recorded as explicit closes"),
    "Session.reset": Watch((SESSION,), ("run-after-close",), "closes by reset are not recorded"),
    "ops.reset_default_graph": Watch((OPS,), ("graph-mismatch",), "default-graph resets are "
                                     "not recorded (a graph-mismatch finding cannot name them)"),
    "Tensor.eval": Watch((TENSOR, OPS), _EVAL),
    "Operation.run": Watch((OPS,), _EVAL),
    "SparseTensor.eval": Watch((SPARSE,), _EVAL),
    # Not wrapped, read by the wrappers: eval()'s session, eager fetches.
    "ops.get_default_session": Watch((OPS,), _EVAL, "eval() and op.run() on the default "
                                     "session are not tied to their session"),
    "ops._EagerTensorBase": Watch((OPS,), ("eager-in-session",),
                                  "eager tensors fetched by a session are not recognised"),
    "_MonitoredSession.__init__": Watch((MONITORED,), ("run-after-close",),
                                        "monitored sessions are not recorded"),
    "_MonitoredSession.run": Watch((MONITORED,), ("run-after-close",)),
    "_MonitoredSession._close_internal": Watch((MONITORED,), ("run-after-close",),
                                               "closes of monitored sessions are not recorded"),
    "_MonitoredSession.__enter__": Watch((MONITORED,), (), "`with` blocks are not recorded"),
    "_MonitoredSession.__exit__": Watch((MONITORED,), (), "`with` blocks are not recorded"),
    "tf_stack.StackTraceFilter": Watch((TF_STACK,), (), "TensorFlow's op stack traces may "
                                       "show the inspector's frames"),
    "deprecation._call_location": Watch((DEPRECATION,), (), "deprecation warnings may name "
                                        "the inspector's line instead of the script's"),
}

watched: set[str] = set()  # the paths patched in this process
_WRAPPED = "__tfsess_inspect_wrapped__"


def unwatched(what: str) -> None:
    """Say once, in the trace and on the terminal, that this TensorFlow lacks a path and
    which findings may be missing for it."""
    rec = _recorder_mod._recorder
    if rec is None or what in watched:
        return
    watch = WATCHED.get(what, Watch((), (), _NOT_RECORDED))
    message = f"this TensorFlow has no {what}: {watch.effect}"
    if watch.findings:
        message += "; findings that may be missing: " + ", ".join(watch.findings)
    rec.warn_once(what, message, unwatched=what, findings=list(watch.findings))


def check_watched() -> None:
    """Once TensorFlow has loaded: every watched path whose modules are loaded but that
    no module defined is said (a symbol that moved to a module we do not know)."""
    for what, watch in WATCHED.items():
        if what not in watched and any(m in sys.modules for m in watch.modules):
            unwatched(what)


def _set(owner: Any, name: str, make: Callable[[Callable], Callable], what: str,
         quiet: bool = False) -> None:
    """Wrap `owner.name` once (a class reached through two modules is wrapped once).
    quiet: its absence here is not yet news (another module may define it)."""
    original = owner.__dict__.get(name) if hasattr(owner, "__dict__") else None
    if original is None:
        if not quiet:
            unwatched(what)
        return
    if not getattr(original, _WRAPPED, False):
        wrapper = make(original)
        try:
            setattr(wrapper, _WRAPPED, True)
        except (AttributeError, TypeError):
            pass
        setattr(owner, name, wrapper)
    watched.add(what)


def _run_wrapper(kind: str, path: runs.RunPath) -> Callable[[Callable], Callable]:
    return lambda original: runs.recorded_run(kind, original, path)


def _class(mod: Any, name: str, prefix: str) -> Any:
    """`mod.name`, or None after saying every watched path of it is missing."""
    cls = getattr(mod, name, None)
    if cls is None:
        for what in WATCHED:
            if what.startswith(prefix + "."):
                unwatched(what)
    return cls


def patch_session_module(mod: Any) -> None:
    base = _class(mod, "BaseSession", "BaseSession")
    if base is None:
        _class(mod, "Session", "Session")
        return
    _set(base, "__init__", sessions.wrap_init, "BaseSession.__init__")
    # --step-stats: FULL_TRACE inside the recorded call (the same `f` when off).
    _set(base, "run",
         lambda f: runs.recorded_run("run", _stepstats.wrap_run(f, lambda: _recorder_mod._recorder),
                                     runs.RUN),
         "BaseSession.run")
    _set(base, "partial_run", _run_wrapper("partial_run", runs.PARTIAL_RUN),
         "BaseSession.partial_run")
    _set(base, "partial_run_setup", _run_wrapper("partial_run_setup", runs.PARTIAL_RUN_SETUP),
         "BaseSession.partial_run_setup")
    _set(base, "make_callable", runs.wrap_make_callable, "BaseSession.make_callable")
    _set(base, "close",
         lambda f: sessions.wrap_close(
             f, lambda s: bool(getattr(s, "_closed", False)) or getattr(s, "_session", 1) is None),
         "BaseSession.close")
    _set(base, "__del__", lambda f: sessions.wrap_marking(f, "gc"), "BaseSession.__del__")
    _set(base, "as_default", sessions.wrap_as_default, "BaseSession.as_default")
    callable_cls = _class(base, "_Callable", "BaseSession._Callable")
    if callable_cls is not None:
        _set(callable_cls, "__call__",
             _run_wrapper("callable", runs.fixed_path(lambda a, k: a[0]._session, 0)),
             "BaseSession._Callable.__call__")
    sess_cls = _class(mod, "Session", "Session")
    if sess_cls is None:
        return
    _set(sess_cls, "__enter__", sessions.wrap_enter, "Session.__enter__")
    _set(sess_cls, "__exit__", lambda f: sessions.wrap_marking(f, "with", fmt.EXIT),
         "Session.__exit__")
    reset = sess_cls.__dict__.get("reset")
    if isinstance(reset, staticmethod) and not getattr(reset.__func__, _WRAPPED, False):
        wrapper = sessions.wrap_reset(reset.__func__)
        setattr(wrapper, _WRAPPED, True)
        sess_cls.reset = staticmethod(wrapper)
        watched.add("Session.reset")
    elif not isinstance(reset, staticmethod):
        unwatched("Session.reset")


def _patch_tensor(cls: Any, quiet: bool) -> None:
    _set(cls, "eval", _run_wrapper("eval", runs.EVAL), "Tensor.eval", quiet)


def patch_tensor_module(mod: Any) -> None:
    """TensorFlow 2.14 and later define `Tensor` here; 2.13 has this module without it
    (still in ops.py). Quiet: check_watched() says it if no module defined it."""
    cls = getattr(mod, "Tensor", None)
    if cls is not None:
        _patch_tensor(cls, quiet=True)


def patch_ops_module(mod: Any) -> None:
    TF.operation = getattr(mod, "Operation", None)
    TF.eager_base = getattr(mod, "_EagerTensorBase", None)
    TF.get_default_session = getattr(mod, "get_default_session", None)
    for what, found in (("ops.get_default_session", TF.get_default_session),
                        ("ops._EagerTensorBase", TF.eager_base)):
        if found is not None:
            watched.add(what)
        else:
            unwatched(what)
    _patch_reset_default_graph(mod)
    # TensorFlow 2.12 and 2.13 define Tensor here (later ones in tensor.py, which ops
    # imports first: then this is the same class, already wrapped, or absent).
    tensor_cls = getattr(mod, "Tensor", None)
    if tensor_cls is not None:
        _patch_tensor(tensor_cls, quiet=True)
    if _class(mod, "Operation", "Operation") is not None:
        _set(mod.Operation, "run", _run_wrapper("operation-run", runs.EVAL), "Operation.run")
    if TF.eager_base is not None and "eval" in TF.eager_base.__dict__:
        _set(TF.eager_base, "eval", _run_wrapper("eval", runs.EVAL), "EagerTensor.eval")


def _patch_reset_default_graph(mod: Any) -> None:
    """`tf.compat.v1` binds the function by name when it is imported: patched with ops
    (by the import hook) it binds the wrapper; patched later (`%load_ext` after `import
    tensorflow`), the API modules that already hold the original get the wrapper too."""
    original = mod.__dict__.get("reset_default_graph")
    _set(mod, "reset_default_graph",
         lambda f: sessions.wrap_reset_default_graph(f, getattr(mod, "get_default_graph", None)),
         "ops.reset_default_graph")
    wrapper = mod.__dict__.get("reset_default_graph")
    if original is None or wrapper is original:
        return
    for name, api in list(sys.modules.items()):
        if name.startswith("tensorflow._api.") and getattr(api, "__dict__", {}).get(
                "reset_default_graph") is original:
            api.reset_default_graph = wrapper


def patch_sparse_tensor_module(mod: Any) -> None:
    TF.sparse_tensor = _class(mod, "SparseTensor", "SparseTensor")
    if TF.sparse_tensor is not None:
        _set(mod.SparseTensor, "eval", _run_wrapper("eval", runs.EVAL), "SparseTensor.eval")


def patch_monitored_session_module(mod: Any) -> None:
    cls = _class(mod, "_MonitoredSession", "_MonitoredSession")
    if cls is None:
        return
    _set(cls, "__init__", sessions.wrap_monitored_init, "_MonitoredSession.__init__")
    _set(cls, "run", _run_wrapper("monitored-run", runs.RUN), "_MonitoredSession.run")
    _set(cls, "_close_internal",
         lambda f: sessions.wrap_close(sessions.internal_runs(f),
                                       lambda s: getattr(s, "_sess", 1) is None),
         "_MonitoredSession._close_internal")
    _set(cls, "__enter__", sessions.wrap_enter, "_MonitoredSession.__enter__")
    _set(cls, "__exit__", lambda f: sessions.wrap_marking(f, "with", fmt.EXIT),
         "_MonitoredSession.__exit__")


def _internal(patch: Callable[[Any], bool], what: str) -> Callable[[Any], None]:
    def patcher(mod: Any) -> None:
        if patch(mod):
            watched.add(what)
        else:
            unwatched(what)

    return patcher


PATCHERS: dict[str, Callable[[Any], None]] = {
    TF_STACK: _internal(patch_tf_stack_module, "tf_stack.StackTraceFilter"),
    DEPRECATION: _internal(patch_deprecation_module, "deprecation._call_location"),
    OPS: patch_ops_module,
    TENSOR: patch_tensor_module,
    SPARSE: patch_sparse_tensor_module,
    SESSION: patch_session_module,
    MONITORED: patch_monitored_session_module,
    # Last: `import tensorflow` has finished, every module above it loads is loaded.
    "tensorflow": lambda mod: check_watched(),
}
