"""Tracebacks as python prints them for a plain run: without the inspector's frames."""

from __future__ import annotations

import os
from typing import Any

_INSPECTOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def strip_own_frames(tb: Any) -> Any:
    """Drop the inspector's frames from a traceback chain (tb_next is writable)."""

    def ours(t: Any) -> bool:
        return t.tb_frame.f_code.co_filename.startswith(_INSPECTOR_DIR + os.sep)

    while tb is not None and ours(tb):
        tb = tb.tb_next
    head = tb
    while tb is not None:
        nxt = tb.tb_next
        while nxt is not None and ours(nxt):
            nxt = nxt.tb_next
        tb.tb_next = nxt
        tb = nxt
    return head


def clean_chain(exc: BaseException, seen: set) -> None:
    """Strip our frames from an exception, its cause and its context, recursively."""
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = strip_own_frames(exc.__traceback__)
        if exc.__cause__ is not None:
            clean_chain(exc.__cause__, seen)
        exc = exc.__context__
