"""Which TensorFlow module gets which wrappers (`PATCHERS`, used by the import hook).

The wrappers themselves: inspector/agent/runs.py (every run path), sessions.py (the
lifecycle), tf_internals.py (stacks and warnings without our frames).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inspector.agent import recorder as _recorder_mod
from inspector.agent import runs, sessions
from inspector.agent import stepstats as _stepstats
from inspector.agent.tf_internals import patch_deprecation_module, patch_tf_stack_module
from inspector.agent.tf_refs import TF
from inspector.trace import format as fmt


def _set(owner: Any, name: str, make: Callable[[Callable], Callable], what: str) -> None:
    original = owner.__dict__.get(name) if hasattr(owner, "__dict__") else None
    if original is None:
        rec = _recorder_mod._recorder
        if rec is not None:
            rec.warn_once(what, f"this TensorFlow has no {what}: calls through it are not recorded")
        return
    setattr(owner, name, make(original))


def _run_wrapper(kind: str, path: runs.RunPath) -> Callable[[Callable], Callable]:
    return lambda original: runs.recorded_run(kind, original, path)


def patch_session_module(mod: Any) -> None:
    base = mod.BaseSession
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
    callable_cls = getattr(base, "_Callable", None)
    if callable_cls is not None:
        _set(callable_cls, "__call__",
             _run_wrapper("callable", runs.fixed_path(lambda a, k: a[0]._session, 0)),
             "BaseSession._Callable.__call__")
    sess_cls = mod.Session
    _set(sess_cls, "__enter__", sessions.wrap_enter, "Session.__enter__")
    _set(sess_cls, "__exit__", lambda f: sessions.wrap_marking(f, "with", fmt.EXIT),
         "Session.__exit__")
    reset = sess_cls.__dict__.get("reset")
    if isinstance(reset, staticmethod):
        sess_cls.reset = staticmethod(sessions.wrap_reset(reset.__func__))


def patch_tensor_module(mod: Any) -> None:
    _set(mod.Tensor, "eval", _run_wrapper("eval", runs.EVAL), "Tensor.eval")


def patch_ops_module(mod: Any) -> None:
    TF.operation = getattr(mod, "Operation", None)
    TF.eager_base = getattr(mod, "_EagerTensorBase", None)
    TF.get_default_session = getattr(mod, "get_default_session", None)
    _set(mod.Operation, "run", _run_wrapper("operation-run", runs.EVAL), "Operation.run")
    if TF.eager_base is not None and "eval" in TF.eager_base.__dict__:
        _set(TF.eager_base, "eval", _run_wrapper("eval", runs.EVAL), "EagerTensor.eval")


def patch_sparse_tensor_module(mod: Any) -> None:
    TF.sparse_tensor = getattr(mod, "SparseTensor", None)
    _set(mod.SparseTensor, "eval", _run_wrapper("eval", runs.EVAL), "SparseTensor.eval")


def patch_monitored_session_module(mod: Any) -> None:
    cls = mod._MonitoredSession
    _set(cls, "__init__", sessions.wrap_monitored_init, "_MonitoredSession.__init__")
    _set(cls, "run", _run_wrapper("monitored-run", runs.RUN), "_MonitoredSession.run")
    _set(cls, "_close_internal",
         lambda f: sessions.wrap_close(sessions.internal_runs(f),
                                       lambda s: getattr(s, "_sess", 1) is None),
         "_MonitoredSession._close_internal")
    _set(cls, "__enter__", sessions.wrap_enter, "_MonitoredSession.__enter__")
    _set(cls, "__exit__", lambda f: sessions.wrap_marking(f, "with", fmt.EXIT),
         "_MonitoredSession.__exit__")


PATCHERS: dict[str, Callable[[Any], None]] = {
    "tensorflow.python.util.tf_stack": patch_tf_stack_module,
    "tensorflow.python.util.deprecation": patch_deprecation_module,
    "tensorflow.python.framework.ops": patch_ops_module,
    "tensorflow.python.framework.tensor": patch_tensor_module,
    "tensorflow.python.framework.sparse_tensor": patch_sparse_tensor_module,
    "tensorflow.python.client.session": patch_session_module,
    "tensorflow.python.training.monitored_session": patch_monitored_session_module,
}
