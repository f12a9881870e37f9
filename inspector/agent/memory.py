"""Device memory: a sampler thread in the script's process (issue 5).

From the moment TensorFlow is imported, every `interval` seconds (default 0.1; 0 turns
the thread off) the sampler reads

- the process's resident memory, device ``CPU:0``, source ``rss``: `/proc/self/statm`
  (one `pread` on a descriptor kept open) and the peak from `getrusage` (ru_maxrss);
- TensorFlow's allocator figures, source ``allocator``: `get_memory_info('CPU:0')`
  (the oneDNN allocator keeps them; without it the call raises and CPU:0 stays rss
  only) and `get_memory_info('GPU:N')` for every logical GPU.

and writes one ``mem`` line per device and source whose figures changed since its
previous line (docs/trace-format.md). Session creation and close take one reading of
every source too, written whether it changed or not and tagged with the session.

TensorFlow's figures are read only once the script itself has initialised TensorFlow's
eager context (`context_safe()` exists, its `_context_handle` is set and `_initialized`
is true, which `ensure_initialized` sets last, after listing the logical devices): calling `get_memory_info`
earlier would initialise it, and a later `tf.config.set_logical_device_configuration`
in the script would then fail ("Virtual devices cannot be modified after being
initialized"). A graph-mode session does not initialise the eager context (checked on
TF 2.21: the script may still configure virtual devices after its first session), so a
script that never touches eager TensorFlow gets ``rss`` only. The figures are read
through the public `tf.config.list_logical_devices` and
`tf.config.experimental.get_memory_info`, the same path for a real GPU and for the
stand-in the tests install.

Per run, only GPUs are read (`run_devices`, `read_run`): once the sampler knows the
script's GPUs, the run wrapper reads `get_memory_info('GPU:N')['current']` before and
after each run and writes the difference into the run's line (`dmem`). A GPU step costs
far more than the ~2.5 µs of each reading, and this is what GPU users ask of a run. Not
on the CPU: the cheapest reading there (a `pread` of statm, or the oneDNN allocator's
figures) costs ~1.3-2.5 µs, as much as a trivial CPU run's whole recording may.

Never changes what the script does: every failure is swallowed, the thread is a daemon
(named ``tfsess-memory``) stopped at exit before TensorFlow's own exit handlers, and a
forked child is not sampled (its `/proc/self` and TensorFlow's runtime are not the
parent's).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Any

DEFAULT_INTERVAL = 0.1
THREAD_NAME = "tfsess-memory"

try:
    import resource as _resource
except ImportError:  # not on every platform
    _resource = None

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

sampler: MemorySampler | None = None
# GPUs read around every run (see the module's docstring), and the function reading them.
run_devices: tuple[str, ...] = ()
_run_get_info: Any = None


def read_run(devices: tuple[str, ...]) -> list[int] | None:
    """Bytes in use on each of `devices` now; None if a reading failed."""
    try:
        get = _run_get_info
        return [int(get(d)["current"]) for d in devices]
    except Exception:
        return None


def run_delta(devices: tuple[str, ...], before: list[int] | None) -> bytes:
    """The `dmem` field of a run's line: `,"dmem":{"GPU:0":N,...}` (N: bytes in use after
    the run minus before), or b"" when there is nothing to say."""
    if before is None:
        return b""
    after = read_run(devices)
    if after is None:
        return b""
    return b',"dmem":{%s}' % b",".join(
        b'"%s":%d' % (d.encode(), a - b) for d, a, b in zip(devices, after, before, strict=False))


def _tf_ready() -> Any:
    """TensorFlow's public module once the script has imported it completely and
    initialised its eager context itself; else None. Never initialises anything."""
    ctx_mod = sys.modules.get("tensorflow.python.eager.context")
    if ctx_mod is None:
        return None
    get = getattr(ctx_mod, "context_safe", None)
    ctx = get() if get is not None else getattr(ctx_mod, "_context", None)
    if ctx is None or getattr(ctx, "_context_handle", None) is None:
        return None
    # ensure_initialized() sets the handle before it lists the logical devices and sets
    # _initialized last: until then, listing them from here would find none.
    if getattr(ctx, "_initialized", True) is not True:
        return None
    tf = sys.modules.get("tensorflow")
    if tf is None or getattr(getattr(tf, "__spec__", None), "_initializing", False):
        return None
    return tf


class MemorySampler:
    def __init__(self, rec: Any, interval: float = DEFAULT_INTERVAL) -> None:
        self.rec = rec
        self.interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: dict[tuple[str, str], tuple[int, int]] = {}
        self._fd = -1
        self._off = False
        # TensorFlow's side, set once its eager context is up.
        self._tf_devices: list[str] | None = None
        self._tf_failed: set[str] = set()
        try:
            self._fd = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self._fd = -1
        os.register_at_fork(after_in_child=self._after_fork_child)

    # -- control ---------------------------------------------------------------
    def start(self) -> None:
        """Start the thread (once; not with interval 0, not after stop or in a child)."""
        if self.interval <= 0 or self._thread is not None or self._off:
            return
        atexit.register(self.stop)
        t = threading.Thread(target=self._loop, name=THREAD_NAME, daemon=True)
        self._thread = t
        t.start()

    def stop(self) -> None:
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=1.0)
        self._off = True

    def _after_fork_child(self) -> None:
        self._off = True
        self._thread = None
        self._lock = threading.Lock()
        if self._fd >= 0:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = -1

    def _loop(self) -> None:
        wait = self._stop.wait
        while not wait(self.interval):
            try:
                self.sample()
            except BaseException:
                pass

    # -- readings --------------------------------------------------------------
    def _rss(self) -> tuple[int, int] | None:
        if self._fd < 0:
            return None
        data = os.pread(self._fd, 128, 0)
        cur = int(data.split(None, 2)[1]) * _PAGE
        peak = -1
        if _resource is not None:
            peak = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        return cur, max(peak, cur) if peak >= 0 else -1

    def _tf_readings(self) -> list[tuple[str, int, int]]:
        tf = _tf_ready()
        if tf is None:
            return []
        config = tf.config
        if self._tf_devices is None:
            devices = ["CPU:0"]
            for d in config.list_logical_devices("GPU"):  # raises: try again next time
                name = str(d.name)
                name = name[len("/device:"):] if name.startswith("/device:") else name
                if name.isprintable() and '"' not in name and "\\" not in name:
                    devices.append(name)
            if self._tf_devices is None:
                self._tf_devices = devices
                _set_run_devices(tuple(d for d in devices if d.startswith("GPU:")),
                                 config.experimental.get_memory_info)
                # Now that TensorFlow is in use, stop before its own exit handlers run.
                atexit.unregister(self.stop)
                atexit.register(self.stop)
        get_info = config.experimental.get_memory_info
        out = []
        for dev in self._tf_devices:
            if dev in self._tf_failed:
                continue
            try:
                info = get_info(dev)
                cur = int(info["current"])
                peak = info.get("peak")
                out.append((dev, cur, int(peak) if peak is not None else -1))
            except Exception:
                # e.g. CPU:0 with TF_ENABLE_ONEDNN_OPTS=0: "Allocator stats not available"
                self._tf_failed.add(dev)
        return out

    def sample(self, session: int = 0, at: str = "") -> None:
        """Read every source; write the lines whose figures changed (all of them when
        tagged with a session)."""
        if self._off:
            return
        rec = self.rec
        readings: list[tuple[str, str, int, int]] = []
        try:
            rss = self._rss()
            if rss is not None:
                readings.append(("CPU:0", "rss", rss[0], rss[1]))
        except Exception:
            pass
        try:
            for dev, cur, peak in self._tf_readings():
                readings.append((dev, "allocator", cur, peak))
        except Exception:
            pass
        if not readings:
            return
        tail = ',"s":%d,"at":"%s"}\n' % (session, at) if session else "}\n"
        with self._lock:
            ts = rec.now()  # under the lock: the lines of both threads stay in time order
            last = self._last
            for dev, src, cur, peak in readings:
                key = (dev, src)
                if not session and last.get(key) == (cur, peak):
                    continue
                last[key] = (cur, peak)
                rec.writer.write(
                    '{"ev":"mem","pid":%d,"ts":%d,"dev":"%s","src":"%s","cur":%d,"peak":%s%s'
                    % (rec.pid, ts, dev, src, cur, peak if peak >= 0 else "null", tail)
                )


def _set_run_devices(devices: tuple[str, ...], get_info: Any) -> None:
    global run_devices, _run_get_info
    _run_get_info = get_info
    run_devices = devices


def install(rec: Any, interval: float = DEFAULT_INTERVAL) -> MemorySampler | None:
    """Set up sampling for this process (the thread starts with TensorFlow); never raises."""
    global sampler
    try:
        sampler = MemorySampler(rec, interval)
    except Exception:
        return None
    return sampler


def on_tensorflow() -> None:
    """TensorFlow is being imported: start the thread. Not earlier, so that a script
    that never imports TensorFlow runs with no thread of ours (Python 3.12+ warns about
    fork() in a process with threads)."""
    s = sampler
    if s is not None:
        try:
            s.start()
        except Exception:
            pass


def sample_at(session: int, at: str) -> None:
    """One tagged reading of every source (session creation `sess`, close `close`)."""
    s = sampler
    if s is not None:
        try:
            s.sample(session, at)
        except Exception:
            pass
