"""The trace of one test: the definitions and session lifecycle it needs from before it
(its context), its own events, then its end; written to `DIR/<test id>.jsonl` with
`--tfsess-trace DIR`, and analysed from the same context (the recorder in __init__.py)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any

from inspector.trace import format as fmt

# Events that define something later events refer to, or that change a session's
# state: kept from earlier tests, for each test's analysis and trace file.
_DEFINITIONS = frozenset({"tf", "site", "src", "fs", "thread", "graph", "reset"})
_LIFECYCLE = frozenset({"sess", "enter", "exit", "close"})
CONTEXT_EVENTS = _DEFINITIONS | _LIFECYCLE


def test_context(context: list[dict[str, Any]], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a test's own events need from before it: every definition (call sites,
    fetch summaries, threads, graphs, sources, resets) and the lifecycle of the
    sessions the test used (made earlier, say by a module fixture), but not the
    sessions of other tests."""
    used = {ev.get("s") for ev in events if ev.get("ev") in ("run", "runerr", "close", "enter", "exit")}
    return [ev for ev in context
            if ev.get("ev") in _DEFINITIONS or (ev.get("ev") in _LIFECYCLE and ev.get("s") in used)]


def trace_file_name(nodeid: str, used_names: set[str]) -> str:
    """A file name for the test's trace, unique among `used_names` (which it joins)."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", nodeid).strip("_") or "test"
    if len(base) > 120 or base in used_names:
        base = base[:120] + "-" + hashlib.sha1(nodeid.encode()).hexdigest()[:8]
    used_names.add(base)
    return base + ".jsonl"


def write_test_trace(path: str, header: dict[str, Any], context: list[dict[str, Any]],
                     events: list[dict[str, Any]], script: str, nodeid: str, now: int,
                     failed: bool) -> None:
    """The test's trace: the run's header made the test's, its context, its events, its end."""
    header = {**header, "script": script, "argv": ["pytest", nodeid], "pytest": nodeid}
    # The test's runs are written below as `run` lines: it has no run file of its own.
    header.pop("runs", None)
    pid = os.getpid()
    code = 1 if failed else 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(dumps(header) + "\n")
        for ev in test_context(context, events):
            fh.write(dumps(ev) + "\n")
        for ev in events:
            fh.write(dumps(ev) + "\n")
        fh.write(dumps({"ev": fmt.SCRIPT_END, "pid": pid, "ts": now, "how": "return",
                        "code": code}) + "\n")
        fh.write(dumps({"ev": fmt.END, "pid": pid, "ts": now, "code": code,
                        "signal": None}) + "\n")
