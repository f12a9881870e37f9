"""Loaded at start-up by the script's Python child processes (our directory is on their
PYTHONPATH): start recording them, then run the sitecustomize this one shadows.
See inspector/agent/children.py. Nothing here may fail the child."""

import os as _os
import sys as _sys


def _tfsess_inspect_start() -> None:
    here = _os.path.dirname(_os.path.abspath(__file__))
    parent = _os.path.dirname(_os.path.dirname(_os.path.dirname(here)))  # holds `inspector`
    added = parent not in _sys.path
    if added:
        _sys.path.append(parent)
    try:
        if _sys.version_info >= (3, 10):  # noqa: UP036 - any python may find this file
            from inspector.agent.children import start_child

            start_child()
    except Exception:
        pass
    finally:
        if added and parent in _sys.path:
            _sys.path.remove(parent)


def _tfsess_inspect_chain() -> None:
    """The interpreter imports one `sitecustomize`: ours came first, so load the one it
    would have found without us (Debian's, a virtualenv's) under that name."""
    import importlib.machinery
    import importlib.util

    here = _os.path.dirname(_os.path.abspath(__file__))
    path = [p for p in _sys.path if _os.path.abspath(p or _os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    _sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


try:
    _tfsess_inspect_start()
except Exception:
    pass
_tfsess_inspect_chain()
