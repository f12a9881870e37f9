"""Patch TensorFlow's modules right after the script imports them.

A `sys.meta_path` finder that answers only for the few module names in
`patches.PATCHERS`: it asks the other finders for the real spec and wraps that
spec's loader so the patcher runs once the module has executed. Any other import
costs one dict lookup.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import sys
from typing import Any

from inspector.agent import memory as memory_mod
from inspector.agent import patches
from inspector.agent import recorder as recorder_mod
from inspector.trace import format as fmt


class PatchingFinder:
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        patcher = patches.PATCHERS.get(fullname)
        if patcher is None:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        original_exec = getattr(loader, "exec_module", None)
        if original_exec is None:
            return spec

        def exec_module(module: Any) -> None:
            original_exec(module)
            apply(fullname, module)

        try:
            loader.exec_module = exec_module
        except Exception:
            return spec
        return spec


_applied: set[str] = set()


def apply(fullname: str, module: Any) -> None:
    if fullname in _applied:
        return
    _applied.add(fullname)
    rec = recorder_mod.get()
    if rec is None and recorder_mod.pending_start is not None:
        start, recorder_mod.pending_start = recorder_mod.pending_start, None
        try:
            rec = start()
        except Exception:
            rec = None
    if rec is None:
        return
    _note_tensorflow(rec, module)
    try:
        patches.PATCHERS[fullname](module)
    except Exception as exc:  # a TensorFlow we do not know: record what we can
        rec.warn_once(fullname, f"could not patch {fullname} ({type(exc).__name__}: {exc}); "
                      "some runs may not be recorded")


def _note_tensorflow(rec: Any, module: Any) -> None:
    """On the first TensorFlow module: treat TF's directory as library code and
    record its version."""
    if "__tf__" in _applied:
        return
    _applied.add("__tf__")
    file = getattr(module, "__file__", None) or ""
    parts = os.path.abspath(file).split(os.sep)
    if "tensorflow" in parts:
        root = os.sep.join(parts[: len(parts) - parts[::-1].index("tensorflow")])
        rec.lib_prefixes.append(root + os.sep)
        rec._code_is_lib.clear()
    version = None
    for dist in ("tensorflow", "tensorflow-cpu", "tf-nightly", "tensorflow-macos"):
        try:
            version = importlib.metadata.version(dist)
            break
        except Exception:
            continue
    rec.emit_event(fmt.TF, version=version, path=file)
    note = untested_note(version)
    if note is not None:
        # Its own line, always: it is not one of the warnings that stop at the first.
        rec.emit_event(fmt.WARNING, message=note, untested=version)
        try:
            sys.__stderr__.write(f"tfsess-inspect: {note}\n")
        except Exception:
            pass
    memory_mod.on_tensorflow()


def untested_note(version: str | None) -> str | None:
    """One sentence when `version` is outside the releases the scenario suite passed on."""
    if not version:
        return None
    m = re.match(r"(\d+)\.(\d+)", version)
    if m is None:
        return None
    low, high = patches.TESTED_RANGE
    if low <= (int(m.group(1)), int(m.group(2))) <= high:
        return None
    return (f"TensorFlow {version} is outside the tested range {low[0]}.{low[1]} to "
            f"{high[0]}.{high[1]} (tested: {patches.TESTED_RELEASES}); findings may be "
            "missing where TensorFlow changed")


def install() -> None:
    """Install the finder, and patch whatever TensorFlow modules are already loaded."""
    if not any(isinstance(f, PatchingFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, PatchingFinder())
    for name in patches.PATCHERS:  # "tensorflow" last: then every path is checked
        mod = sys.modules.get(name)
        if mod is not None:
            apply(name, mod)
