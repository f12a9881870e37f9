"""The devices a session on a remote target reports (`devices` events).

`watch(rec, sess, sid)` is called once when a session is created. For a session on the
local target (`""`: TensorFlow's in-process DirectSession) it does nothing: its devices
are the process's own, which the memory sampler already names. For any other target
(`grpc://host:port`, a `tf.distribute.Server`'s `.target`) it records, once, what
`sess.list_devices()` answers: every device of every task the master knows.

When that call is safe decides how this works. Called on a new gRPC session, before
its first run, `list_devices()` is not a harmless query (TensorFlow 2.21,
grpc_session.cc): it creates the session on the master with an empty graph and logs
`GrpcSession::ListDevices will initialize the session with an empty graph` on the
script's stderr; from another thread, it races the script's own first run, whose
session creation can then fail with "A session is alive"; against a server that is not
there (yet), it blocks. So the listing waits until the session has had a successful
run (the master session then exists and the server answered), and happens on a daemon
thread (`tfsess-devices`), never on the script's threads:

- the thread follows the trace the recorder writes (a `pread` of what was appended,
  every 0.05 s) for a `run` line of a watched session from this process;
- then it calls `list_devices()` once for that session and writes one `devices` line;
- it forgets a session that was closed or garbage-collected before any successful run
  (holding only a weak reference, so `del sess` still closes it at once), and ends
  when no session is left to watch; a new remote session starts it again;
- at exit (atexit) it makes one last pass at once, so a session still open then whose
  first run came less than a poll before gets its line too; the exit waits for that at
  most EXIT_WAIT_S (2 s).

A server that stopped answering after the first run is the remaining danger:
TensorFlow's `list_devices()` holds the GIL for its whole RPC (every thread of the
script stops) and has no deadline unless the session's config sets
`operation_timeout_in_ms`. So just before the call, `_probe` opens a connection to the
target and waits at most 1 s for the gRPC server's answer to an HTTP/2 handshake; no
answer, no call (the line says why). What is left is a server dying in the microseconds
between the two. Every failure is swallowed: at worst a `devices` line carries `error`
instead of devices, or there is none. Standard library only.
"""

from __future__ import annotations

import atexit
import os
import re
import socket
import threading
import weakref
from typing import Any

EVENT = "devices"
POLL_S = 0.05  # how often the thread looks at what the trace gained
EXIT_WAIT_S = 2.0  # at exit, how long a listing under way may hold the interpreter
_READ = 1 << 20  # bytes per pread
PROBE_S = 1.0  # how long the server may take to answer the handshake before a listing
_MAX_DEVICES = 256

_lock = threading.Lock()
_pending: dict[int, tuple[Any, str]] = {}  # session id -> (weak reference, target)
_thread: threading.Thread | None = None
_wake = threading.Event()  # set at exit: the thread makes its last pass at once
_done = threading.Event()  # set when the thread has ended
_exiting = False


def _reset_after_fork() -> None:
    # The thread does not exist in a forked child; its sessions' ids are the parent's.
    global _lock, _thread, _wake, _done
    _lock = threading.Lock()
    _wake = threading.Event()
    _done = threading.Event()
    _pending.clear()
    _thread = None


os.register_at_fork(after_in_child=_reset_after_fork)


@atexit.register
def _at_exit() -> None:
    """At exit, the thread makes one last pass at once (a script that ends soon after
    its first run on a session it never closed still gets that session's devices), and
    the interpreter waits for it at most EXIT_WAIT_S (a listing under way is a gRPC
    call: TensorFlow should not be torn down under it, and a server that stopped
    answering must not hold the exit for long)."""
    global _exiting
    with _lock:
        _exiting = True
        running = _thread is not None
    if running:
        try:
            _wake.set()
            _done.wait(EXIT_WAIT_S)
        except Exception:
            pass


def _target_of(sess: Any) -> str:
    target = getattr(sess, "_target", "")
    if isinstance(target, bytes):
        target = target.decode("utf-8", "replace")
    return target if isinstance(target, str) else ""


def watch(rec: Any, sess: Any, sid: int) -> None:
    """A session was created: list its devices after its first successful run, if its
    target is not the local one. Never raises, never blocks."""
    global _thread
    try:
        target = _target_of(sess)
        if not target:
            return
        path = getattr(getattr(rec, "writer", None), "path", None)
        if not isinstance(path, str):
            return
        ref = weakref.ref(sess)
        with _lock:
            _pending[sid] = (ref, target)
            if _thread is not None:
                return
            try:
                start = os.path.getsize(path)  # the session's runs can only come after this
            except OSError:
                _pending.pop(sid, None)
                return
            _done.clear()
            _thread = threading.Thread(target=_follow, args=(rec, path, start),
                                       name="tfsess-devices", daemon=True)
            try:
                _thread.start()
            except Exception:  # no more threads: do without
                _thread = None
                _pending.pop(sid, None)
    except Exception:
        pass


def _follow(rec: Any, path: str, offset: int) -> None:
    global _thread
    me = threading.current_thread()
    fd = -1
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        carry = b""
        pid_tail = b',"pid":%d' % os.getpid()
        while True:
            _wake.wait(POLL_S)
            last = _wake.is_set()  # the interpreter is exiting: one more pass, then end
            with _lock:
                if _thread is not me:
                    return  # forked, or replaced
                for sid, (ref, _target) in list(_pending.items()):
                    s = ref()
                    if s is None or getattr(s, "_closed", False) is True:
                        del _pending[sid]  # gone before a successful run
                    del s
                if not _pending:
                    _thread = None
                    return
                watched = dict(_pending)
            while True:
                data = os.pread(fd, _READ, offset)
                if not data:
                    break
                offset += len(data)
                end = data.rfind(b"\n")
                if end < 0:
                    carry = (carry + data)[-4096:]
                    continue
                lines, carry = carry + data[: end + 1], data[end + 1:][-4096:]
                for sid in _ran(lines, watched, pid_tail):
                    with _lock:
                        item = _pending.pop(sid, None)
                    watched.pop(sid, None)
                    if item is not None:
                        _list(rec, sid, item)
            if last:
                with _lock:
                    if _thread is me:
                        _thread = None
                return
    except Exception:
        with _lock:
            if _thread is me:
                _thread = None
                _pending.clear()
    finally:
        _done.set()
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass


# A session's first successful run interns its run shape (inspector/agent/runs.py): the
# `rshape` line is written before that run returns, as a `run` line was in version 1.
_SHAPE = re.compile(rb'^\{"ev":"rshape","pid":(\d+),"id":\d+,"s":(\d+),', re.M)


def _ran(lines: bytes, watched: dict[int, Any], pid_tail: bytes) -> list[int]:
    """The watched sessions with a successful run of this process in `lines`: a run
    shape of theirs, or a `run` line (a run with device-memory deltas)."""
    pid = int(pid_tail.rsplit(b":", 1)[1])
    out = [int(s) for p, s in _SHAPE.findall(lines) if int(p) == pid and int(s) in watched]
    for sid in watched:
        if sid in out:
            continue
        prefix = b'{"ev":"run","s":%d,' % sid
        pos = lines.find(prefix)
        while pos >= 0:
            nl = lines.find(b"\n", pos)
            line = lines[pos: nl if nl >= 0 else len(lines)]
            at = line.find(pid_tail)  # `"pid":N` then `}`, or `,` and optional fields (dmem)
            if at >= 0 and line[at + len(pid_tail): at + len(pid_tail) + 1] in (b"}", b","):
                out.append(sid)
                break
            pos = lines.find(prefix, pos + 1)
    return out


# HTTP/2's client preface and an empty SETTINGS frame: a live gRPC server answers with
# its own SETTINGS frame (type 4) at once.
_H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def _probe(target: str) -> str | None:
    """None when the target's gRPC server answers an HTTP/2 handshake within PROBE_S,
    else why not. TensorFlow's list_devices() holds the GIL for its whole RPC (the
    script's threads all stop) and has no deadline unless the session's config sets
    one: against a server that died after the session's first run, it would stop the
    script for good. This check leaves only a server that dies in the milliseconds
    between it and the call."""
    scheme, sep, rest = target.partition("://")
    if not sep or scheme != "grpc":
        return f"not listed: a target other than grpc://host:port ({target})"
    host, _, port = rest.split("/", 1)[0].rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        return f"not listed: no host:port in {target}"
    try:
        with socket.create_connection((host, int(port)), timeout=PROBE_S) as conn:
            conn.settimeout(PROBE_S)
            conn.sendall(_H2_PREFACE)
            head = b""
            while len(head) < 9:
                chunk = conn.recv(9 - len(head))
                if not chunk:
                    return f"not listed: {host}:{port} closed the connection"
                head += chunk
    except OSError as exc:
        return f"not listed: {host}:{port} did not answer ({exc.strerror or type(exc).__name__})"
    if head[3] != 4:
        return f"not listed: {host}:{port} does not speak gRPC"
    return None


def _list(rec: Any, sid: int, item: tuple[Any, str]) -> None:
    ref, target = item
    sess = ref()
    if sess is None or getattr(sess, "_closed", False) is True:
        return  # closed since its run: listing it now would open it again on the master
    fields: dict[str, Any] = {"s": sid, "ts": 0, "target": target, "devices": []}
    try:
        fields["ts"] = rec.now()
        why_not = _probe(target)
        if why_not:  # not asked: TensorFlow's call would hold the GIL until it gave up
            fields["error"] = why_not
            del sess
            rec.emit_event(EVENT, **fields)
            return
        found = sess.list_devices()
        rows = []
        for d in list(found)[:_MAX_DEVICES]:
            limit = getattr(d, "memory_limit_bytes", None)
            rows.append([str(getattr(d, "name", "?")), str(getattr(d, "device_type", "?")),
                         int(limit) if isinstance(limit, int) else None])
        fields["devices"] = rows
    except BaseException as exc:  # an RPC error, a session closed meanwhile: say so
        try:
            fields["error"] = f"{type(exc).__name__}: {exc}"[:500]
        except Exception:
            fields["error"] = type(exc).__name__
    finally:
        del sess
    try:
        rec.emit_event(EVENT, **fields)
    except Exception:
        pass
