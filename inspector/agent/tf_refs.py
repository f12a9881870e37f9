"""What the wrappers share: TensorFlow objects captured as TensorFlow's modules load,
the attribute names the agent stores its ids under, and the per-thread guard."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

SESSION_ID_ATTR = "_tfsess_inspect_id"
GRAPH_ID_ATTR = "_tfsess_inspect_gid"


class TF:
    """TensorFlow objects the wrappers need (set by inspector/agent/patches.py)."""

    eager_base: type | None = None
    sparse_tensor: type | None = None
    operation: type | None = None
    get_default_session: Callable[[], Any] | None = None


class _ThreadState(threading.local):
    creating_parent = 0  # a monitored session under construction: its id


state = _ThreadState()
# The threads (by `threading.get_ident()`) inside a recorded run: TensorFlow's own nested
# runs (eval calls session.run, MonitoredSession.run calls the raw session, a callable
# with feeds calls run) are not counted twice. A set, not a thread-local attribute: the
# run wrapper takes the thread's ident anyway, and a set is a third of the cost.
in_run: set[int] = set()
