"""Patches of TensorFlow's internals that keep what the script sees the same as in a
plain run: deprecation warnings and op creation stacks without the agent's frames."""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

_INSPECTOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def patch_deprecation_module(mod: Any) -> bool:
    """TensorFlow's deprecation warnings name the caller a fixed number of frames up,
    which would be our wrapper: skip our frames so the warning names the script's line
    exactly as without the recorder. False: this TensorFlow has no `_call_location`."""
    original = getattr(mod, "_call_location", None)
    if original is None:
        return False
    ours = _INSPECTOR_DIR + "/"

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
    return True


def patch_tf_stack_module(mod: Any) -> bool:
    """TensorFlow keeps the Python stack of every op it creates (shown as "Original stack
    trace" when the op fails). Under the recorder that stack starts with the launcher's
    and bootstrap's frames, which a plain run does not have: a stack filter, TensorFlow's
    own mechanism for hiding frames, leaves the agent's files out. False: this
    TensorFlow has no such filter stack."""
    base = getattr(mod, "StackTraceFilter", None)
    stacks = getattr(mod, "_source_filter_stacks", None)
    if base is None or not hasattr(stacks, "default_factory"):
        return False
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
    return True
