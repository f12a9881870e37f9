"""The recorder in a Jupyter or IPython kernel: `%load_ext inspector.notebook`.

Loading the extension starts the agent's recorder in the kernel's own process (as the
pytest plugin does in pytest's): TensorFlow modules already imported are patched on the
spot, later imports as they happen, and sessions made before are adopted when first
used (their creation event says `known: false`). Then, for every cell:

- when IPython names the cell's code (`compile.cache`, the one place that knows both the
  execution count and the file name the code is compiled under), a `cell` start event
  and the cell's source (a `src` event under that name): call sites in the cell then
  read `cell [7], line 3` in every view;
- after the cell, a `cell` end event (did it raise), then the trace is read back and the
  findings about this cell's own events are shown under it (text/plain for terminal
  IPython, a compact HTML block for Jupyter). Nothing for a clean cell.

`%tfsess` says where the trace goes and what it holds so far; `%tfsess off` stops
recording (the patches pass every call through), `%tfsess on` resumes into the same trace.

Where the trace goes: `$TFSESS_INSPECT_TRACE` if set, else
`./tfsess-notebook-<pid>.jsonl`. Under `tfsess-inspect run NOTEBOOK.ipynb` the kernel
instead appends to the trace of the runner that started it (`TFSESS_INSPECT_NOTEBOOK`,
set by inspector/integrations/notebook/runner.py).
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from typing import Any

from inspector.agent import children, importhook
from inspector.agent import memory as memory_mod
from inspector.agent import recorder as recorder_mod
from inspector.agent.job import TRACE_ENV
from inspector.agent.tracebacks import clean_chain
from inspector.analysis import find_all
from inspector.analysis.model import Finding
from inspector.analysis.state import StateBuilder
from inspector.integrations.notebook import display as nb_display
from inspector.trace import format as fmt
from inspector.trace.reader import TraceTail

# Set by the notebook runner for the kernel it starts: JSON {"trace", "t0", "notebook"}.
ATTACH_ENV = "TFSESS_INSPECT_NOTEBOOK"

# The kernel's own machinery: never a call site, and their sources stay out of the trace.
_KERNEL_MODULES = ("IPython", "ipykernel", "ipykernel_launcher", "traitlets", "tornado", "zmq",
                   "jupyter_client", "jupyter_core", "comm", "debugpy", "asyncio", "concurrent",
                   "runpy", "threading", "selectors", "contextlib", "nest_asyncio", "prompt_toolkit",
                   "matplotlib_inline")

CELL = "cell"  # trace event types this extension writes (docs/trace-format.md)
NOTEBOOK = "notebook"
RECORDING = "recording"


def _notebook_name(shell: Any) -> str | None:
    """The notebook's path when the front-end tells the kernel (Jupyter Server sets
    `__session__`, VS Code `__vsc_ipynb_file__`)."""
    ns = getattr(shell, "user_ns", {}) or {}
    for key in ("__vsc_ipynb_file__", "__session__"):
        value = ns.get(key)
        if isinstance(value, str) and value.endswith(".ipynb"):
            return value
    return None


def _library_prefixes() -> list[str]:
    """The kernel's modules, and every file on the stack that loads us (the kernel's
    launcher runs as `__main__`: no module name finds it). A cell's code is no file on
    disk, so it is never among them."""
    prefixes = []
    f = sys._getframe(1)
    while f is not None:
        file = f.f_code.co_filename
        if os.path.isfile(file) and not file.startswith(recorder_mod._INSPECTOR_DIR + os.sep):
            prefixes.append(os.path.abspath(file))
        f = f.f_back
    for name in _KERNEL_MODULES:
        mod = sys.modules.get(name)
        file = getattr(mod, "__file__", None) if mod is not None else None
        if not file:
            continue
        file = os.path.abspath(file)
        if os.path.basename(file) == "__init__.py":
            prefixes.append(os.path.dirname(file) + os.sep)
        else:
            prefixes.append(file)
    return prefixes


class NotebookRecorder:
    """The extension's state in one kernel."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.attached = False
        attach = os.environ.get(ATTACH_ENV)
        existing = recorder_mod.get()
        if existing is not None:
            # The kernel records already (as a job, TFSESS_INSPECT_TRACE, or as a child of
            # a recorded script): cells go into that trace, whose end is its writer's.
            self.rec, self.path, self.attached = existing, existing.writer.path, True
            name = _notebook_name(shell)
            if name:
                self.rec.emit_event(NOTEBOOK, ts=self.rec.now(), path=os.path.abspath(name))
        elif attach:
            config = json.loads(attach)
            self.path = config["trace"]
            self.rec = recorder_mod.start(self.path, int(config["t0"]), header=None,
                                          run_file=False)
            self.attached = True
            if config.get("notebook"):
                self.rec.emit_event(NOTEBOOK, ts=self.rec.now(), path=config["notebook"])
        else:
            self.path = os.path.abspath(os.environ.get(TRACE_ENV)
                                        or f"tfsess-notebook-{os.getpid()}.jsonl")
            open(self.path, "w").close()
            name = _notebook_name(shell)
            self.rec = recorder_mod.start(self.path, header={
                "script": name or "notebook", "module": False, "argv": list(sys.argv),
                "notebook": True})
        self.rec.add_library(_library_prefixes())
        if existing is None:
            memory_mod.install(self.rec, memory_mod.DEFAULT_INTERVAL)
            children.propagate(self.path, self.rec.t0, memory_mod.DEFAULT_INTERVAL, False)
        importhook.install()
        if "tensorflow" in sys.modules:
            memory_mod.on_tensorflow()
        self.on = True
        self.ended = False
        self.tail = TraceTail(self.path)
        self.builder: StateBuilder | None = None
        self.shown: set[tuple] = set()
        self._cell_id: str | None = None
        self._armed = False
        self._started: int | None = None  # the execution count of the cell running now
        self._compile = shell.compile
        self._original_cache = shell.compile.cache
        self._original_showtraceback = shell.showtraceback
        self.hooked = False
        self.hook()
        atexit.register(self.end)

    def hook(self) -> None:
        """Into the shell: its compiler's naming of cells, its cell events, its tracebacks
        (once, however many times the extension is loaded, under either of its names)."""
        if self.hooked:
            return
        self.hooked = True
        self.shell.compile.cache = self._cache
        self.shell.showtraceback = self._showtraceback
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)

    # -- cells ---------------------------------------------------------------------
    def pre_run_cell(self, info: Any) -> None:
        # Only cells that reach pre_run_cell are the user's: a silent execution (a
        # front-end's own request, the runner loading us) is compiled too, but not counted.
        cid = getattr(info, "cell_id", None)
        self._cell_id = cid if isinstance(cid, str) else None
        self._armed = True

    def _cache(self, transformed_code: str, number: int = 0, raw_code: str | None = None) -> str:
        name = self._original_cache(transformed_code, number, raw_code)
        armed, self._armed = self._armed, False
        if self.on and armed:
            self._started = number
            try:
                rec = self.rec
                rec.embed_text(name, raw_code if raw_code is not None else transformed_code)
                rec.emit_event(CELL, ts=rec.now(), phase="start", n=number, file=name,
                               id=self._cell_id)
            except Exception:
                pass
        self._cell_id = None
        return name

    def _showtraceback(self, exc_tuple: Any = None, *args: Any, **kwargs: Any) -> Any:
        """A cell's traceback as it would be without the recorder: without our frames."""
        try:
            etype, value, tb = self.shell._get_exc_info(exc_tuple)
            if value is not None:
                clean_chain(value, set())
                exc_tuple = (etype, value, value.__traceback__)
        except Exception:
            pass
        return self._original_showtraceback(exc_tuple, *args, **kwargs)

    def post_run_cell(self, result: Any) -> None:
        if not self.on:
            return
        n = getattr(result, "execution_count", None)
        if n != self._started:
            return  # no start recorded (the cell that loaded us, a cell IPython refused)
        self._started = None
        error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
        try:
            self.rec.emit_event(CELL, ts=self.rec.now(), phase="end", n=n, ok=error is None,
                                error=None if error is None else _describe(error))
        except Exception:
            pass
        try:
            findings = self.new_findings(n)
        except Exception:
            return  # the inline view must never break a cell
        if findings:
            self.show(findings)

    # -- reading the trace back ----------------------------------------------------
    def read(self) -> StateBuilder | None:
        while True:
            chunk = self.tail.read_new()
            if not chunk:
                break
            if self.builder is None and self.tail.header is not None:
                self.builder = StateBuilder(dict(self.tail.header))
            if self.builder is not None:
                self.builder.feed_all(chunk)
        return self.builder

    def new_findings(self, n: int | None) -> list[Finding]:
        """Findings about events of the cell executed as `n` not shown before."""
        builder = self.read()
        if builder is None:
            return []
        state = builder.state
        start = None
        for cell in reversed(state.cells):
            if cell.n == n:
                start = cell.index
                break
        if start is None:
            return []
        new = []
        for f in find_all(state):
            if f.event is None or f.event < start or f.kind == "session-leak":
                continue
            key = (f.kind, f.event)
            if key in self.shown:
                continue
            self.shown.add(key)
            new.append(f)
        return new

    def show(self, findings: list[Finding]) -> None:
        from IPython.display import display

        state = self.builder.state
        display({"text/plain": nb_display.as_text(state, findings),
                 "text/html": nb_display.as_html(state, findings)}, raw=True)

    # -- %tfsess ---------------------------------------------------------------------
    def status(self) -> str:
        builder = self.read()
        state = builder.state if builder is not None else None
        where = "recording" if self.on else "not recording (%tfsess on resumes)"
        text = f"tfsess-inspect: {where} · trace {self.path}"
        if state is not None:
            findings = find_all(state)
            text += (f"\n  sessions {len(state.user_sessions())} · runs {len(state.runs)} · "
                     f"cells {len(state.cells)} · findings {len(findings)}")
        if not self.attached:
            text += f"\n  follow it: tfsess-inspect follow {self.path}"
        return text

    def set_on(self, on: bool) -> None:
        if on == self.on or self.ended:
            return
        if on:
            recorder_mod.resume(self.rec)
            self.on = True
            self.rec.emit_event(RECORDING, ts=self.rec.now(), on=True)
            memory_mod.install(self.rec, memory_mod.DEFAULT_INTERVAL)  # a new sampler thread
            if "tensorflow" in sys.modules:
                memory_mod.on_tensorflow()
        else:
            self.rec.emit_event(RECORDING, ts=self.rec.now(), on=False)
            recorder_mod.pause()
            sampler = memory_mod.sampler
            if sampler is not None:
                sampler.stop()  # (its thread writes memory readings of its own)
            self.on = False

    def end(self) -> None:
        """The kernel is going away: a standalone trace gets its end (the runner writes
        its own trace's end)."""
        if self.ended:
            return
        self.ended = True
        if not self.attached:
            now = self.rec.now()
            self.rec.emit_event(fmt.SCRIPT_END, ts=now, how="return", code=0)
            self.rec.emit_event(fmt.END, ts=now, code=0, signal=None)

    def unload(self) -> None:
        self.set_on(False)
        self.hooked = False
        try:
            self.shell.events.unregister("pre_run_cell", self.pre_run_cell)
            self.shell.events.unregister("post_run_cell", self.post_run_cell)
        except ValueError:
            pass
        if self._compile.cache == self._cache:
            self._compile.cache = self._original_cache
        if self.shell.showtraceback == self._showtraceback:
            self.shell.showtraceback = self._original_showtraceback


def _describe(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:
        text = "<unprintable exception>"
    return f"{type(error).__name__}: {text}"[:4000]


_active: NotebookRecorder | None = None


def tfsess_magic(line: str) -> None:
    """%tfsess: where the trace goes and what it holds; %tfsess off / on."""
    word = line.strip().lower()
    if _active is None:
        print("tfsess-inspect: not loaded: %load_ext inspector.notebook")
        return
    if word in ("off", "stop"):
        _active.set_on(False)
        print(f"tfsess-inspect: recording stopped (trace {_active.path}; %tfsess on resumes)")
    elif word in ("on", "start"):
        _active.set_on(True)
        print(f"tfsess-inspect: recording into {_active.path}")
    elif word in ("", "status"):
        print(_active.status())
    else:
        print("usage: %tfsess [status|off|on]")


def load_ipython_extension(shell: Any) -> None:
    global _active
    if _active is not None and _active.shell is shell:
        _active.hook()
        _active.set_on(True)
    else:
        _active = NotebookRecorder(shell)
    shell.register_magic_function(tfsess_magic, magic_kind="line", magic_name="tfsess")


def unload_ipython_extension(shell: Any) -> None:
    if _active is not None and _active.shell is shell:
        _active.unload()
