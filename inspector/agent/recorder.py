"""Turns what the patches see into trace lines and run records.

Everything that repeats (call sites, fetch/feed summaries, threads, graphs, sources, run
shapes) is interned: written once as its own JSON line, then referred to by a small
integer id. A successful run is a binary record in the run file (see
inspector/agent/runs.py for the hot path, inspector/trace/run_writer.py for the file).
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
import time
from typing import Any

from inspector.agent.sites import CallSites
from inspector.agent.tf_refs import in_run
from inspector.trace import format as fmt
from inspector.trace.run_writer import RunFileWriter, RunLineWriter
from inspector.trace.writer import TraceWriter

_AGENT_DIR = os.path.dirname(os.path.abspath(__file__))
_INSPECTOR_DIR = os.path.dirname(_AGENT_DIR)
_MAX_LEAVES = 64
_CACHE_LIMIT = 8192
_MONO = time.monotonic_ns
_get_ident = threading.get_ident
_dumps = json.dumps


def _json(value: Any) -> str:
    return _dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class Recorder(CallSites):
    """The one recorder of a process; see `start()`. Call sites and sources are
    interned by `CallSites` (inspector/agent/sites.py)."""

    def __init__(self, writer: TraceWriter, t0_ns: int, runs: Any) -> None:
        self.writer = writer
        self.runs = runs
        self.t0 = t0_ns
        self.pid = os.getpid()
        self.start_cwd = os.getcwd()
        self.lib_prefixes: list[str] = [_INSPECTOR_DIR + os.sep]
        # Reentrant: describing a fetch summary (under the lock) interns its graphs.
        self._lock = threading.RLock()
        # Keyed by id(code): hashing a code object hashes its contents on every
        # lookup, which costs more than the rest of a run's recording. The code
        # objects themselves are kept in _codes so that their ids stay theirs.
        self._code_is_lib: dict[int, bool] = {}
        self._codes: list[Any] = []
        # Code objects that count as ours whatever their file (the launcher's stub).
        self.own_codes: set[Any] = set()
        self._sites: dict[tuple, int] = {}
        self._sources: set[str] = set()
        # The run wrapper's cache (inspector/agent/runs.py): its key -> run shape id,
        # with the objects whose ids the keys hold kept alive beside it.
        self.run_shapes: dict[Any, int] = {}
        self._run_shape_keep: list[Any] = []
        self._shapes: dict[tuple, int] = {}  # (session, kind, site, fs, thread) -> id
        self._shape_parts: list[tuple] = [()]
        self._fetch_summaries: dict[tuple, tuple[int, Any]] = {}
        self._threads: dict[int, int] = {}
        self._next_session = 0
        self._next_graph = 0
        self._next_fs = 0
        self.warned: set[str] = set()

    def after_fork(self) -> None:
        """In a forked child: its own pid and lock, and never again a write into the
        parent's files (the run file's mapping is shared with the parent). The files
        of its own come from the fork handlers (inspector/agent/children.py)."""
        self.pid = os.getpid()
        self._threads = {}
        self._lock = threading.RLock()  # another thread may have held it at the fork
        # Threads that were inside a run in the parent do not exist here (and a new
        # thread may get one of their idents).
        in_run.intersection_update({threading.get_ident()})
        self.runs.abandon()
        self.writer.failed = True

    def forget_interned(self) -> None:
        """A new file (a forked child's): what was interned into the old one is not in it."""
        self._sites.clear()
        self._sources.clear()
        self._fetch_summaries.clear()
        self._threads = {}
        self.run_shapes = {}
        self._run_shape_keep = []
        self._shapes = {}
        self._shape_parts = [()]

    # -- low level -------------------------------------------------------
    def now(self) -> int:
        return _MONO() - self.t0

    def emit(self, line: str) -> None:
        self.writer.write(line)

    def emit_event(self, ev: str, **fields: Any) -> None:
        fields_json = _json(fields)
        sep = "," if len(fields_json) > 2 else ""
        self.writer.write('{"ev":"%s","pid":%d%s%s\n' % (ev, self.pid, sep, fields_json[1:]))

    def warn_once(self, key: str, message: str, **fields: Any) -> None:
        """Record each warning once in the trace; tell the terminal only the first time
        (the script's own output should not drown in ours). `fields` go into the
        trace's `warn` event beside the message (docs/trace-format.md)."""
        if key in self.warned:
            return
        first = not self.warned
        self.warned.add(key)
        self.emit_event(fmt.WARNING, message=message, **fields)
        if first:
            try:
                sys.__stderr__.write(
                    f"tfsess-inspect: {message} (further warnings only in the trace)\n"
                )
            except Exception:
                pass

    # -- interning -------------------------------------------------------
    def thread_id(self) -> int:
        ident = threading.get_ident()
        tid = self._threads.get(ident)
        if tid is None:
            with self._lock:
                tid = self._threads.get(ident)
                if tid is None:
                    tid = len(self._threads) + 1
                    t = threading.current_thread()
                    self.emit_event(fmt.THREAD, id=tid, name=t.name, native=threading.get_native_id())
                    self._threads[ident] = tid
        return tid

    def new_session_id(self) -> int:
        with self._lock:
            self._next_session += 1
            return self._next_session

    def new_graph_id(self) -> int:
        with self._lock:
            self._next_graph += 1
            return self._next_graph

    def fetch_summary_id(self, key: tuple, keep: Any, describe: Any) -> int:
        """Interned summary of one fetch/feed structure; `keep` holds the keyed objects
        alive so that the ids in `key` cannot be reused by other objects."""
        hit = self._fetch_summaries.get(key)
        if hit is not None:
            return hit[0]
        with self._lock:
            hit = self._fetch_summaries.get(key)
            if hit is not None:
                return hit[0]
            if len(self._fetch_summaries) >= _CACHE_LIMIT:
                self._fetch_summaries.clear()
            self._next_fs += 1
            fs_id = self._next_fs
            fetches, nfetch, feeds, nfeed = describe()
            self.emit_event(
                fmt.FETCHES, id=fs_id, fetches=fetches, nfetch=nfetch, feeds=feeds, nfeed=nfeed
            )
            self._fetch_summaries[key] = (fs_id, keep)
            return fs_id

    def shape_id(self, session: int, kind: str, site: int, fs: int, thread: int) -> int:
        """Interned run shape: what a run record refers to (call under the lock)."""
        parts = (session, kind, site, fs, thread)
        shape = self._shapes.get(parts)
        if shape is None:
            shape = len(self._shape_parts)
            self.emit_event(fmt.RUN_SHAPE, id=shape, s=session, k=kind, site=site, fs=fs,
                            th=thread)
            self._shapes[parts] = shape
            self._shape_parts.append(parts)
        return shape

    def shape_parts(self, shape: int) -> tuple:
        return self._shape_parts[shape]

    def cache_run_shape(self, key: Any, shape: int, keep: Any) -> None:
        """Remember the run wrapper's key (call under the lock)."""
        if len(self.run_shapes) >= _CACHE_LIMIT:
            self.run_shapes = {}
            self._run_shape_keep = []
        self._run_shape_keep.append(keep)
        self.run_shapes[key] = shape

    # -- events ------------------------------------------------------------
    def run_error(
        self, session: int, kind: str, ts: int, dur: int, site: int, fs: int, exc: BaseException,
        dmem: bytes = b"",
    ) -> None:
        try:
            msg = str(exc)
        except Exception:
            msg = "<unprintable exception>"
        self.writer.write(
            '{"ev":"runerr","s":%d,"ts":%d,"dur":%d,"k":"%s","site":%d,"fs":%d,"th":%d,"pid":%d,"exc":%s,"msg":%s%s}\n'
            % (
                session, ts, dur, kind, site, fs, self.thread_id(), self.pid,
                _json(_exception_name(exc)), _json(msg[:4000]), dmem.decode(),
            )
        )


def _exception_name(exc: BaseException) -> str:
    t = type(exc)
    mod = t.__module__
    if mod in ("builtins", "__main__"):
        return t.__qualname__
    # TensorFlow's errors are best known by their public path.
    if mod.startswith("tensorflow.python.framework.errors"):
        return "tf.errors." + t.__qualname__
    return f"{mod}.{t.__qualname__}"


_recorder: Recorder | None = None


def get() -> Recorder | None:
    return _recorder


def make_header(rec: Recorder, fields: dict) -> dict:
    head = {
        "ev": fmt.HEADER,
        "format": fmt.FORMAT_NAME,
        "version": fmt.FORMAT_VERSION,
        "pid": rec.pid,
        "ppid": os.getppid(),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "cwd": os.getcwd(),
        "start_wall": time.time() - (rec.now() / 1e9),
        "t0_mono_ns": rec.t0,
        "tensorflow": None,
    }
    head.update(fields)
    return head


# Set in a child process that should start recording at its first TensorFlow import
# (see inspector/agent/children.py).
pending_start: Any = None


def open_run_file(trace_path: str) -> tuple[RunFileWriter | None, dict | None]:
    """The run file beside a trace, and what the trace's header says of it; (None,
    None) when the trace is not a regular file (a pipe, a device) or the run file
    cannot be made: the runs are then `run` lines in the trace."""
    try:
        if not stat.S_ISREG(os.stat(trace_path).st_mode):
            return None, None
        trace_id = os.urandom(16)
        runs_path = trace_path + fmt.RUNS_SUFFIX
        runs = RunFileWriter(runs_path, trace_id)
    except OSError:
        return None, None
    return runs, {"file": os.path.basename(runs_path), "id": trace_id.hex(),
                  "record": fmt.RUN_RECORD_SIZE}


def runs_writer(rec: Recorder, runs: RunFileWriter | None) -> Any:
    return runs if runs is not None else RunLineWriter(rec.writer.write_bytes, rec.shape_parts,
                                                       rec.pid)


# Called in a forked child after the recorder has let go of the parent's files
# (inspector/agent/children.py adds the one that opens the child's own).
fork_handlers: list[Any] = []


def _after_fork_in_child() -> None:
    rec = _recorder
    if rec is None:
        return
    rec.after_fork()
    for handler in fork_handlers:
        try:
            handler(rec)
        except Exception:
            pass


_fork_hook_installed = False


def pause() -> Recorder | None:
    """Stop recording (the patches pass every call straight through); returns the
    recorder, for `resume`."""
    global _recorder
    rec, _recorder = _recorder, None
    return rec


def resume(rec: Recorder) -> None:
    """Record again into the same trace, with the same ids."""
    global _recorder
    _recorder = rec


def start(path: str, t0_ns: int | None = None, header: dict | None = None,
          run_file: bool = True) -> Recorder:
    """Open the trace and its run file and write the header. `run_file=False`: no run
    file, successful runs as `run` lines (a process that appends to a trace another one
    started, whose run file is that one's: the notebook runner's kernel)."""
    global _recorder, _fork_hook_installed
    writer = TraceWriter(path)
    runs, runs_info = open_run_file(path) if run_file else (None, None)
    t0 = _MONO() if t0_ns is None else t0_ns
    rec = Recorder(writer, t0, runs)
    rec.runs = runs_writer(rec, runs)
    if header is not None:
        head = {**header, "runs": runs_info} if runs_info else header
        writer.write(_json(make_header(rec, head)) + "\n")
    _recorder = rec
    if not _fork_hook_installed:
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _fork_hook_installed = True
    return rec
