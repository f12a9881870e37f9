"""Turns what the patches see into trace lines and run records.

Everything that repeats (call sites, fetch/feed summaries, threads, graphs, sources, run
shapes) is interned: written once as its own JSON line, then referred to by a small
integer id. A successful run is a binary record in the run file (see
inspector/agent/runs.py for the hot path, inspector/trace/run_writer.py for the file).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import threading
import time
from typing import Any

from inspector.agent.tf_refs import in_run
from inspector.trace import format as fmt
from inspector.trace.run_writer import RunFileWriter, RunLineWriter
from inspector.trace.writer import TraceWriter

_AGENT_DIR = os.path.dirname(os.path.abspath(__file__))
_INSPECTOR_DIR = os.path.dirname(_AGENT_DIR)
_MAX_SOURCE_BYTES = 2 * 1024 * 1024
_MAX_LEAVES = 64
_STACK_DEPTH = 8
_CACHE_LIMIT = 8192
_MONO = time.monotonic_ns
_get_ident = threading.get_ident
_dumps = json.dumps


def _json(value: Any) -> str:
    return _dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class Recorder:
    """The one recorder of a process; see `start()`."""

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

    def _is_lib(self, code: Any) -> bool:
        r = self._code_is_lib.get(id(code))
        if r is None:
            fn = code.co_filename
            r = (
                code in self.own_codes
                or fn.startswith(tuple(self.lib_prefixes))
                or fn.startswith("<frozen")
            )
            self._codes.append(code)
            self._code_is_lib[id(code)] = r
        return r

    def site_id(self, depth: int = 2) -> int:
        """Id of the call site: the innermost frame that is neither TensorFlow's nor ours.

        Keyed on that frame's code and instruction offset and its caller's (cheaper than
        line numbers, which are computed from the offset): the short stack written with
        the site is the one seen first from that pair."""
        try:
            f = sys._getframe(depth)
        except ValueError:
            return 0
        return self.site_from(f)

    def site_from(self, f: Any) -> int:
        libs = self._code_is_lib
        while f is not None:
            r = libs.get(id(f.f_code))
            if r is None:
                r = self._is_lib(f.f_code)
            if not r:
                break
            f = f.f_back
        if f is None:
            return 0
        p = f.f_back
        while p is not None:
            r = libs.get(id(p.f_code))
            if r is None:
                r = self._is_lib(p.f_code)
            if not r:
                break
            p = p.f_back
        # Ids are safe keys: _is_lib has kept every code object seen here alive.
        key = (id(f.f_code), f.f_lasti, 0, 0) if p is None else (id(f.f_code), f.f_lasti, id(p.f_code), p.f_lasti)
        sid = self._sites.get(key)
        if sid is None:
            sid = self._new_site(key, f)
        return sid

    def _new_site(self, key: tuple, f: Any) -> int:
        with self._lock:
            sid = self._sites.get(key)
            if sid is not None:
                return sid
            frames = []
            while f is not None and len(frames) < _STACK_DEPTH:
                if not self._is_lib(f.f_code):
                    frames.append(f)
                f = f.f_back
            described = []
            for fr in frames:
                code = fr.f_code
                described.append(
                    [self._where(code.co_filename), fr.f_lineno, getattr(code, "co_qualname", code.co_name)]
                )
            for file, _, _ in described:
                self._embed_source(file)
            sid = len(self._sites) + 1
            top = described[0]
            self.emit_event(
                fmt.SITE, id=sid, file=top[0], line=top[1], func=top[2], stack=described[1:]
            )
            self._sites[key] = sid
            return sid

    def _where(self, file: str) -> str:
        """A code object's file as an absolute path: a relative one (code compiled under a
        relative name, a module found through a relative sys.path entry) is taken from
        the working directory the process started in, where the script most likely
        compiled or imported it, else from the current one; as it is if neither has it."""
        if not file or file.startswith("<") or os.path.isabs(file):
            return file
        for base in (self.start_cwd, os.getcwd()):
            path = os.path.normpath(os.path.join(base, file))
            if os.path.exists(path):
                return path
        return file

    def _embed_source(self, file: str) -> None:
        if file in self._sources or file.startswith("<"):
            return
        self._sources.add(file)
        try:
            with open(file, "rb") as fh:
                data = fh.read(_MAX_SOURCE_BYTES + 1)
        except OSError:
            self.emit_event(fmt.SOURCE, file=file, sha256=None, text=None)
            return
        if len(data) > _MAX_SOURCE_BYTES:
            self.emit_event(fmt.SOURCE, file=file, sha256=None, text=None, truncated=True)
            return
        self.emit_event(
            fmt.SOURCE,
            file=file,
            sha256=hashlib.sha256(data).hexdigest(),
            text=data.decode("utf-8", "replace"),
        )

    def embed_source(self, file: str) -> str:
        """Embed a file's text (once); returns the file's name as the trace gives it."""
        with self._lock:
            file = self._where(file)
            self._embed_source(file)
            return file

    def add_library(self, prefixes: list[str]) -> None:
        """Treat code under these paths (directories ending in os.sep, or files) as
        library code: never a call site (the notebook extension: the kernel's machinery)."""
        with self._lock:
            self.lib_prefixes.extend(p for p in prefixes if p not in self.lib_prefixes)
            self._code_is_lib.clear()

    def embed_text(self, file: str, text: str) -> None:
        """Embed `text` as the source of `file` (once), for code compiled from a string
        under a name that is no file on disk: a notebook cell (the notebook extension)."""
        with self._lock:
            if file in self._sources:
                return
            self._sources.add(file)
            data = text.encode("utf-8", "replace")
            self.emit_event(fmt.SOURCE, file=file, sha256=hashlib.sha256(data).hexdigest(),
                            text=text)

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
