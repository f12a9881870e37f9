"""What a run fetched and fed: names, dtypes and shapes (never values), interned.

Two keys lead to a summary's id:
- `fetch_summary`: the canonical one, from the flattened fetch structure (any nesting)
  and each feed's key and value signature; a miss describes the leaves and writes an
  `fs` line.
- `run_key_*`: the run wrapper's cheap key, built per run with no flattening and no
  string: object identities, feed value shapes (a tuple numpy already has) and dtype
  identities. It only says "same as last time at this call site"; the wrapper's cache
  maps it to an interned run shape (inspector/agent/runs.py).
"""

from __future__ import annotations

from typing import Any

from inspector.agent import recorder as _recorder_mod
from inspector.agent import sessions
from inspector.agent.tf_refs import TF


def _leaves(x: Any, out: list) -> None:
    t = type(x)
    if t is list or t is tuple:
        for y in x:
            _leaves(y, out)
    elif t is dict:
        for y in x.values():
            _leaves(y, out)
    elif isinstance(x, tuple) and hasattr(x, "_fields"):
        for y in x:
            _leaves(y, out)
    else:
        out.append(x)


def _shape_of(x: Any) -> Any:
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    try:
        as_list = getattr(shape, "as_list", None)
        if as_list is not None:
            return as_list()
        return list(shape)
    except Exception:
        return None


def _dtype_of(x: Any) -> str | None:
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return None
    name = getattr(dtype, "name", None)
    return name if isinstance(name, str) else str(dtype)


def _describe_leaf(x: Any) -> list:
    if isinstance(x, (str, bytes)):
        name = x.decode("utf-8", "replace") if isinstance(x, bytes) else x
        return [name, None, None, 0, "name"]
    if TF.eager_base is not None and isinstance(x, TF.eager_base):
        return [None, _dtype_of(x), _shape_of(x), 0, "eager"]
    if TF.operation is not None and isinstance(x, TF.operation):
        kind = "op"
    elif TF.sparse_tensor is not None and isinstance(x, TF.sparse_tensor):
        kind = "sparse"
    elif "Variable" in type(x).__name__:
        if getattr(x, "_in_graph_mode", True) is False:
            return [None, _dtype_of(x), _shape_of(x), 0, "eager"]
        kind = "variable"
    elif hasattr(x, "graph") and hasattr(x, "dtype"):
        kind = "tensor"
    else:
        return [repr(x)[:100], None, None, 0, type(x).__name__]
    try:
        name = str(x.name)
    except Exception:
        name = None
    try:
        gid = sessions.graph_id(x.graph)
    except Exception:
        gid = 0
    return [name, _dtype_of(x), _shape_of(x), gid, kind]


def _value_sig(v: Any) -> Any:
    t = type(v)
    if t in (int, float, bool, str, bytes, type(None)):
        return t
    if t is list or t is tuple:
        return (t, len(v))
    shape = getattr(v, "shape", None)
    if shape is not None and type(shape) is tuple:
        return (t, str(getattr(v, "dtype", "")), shape)
    return t


def fetch_summary(fetches: Any, feeds: Any, feed_values: bool = True) -> int:
    """Interned id of the summary of these fetches and feeds. `feeds` is a feed_dict
    (keys and values) or, with feed_values=False, a list of feed keys."""
    rec = _recorder_mod._recorder
    leaves: list = []
    _leaves(fetches, leaves)
    fkeys: list = []
    fvals: list = []
    if feeds:
        if feed_values and isinstance(feeds, dict):
            fkeys = list(feeds.keys())
            fvals = list(feeds.values())
        else:
            fkeys = list(feeds)
    key: Any = (
        tuple(map(id, leaves)),
        tuple(map(id, fkeys)),
        tuple(map(_value_sig, fvals)),
    )
    try:
        hash(key)
    except TypeError:
        key = (object(),)
    return rec.fetch_summary_id(key, (leaves, fkeys), lambda: _describe(leaves, fkeys, fvals))


def _describe(leaves: list, fkeys: list, fvals: list) -> tuple[list, int, list, int]:
    most = _recorder_mod._MAX_LEAVES
    fetch_desc = [_describe_leaf(x) for x in leaves[:most]]
    feed_desc = []
    for i, k in enumerate(fkeys[:most]):
        kd = _describe_leaf(k)
        if i < len(fvals):
            v = fvals[i]
            kd = [kd[0], _dtype_of(v) or type(v).__name__, _shape_of(v), kd[3], kd[4]]
        feed_desc.append(kd)
    return fetch_desc, len(leaves), feed_desc, len(fkeys)


# -- the run wrapper's cheap keys -------------------------------------------------
# A key holds identities only: `keepalive` gives the objects behind them, which the
# wrapper's cache keeps alive so that no other object can take their ids. Values are
# never kept (a feed's array), only their type and dtype.
_CONTAINERS = (list, tuple, dict)


def fetches_key(fetches: Any) -> Any:
    t = type(fetches)
    if t is list or t is tuple:
        return tuple(map(id, fetches))
    if t is dict:
        return (tuple(map(id, fetches)), tuple(map(id, fetches.values())))
    return id(fetches)


def feeds_key(feeds: Any) -> Any:
    """A feed_dict's keys and its values' signatures: arrays and tensors by dtype and
    shape (a changed batch size makes another key), other values by type (and length)."""
    if type(feeds) is not dict:
        return tuple(map(id, feeds))  # partial_run_setup's feed list: keys only
    try:  # numpy arrays and tensors: one comprehension, no call per value
        return tuple([(id(k), id(v.dtype), v.shape) for k, v in feeds.items()])
    except AttributeError:
        pass
    parts = []
    for k, v in feeds.items():
        shape = getattr(v, "shape", None)
        dtype = getattr(v, "dtype", None)
        if shape is not None and dtype is not None:
            parts.append((id(k), id(dtype), shape))
        else:
            t = type(v)
            parts.append((id(k), id(t), len(v) if t is list or t is tuple else -1))
    return tuple(parts)


def fetches_keepalive(fetches: Any, feeds: Any) -> list | None:
    """The objects whose ids `fetches_key`/`feeds_key` use; None when the key cannot
    be trusted to say the same next time (nested fetches: their inner lists are new
    objects at every call)."""
    t = type(fetches)
    if t is list or t is tuple:
        keep = list(fetches)
    elif t is dict:
        keep = [*fetches, *fetches.values()]
    else:
        keep = [fetches]
    for x in (keep if t is not dict else fetches.values()):
        if isinstance(x, _CONTAINERS):
            return None
    if feeds:
        if type(feeds) is dict:
            for k, v in feeds.items():
                keep.append(k)
                dtype = getattr(v, "dtype", None)
                keep.append(dtype if dtype is not None and getattr(v, "shape", None) is not None
                            else type(v))
        else:
            keep.extend(feeds)
    return keep


def run_key(args: tuple, kwargs: dict) -> Any:
    """run(self, fetches, feed_dict=None, options=None, run_metadata=None), and the
    monitored session's run of the same shape."""
    n = len(args)
    fetches = args[1] if n > 1 else kwargs.get("fetches")
    feeds = args[2] if n > 2 else kwargs.get("feed_dict")
    if not feeds:
        return fetches_key(fetches)
    return (fetches_key(fetches), feeds_key(feeds))


def run_keepalive(args: tuple, kwargs: dict) -> list | None:
    n = len(args)
    return fetches_keepalive(args[1] if n > 1 else kwargs.get("fetches"),
                             args[2] if n > 2 else kwargs.get("feed_dict"))


def eval_key(args: tuple, kwargs: dict) -> Any:
    # eval(self, feed_dict=None, session=None), Operation.run alike
    feeds = args[1] if len(args) > 1 else kwargs.get("feed_dict")
    if not feeds:
        return id(args[0])
    return (id(args[0]), feeds_key(feeds))


def eval_keepalive(args: tuple, kwargs: dict) -> list | None:
    return fetches_keepalive(args[0], args[1] if len(args) > 1 else kwargs.get("feed_dict"))


def partial_run_key(args: tuple, kwargs: dict) -> Any:
    # partial_run(self, handle, fetches, feed_dict=None)
    fetches = args[2] if len(args) > 2 else kwargs.get("fetches")
    feeds = args[3] if len(args) > 3 else kwargs.get("feed_dict")
    return (fetches_key(fetches), feeds_key(feeds) if feeds else None)


def partial_run_keepalive(args: tuple, kwargs: dict) -> list | None:
    return fetches_keepalive(args[2] if len(args) > 2 else kwargs.get("fetches"),
                             args[3] if len(args) > 3 else kwargs.get("feed_dict"))


def partial_run_setup_key(args: tuple, kwargs: dict) -> Any:
    # partial_run_setup(self, fetches, feeds=None): feeds are keys only
    fetches = args[1] if len(args) > 1 else kwargs.get("fetches")
    feeds = args[2] if len(args) > 2 else kwargs.get("feeds")
    return (fetches_key(fetches), tuple(map(id, feeds)) if feeds else None)


def partial_run_setup_keepalive(args: tuple, kwargs: dict) -> list | None:
    return fetches_keepalive(args[1] if len(args) > 1 else kwargs.get("fetches"),
                             list(args[2] if len(args) > 2 else kwargs.get("feeds") or ()))


def no_key(args: tuple, kwargs: dict) -> Any:
    return 0  # a callable: its fetches and feeds were fixed when it was made


def no_keepalive(args: tuple, kwargs: dict) -> list:
    return []


# Summaries for each run path (after the call; the canonical key).
def _arg(args: tuple, kwargs: dict, index: int, name: str, default: Any = None) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def run_summary(args: tuple, kwargs: dict) -> int:
    n = len(args)
    return fetch_summary(args[1] if n > 1 else kwargs.get("fetches"),
                         args[2] if n > 2 else kwargs.get("feed_dict"))


def partial_run_summary(args: tuple, kwargs: dict) -> int:
    return fetch_summary(_arg(args, kwargs, 2, "fetches"), _arg(args, kwargs, 3, "feed_dict"))


def partial_run_setup_summary(args: tuple, kwargs: dict) -> int:
    return fetch_summary(_arg(args, kwargs, 1, "fetches"), _arg(args, kwargs, 2, "feeds"),
                         feed_values=False)


def eval_summary(args: tuple, kwargs: dict) -> int:
    return fetch_summary(args[0], _arg(args, kwargs, 1, "feed_dict"))
