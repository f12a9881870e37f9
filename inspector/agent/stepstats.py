"""`run --step-stats`: TensorFlow's own per-step statistics for every `sess.run` (issue 5).

Off by default. When on, `BaseSession.run` is called with
`RunOptions(trace_level=FULL_TRACE)` and a `RunMetadata` of ours, and after each run one
``steps`` line gives, per allocator, the most bytes seen in use during the step (an op's
own peak, or the allocator's bytes in use after an op) and the bytes the step allocated,
and the slowest ops (docs/trace-format.md). It
costs what FULL_TRACE costs TensorFlow (tens of µs per run plus a few per op) plus the
reading of the metadata, and run durations include both.

A call that asks for tracing itself (a `run_metadata` argument, or `options` with a
trace level) is left exactly as it is; its statistics are read from its own metadata
when it has some. Traced: whatever goes through `BaseSession.run` (`sess.run`, and
`Tensor.eval`, `Operation.run`, `MonitoredSession.run` through it); not callables or
partial runs.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

enabled = False
SLOWEST = 5
_SID = "_tfsess_inspect_id"


def _pb() -> Any:
    return sys.modules.get("tensorflow.core.protobuf.config_pb2")


def wrap_run(original: Callable, rec_of: Callable[[], Any]) -> Callable:
    """`BaseSession.run` with tracing added; `original` itself when step stats are off."""
    if not enabled:
        return original

    @functools.wraps(original)
    def run(self, *args, **kwargs):
        # run(self, fetches, feed_dict=None, options=None, run_metadata=None)
        traced = _traced_arguments(args, kwargs)
        if traced is None:  # the call's own tracing, or a shape we do not know: as it is
            result = original(self, *args, **kwargs)
            md = args[3] if len(args) > 3 else kwargs.get("run_metadata")
            if md is not None:
                _record(rec_of(), self, md)
            return result
        args, kwargs, md = traced
        result = original(self, *args, **kwargs)
        _record(rec_of(), self, md)
        return result

    return run


def _traced_arguments(args: tuple, kwargs: dict) -> tuple[tuple, dict, Any] | None:
    try:
        pb = _pb()
        if pb is None or len(args) > 4 or not set(kwargs) <= {"fetches", "feed_dict", "options", "run_metadata"}:
            return None
        options = args[2] if len(args) > 2 else kwargs.get("options")
        if (args[3] if len(args) > 3 else kwargs.get("run_metadata")) is not None:
            return None
        opts = pb.RunOptions()
        if options is not None:
            if options.trace_level:
                return None
            opts.CopyFrom(options)
        opts.trace_level = pb.RunOptions.FULL_TRACE
        md = pb.RunMetadata()
        kwargs = dict(kwargs)
        args = args[:2]
        kwargs.pop("options", None)
        kwargs.pop("run_metadata", None)
        if len(args) < 2 and "feed_dict" not in kwargs:
            kwargs["feed_dict"] = None
        kwargs["options"] = opts
        kwargs["run_metadata"] = md
        return args, kwargs, md
    except Exception:
        return None


def _record(rec: Any, sess: Any, md: Any) -> None:
    if rec is None:
        return
    try:
        alloc: dict[str, list[int]] = {}
        ops: list[tuple[int, str]] = []
        for dev in md.step_stats.dev_stats:
            for node in dev.node_stats:
                us = node.op_end_rel_micros - node.op_start_rel_micros
                ops.append((us, node.node_name))
                for m in node.memory:
                    a = alloc.setdefault(m.allocator_name, [0, 0])
                    peak = max(m.allocator_bytes_in_use, m.peak_bytes)
                    if peak > a[0]:
                        a[0] = peak
                    a[1] += m.total_bytes
        if not ops:
            return
        ops.sort(key=lambda x: -x[0])
        rec.emit_event(
            "steps", ts=rec.now(), s=getattr(sess, _SID, 0) or 0,
            alloc=[[name, v[0], v[1]] for name, v in sorted(alloc.items())],
            slow=[[name, us] for us, name in ops[:SLOWEST]], ops=len(ops),
        )
    except Exception:
        pass
