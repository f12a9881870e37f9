"""Loaded at start-up by the script's Python child processes (our directory is on their
PYTHONPATH). It costs a child next to nothing: one finder that waits for the child to
import TensorFlow and only then loads the agent (inspector/agent/children.py). Then it
runs the sitecustomize this one shadows. Nothing here may fail the child."""

import os as _os
import sys as _sys

_HERE = _os.path.dirname(_os.path.abspath(__file__))


def _tfsess_inspect_start(job: bool = False) -> None:
    parent = _os.path.dirname(_os.path.dirname(_os.path.dirname(_HERE)))  # holds `inspector`
    added = parent not in _sys.path
    if added:
        _sys.path.append(parent)
    try:
        if job:  # TFSESS_INSPECT_TRACE: a process started by something else (agent/job.py)
            from inspector.agent.job import start_job

            start_job()
        else:
            from inspector.agent.children import start_child

            start_child()
    except Exception:
        pass
    finally:
        if added and parent in _sys.path:
            _sys.path.remove(parent)


class _TfsessInspectWaiter:
    """Answers no import itself: at the first `tensorflow` import it loads the agent,
    whose own finder then patches TensorFlow's modules as they load."""

    def find_spec(self, fullname, path=None, target=None):  # noqa: ANN001, ANN201
        if fullname != "tensorflow" and not fullname.startswith("tensorflow."):
            return None
        try:
            _sys.meta_path.remove(self)
        except ValueError:
            pass
        _tfsess_inspect_start()
        return None


def _tfsess_inspect_chain() -> None:
    """The interpreter imports one `sitecustomize`: ours came first, so load the one it
    would have found without us (Debian's, a virtualenv's) under that name."""
    import importlib.machinery
    import importlib.util

    path = [p for p in _sys.path if _os.path.abspath(p or _os.curdir) != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    _sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


try:
    if _os.environ.get("TFSESS_INSPECT_CHILD") and _sys.version_info >= (3, 10):  # noqa: UP036 - any python may find this file
        # Our directory served its purpose: the child's own imports see the path a plain
        # run gives (PYTHONPATH still carries it to grandchildren).
        _sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or _os.curdir) != _HERE]
        _sys.meta_path.insert(0, _TfsessInspectWaiter())
    elif _os.environ.get("TFSESS_INSPECT_TRACE") and _sys.version_info >= (3, 10):  # noqa: UP036
        _sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or _os.curdir) != _HERE]
        _tfsess_inspect_start(job=True)
except Exception:
    pass
_tfsess_inspect_chain()
