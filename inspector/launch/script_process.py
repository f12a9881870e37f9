"""Start the user's script in a child interpreter under the agent, and tee its output.

The child is ``python inspector/agent/_launch.py TRACE T0 [--memory-interval=S]
[--step-stats] [-m] TARGET ARGS``: the launcher makes the agent importable without
touching the script's sys.path, then hands over to `inspector.agent.bootstrap`. This process appends the script's output to the same
trace (``out`` events) and, when the script ends, its exit status (``end``); the same
output, byte for byte as it came, also goes to ``TRACE.out`` next to the trace.
"""

from __future__ import annotations

import codecs
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from inspector.launch.target import LaunchError, output_path
from inspector.trace import format as fmt
from inspector.trace.writer import TraceWriter

_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The script's process starts in this file (not `python -c`: see its docstring).
_LAUNCHER = os.path.join(_PACKAGE_PARENT, "inspector", "agent", "_launch.py")


@dataclass
class ScriptProcess:
    target: str
    args: list[str]
    trace_path: str
    as_module: bool = False
    python: str = sys.executable
    passthrough: bool = True  # --no-tui: inherit stdin, echo output to our own stdout/stderr
    memory_interval: float | None = None  # seconds between memory samples; None: the agent's default
    step_stats: bool = False  # FULL_TRACE step statistics for every sess.run
    popen: subprocess.Popen | None = None
    t0: int = 0
    _writer: TraceWriter | None = None
    _threads: list[threading.Thread] = field(default_factory=list)
    _held: list[str] = field(default_factory=list)
    _out_fd: int | None = None  # TRACE.out: the raw output, stdout and stderr as they came
    _header_seen: bool = False
    _closed: bool = False  # the trace and TRACE.out are closed (the script ended)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        try:
            fd = os.open(self.trace_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.close(fd)
        except OSError as exc:
            raise LaunchError(f"cannot write the trace {self.trace_path}: {exc.strerror}") from None
        self._writer = TraceWriter(self.trace_path)
        if os.path.isfile(self.trace_path):  # not for a trace sent to a device or a pipe
            try:
                self._out_fd = os.open(output_path(self.trace_path),
                                       os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | os.O_CLOEXEC, 0o644)
            except OSError:
                self._out_fd = None  # the trace still has every `out` event
        self.t0 = time.monotonic_ns()
        cmd = [self.python, _LAUNCHER, self.trace_path, str(self.t0)]
        if self.memory_interval is not None:
            cmd.append(f"--memory-interval={self.memory_interval!r}")
        if self.step_stats:
            cmd.append("--step-stats")
        if self.as_module:
            cmd.append("-m")
        cmd += [self.target, *self.args]
        if self._one_terminal():
            # stdout and stderr are the same terminal: one pseudo-terminal for both keeps
            # their order (say, a prompt on stderr after a line on stdout) as the user
            # sees it without us; the trace then records both as fd 1.
            read_fd, child_end = self._make_stream(1)
            child_out = child_err = child_end
            tees, child_ends = [(1, read_fd)], [child_end]
        else:
            (r1, child_out), (r2, child_err) = self._make_stream(1), self._make_stream(2)
            tees, child_ends = [(1, r1), (2, r2)], [child_out, child_err]
        try:
            self.popen = subprocess.Popen(
                cmd,
                stdin=None if self.passthrough else subprocess.DEVNULL,
                stdout=child_out,
                stderr=child_err,
                close_fds=True,
            )
        except OSError as exc:
            raise LaunchError(f"cannot start {self.python}: {exc.strerror}") from None
        for child_end in child_ends:
            os.close(child_end)
        t = threading.Thread(target=self._tee, args=(tees,), daemon=True, name="tee")
        t.start()
        self._threads.append(t)

    def _one_terminal(self) -> bool:
        if not (self.passthrough and os.isatty(1) and os.isatty(2)):
            return False
        return os.path.samestat(os.fstat(1), os.fstat(2))

    def _make_stream(self, fd_no: int) -> tuple[int, int]:
        """A pty when we echo to a terminal (the script then sees a terminal, as it
        would without us), a pipe otherwise."""
        if self.passthrough and os.isatty(fd_no):
            import fcntl
            import pty
            import termios

            master, slave = pty.openpty()
            attrs = termios.tcgetattr(slave)
            attrs[1] &= ~termios.OPOST  # pass bytes through unchanged; our terminal translates
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            try:
                size = fcntl.ioctl(fd_no, termios.TIOCGWINSZ, b"\0" * 8)
                fcntl.ioctl(slave, termios.TIOCSWINSZ, size)
            except OSError:
                pass
            return master, slave
        r, w = os.pipe()
        return r, w

    # The order of the script's output. Its stdout and stderr are two pipes (or ptys), and
    # two pipes carry no order between them: only the reader can give one. Reading each in
    # its own thread (as this did) let the order depend on which thread got the GIL
    # first: on a loaded machine (the live view's app shares this process) a stdout line
    # written before a traceback was read, stamped and kept after it. So one thread reads
    # both: it waits until either has data, then takes what each holds *at that moment*,
    # stdout before stderr. What the script wrote to one stream before it wrote to the
    # other is then never recorded after it, however late we wake up: the second write
    # happened after the first was in its pipe, so any wake-up that sees the second sees
    # the first. The one order no reader can recover is between writes to the two
    # streams made while we slept: those are kept stdout first. That is right for the
    # common case (print(), then an error: Python flushes stdout before it prints a
    # traceback) and wrong only for a stderr write followed by a stdout write within one
    # wake-up of ours (microseconds, unless this process is starved).
    #
    # The other half is in the script's process: a pipe makes Python block-buffer its
    # stdout, so a print() would reach the pipe only after a later traceback. The agent
    # flushes stdout before each write to sys.stderr (inspector/agent/output_order.py);
    # the script's stdout stays a block-buffered pipe, its environment untouched (not
    # PYTHONUNBUFFERED, not a pty: the script could tell, and its children would inherit).
    _READ_SIZE = 65536
    _DRAIN_LIMIT = 1 << 20  # per stream and wake-up: a flood on one cannot starve the other

    def _tee(self, streams: list[tuple[int, int]]) -> None:
        """Read the child's output streams ((fd number, our read end), stdout first) until
        each ends: echo, TRACE.out and `out` events, in one order (see above)."""
        decoders = {fd_no: codecs.getincrementaldecoder("utf-8")("replace") for fd_no, _ in streams}
        selector = selectors.DefaultSelector()
        for fd_no, read_fd in streams:
            os.set_blocking(read_fd, False)  # our end only: the child's end is its own file
            selector.register(read_fd, selectors.EVENT_READ, fd_no)
        try:
            while selector.get_map():
                ready = sorted(key.data for key, _ in selector.select())
                for fd_no in ready:
                    read_fd = next(r for f, r in streams if f == fd_no)
                    if not self._drain(fd_no, read_fd, decoders[fd_no]):
                        selector.unregister(read_fd)
                        os.close(read_fd)
        finally:
            selector.close()

    def _drain(self, fd_no: int, read_fd: int, decoder: codecs.IncrementalDecoder) -> bool:
        """Take what the stream holds now (up to _DRAIN_LIMIT); False once it has ended."""
        taken = 0
        while taken < self._DRAIN_LIMIT:
            try:
                data = os.read(read_fd, self._READ_SIZE)
            except BlockingIOError:
                return True
            except OSError:  # a pty's master reads EIO once the child is gone
                data = b""
            if not data:
                return False
            taken += len(data)
            self._take(fd_no, data, decoder)
        return True

    def _take(self, fd_no: int, data: bytes, decoder: codecs.IncrementalDecoder) -> None:
        ts = time.monotonic_ns() - self.t0
        if self.passthrough:
            try:
                os.write(fd_no, data)
            except OSError:
                pass
        self._write_out(data)
        text = decoder.decode(data)
        if text:
            self._append(fmt.OUTPUT, {"fd": fd_no, "ts": ts, "text": text})

    def _write_out(self, data: bytes) -> None:
        """Append a chunk to TRACE.out (under the lock: the two tees' chunks stay whole,
        and `wait` cannot close the file under a late write); on an error (a full disk)
        stop writing it, the trace goes on."""
        with self._lock:
            fd = self._out_fd
            if fd is None:
                return
            try:
                while data:
                    n = os.write(fd, data)
                    if n == 0:
                        raise OSError("no progress writing TRACE.out")
                    data = data[n:]
            except OSError:
                self._out_fd = None
                try:
                    os.close(fd)
                except OSError:
                    pass

    def _append(self, ev: str, fields: dict) -> None:
        pid = self.popen.pid if self.popen else 0
        line = '{"ev":"%s","pid":%d,%s\n' % (ev, pid, json.dumps(fields, ensure_ascii=False, separators=(",", ":"))[1:])
        with self._lock:
            if self._closed:  # output of a grandchild after the end: its descriptor is gone
                return
            if not self._header_seen:
                if os.fstat(self._writer.fd).st_size == 0:
                    self._held.append(line)
                    return
                self._header_seen = True
                for held in self._held:
                    self._writer.write(held)
                self._held.clear()
            self._writer.write(line)

    def send_signal(self, sig: int) -> None:
        if self.popen and self.popen.poll() is None:
            try:
                self.popen.send_signal(sig)
            except OSError:
                pass

    def wait(self) -> int:
        """Wait for the script; return its exit status as a shell reports it."""
        assert self.popen is not None
        rc = self.popen.wait()
        for t in self._threads:
            # A grandchild may keep the output open: do not wait for it forever.
            t.join(timeout=2.0)
        with self._lock:
            if not self._header_seen:
                self._write_fallback_header()
        sig = -rc if rc < 0 else None
        code = 128 + sig if sig else rc
        self._append(fmt.END, {"ts": time.monotonic_ns() - self.t0, "code": code, "signal": sig})
        # Closed under the lock, and nothing written after: a tee thread still reading a
        # grandchild's output must not write to a descriptor number reused by then.
        with self._lock:
            self._closed = True
            self._writer.close()
            fd, self._out_fd = self._out_fd, None
            if fd is not None:
                os.close(fd)
        return code

    def _write_fallback_header(self) -> None:
        """The child died before its agent wrote the header: write one ourselves."""
        if os.fstat(self._writer.fd).st_size == 0:
            head = {
                "ev": fmt.HEADER, "format": fmt.FORMAT_NAME, "version": fmt.FORMAT_VERSION,
                "pid": self.popen.pid if self.popen else 0, "ppid": os.getpid(),
                "python": None, "executable": self.python, "cwd": os.getcwd(),
                "start_wall": time.time(), "t0_mono_ns": self.t0, "tensorflow": None,
                "script": self.target, "module": self.as_module, "argv": [self.target, *self.args],
            }
            self._writer.write(json.dumps(head, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._header_seen = True
        for held in self._held:
            self._writer.write(held)
        self._held.clear()


def run_passthrough(proc: ScriptProcess) -> int:
    """Run with the terminal. The child is started first, so it inherits our signal
    dispositions as they were (a SIGINT ignored here would stay ignored in it, as
    without us; one we are about to ignore must not be). Then: SIGINT reaches the
    script from the terminal itself, so we ignore ours; SIGTERM, SIGHUP and SIGQUIT sent
    to us are passed on, unless they were ignored to begin with (nohup)."""
    proc.start()
    previous = {}
    forward = lambda signum, frame: proc.send_signal(signum)  # noqa: E731
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        if signal.getsignal(sig) is not signal.SIG_IGN:
            previous[sig] = signal.signal(sig, forward)
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
