"""pytest plugin: TensorFlow session checks during a test run (`pytest --tfsess`).

Registered through the `pytest11` entry point, so pytest loads this module in every
run; it does nothing (imports no agent, patches nothing, writes nothing) unless
`--tfsess` or `--tfsess-trace DIR` is given. Then, in pytest's own process:

- at `pytest_configure` the agent's recorder starts writing one trace for the whole
  run and the import hook is installed (TensorFlow modules already imported, say by a
  conftest, are patched on the spot);
- the plugin follows that trace as it grows (the recorder hands every line to the OS
  before the call it records returns) and splits it at test boundaries: the events
  read between a test's start and the end of its teardown are that test's. Each test
  is analysed by `inspector.analysis` on a state made of the definitions and session
  lifecycle events that came before it (call sites, fetch summaries, sessions created
  and closed earlier: needed to know a session at all) plus its own events; only
  findings about its own events count;
- a finding of severity error fails the phase (setup, call, teardown) in which it
  happened, with its message and `file:line`, also when the test swallowed the
  exception; sessions a test leaves open are reported as a warning at its end (and in
  the terminal summary), not a failure;
- with `--tfsess-trace DIR` each test's trace (the same context plus its own events,
  then its end) is written to `DIR/<test id>.jsonl`, for `tfsess-inspect replay` or
  `report`; the whole run's trace is kept as `DIR/all-tests.jsonl`.

See docs/pytest-plugin.md.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any

import pytest

from inspector.integrations.pytest_plugin.forked_children import (
    findings_in,
    forked_pids,
    remove_child_traces,
)
from inspector.integrations.pytest_plugin.traces_per_test import (
    CONTEXT_EVENTS,
    test_context,
    trace_file_name,
    write_test_trace,
)
from inspector.integrations.pytest_plugin.words import failure_text, rel, where

ALL_TESTS_TRACE = "all-tests.jsonl"
TEST_EVENT = "test"  # the boundary marker this plugin writes into the run's trace

class TfsessLeakWarning(UserWarning):
    """A test left a TensorFlow session open (recorded by `pytest --tfsess`)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tfsess", "TensorFlow session checks (tfsess-inspect)")
    group.addoption(
        "--tfsess", action="store_true", default=False,
        help="record TensorFlow sessions during the run: a test in which a session error "
             "happened (a run after close, ...) fails, even if it caught the exception; "
             "sessions a test leaves open are reported as warnings",
    )
    group.addoption(
        "--tfsess-trace", metavar="DIR", default=None,
        help="keep a trace per test in DIR (DIR/<test id>.jsonl, for `tfsess-inspect replay`); "
             "implies --tfsess",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not (config.getoption("tfsess") or config.getoption("tfsess_trace")):
        return
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: not supported yet
        return
    config.pluginmanager.register(TfsessRecorder(config), "tfsess-recorder")


@dataclass
class _Test:
    nodeid: str
    location: tuple[str, int]
    events: list[dict[str, Any]] = field(default_factory=list)
    context_len: int = 0  # len(context) when the test started
    reported: set = field(default_factory=set)  # findings already told about
    wide_sessions: set[int] = field(default_factory=set)  # made by a wider-scoped fixture
    fixture_marks: list[int] = field(default_factory=list)  # len(events) at fixture starts
    errors: int = 0
    failed: bool = False  # a phase failed (for the exit code in its trace)


class TfsessRecorder:
    """The plugin's state while it is on (one per pytest run)."""

    def __init__(self, config: pytest.Config) -> None:
        from inspector.agent import children, importhook
        from inspector.agent import recorder as recorder_mod
        from inspector.trace.reader import TraceTail

        self.config = config
        self.rootpath = str(config.rootpath)
        trace_dir = config.getoption("tfsess_trace")
        self.trace_dir = os.path.abspath(trace_dir) if trace_dir else None
        if self.trace_dir:
            os.makedirs(self.trace_dir, exist_ok=True)
            self.path = os.path.join(self.trace_dir, ALL_TESTS_TRACE)
            open(self.path, "w").close()
            self.keep = True
        else:
            fd, self.path = tempfile.mkstemp(prefix="tfsess-pytest-", suffix=".jsonl")
            os.close(fd)
            self.keep = False
        self.rec = recorder_mod.start(
            self.path, header={"script": "pytest", "module": False, "argv": list(sys.argv),
                               "pytest": True})
        # pytest's and pluggy's frames are library code: a run's call site is the test
        # (or fixture) line, and their sources are not copied into the trace.
        for mod in ("_pytest", "pluggy", "pytest"):
            m = sys.modules.get(mod)
            if m is not None and getattr(m, "__file__", None):
                self.rec.lib_prefixes.append(os.path.dirname(os.path.abspath(m.__file__)) + os.sep)
        importhook.install()
        # A process a test forks records into a trace of its own (forked_children.py).
        children.record_forks(self.path, self.rec.t0)
        self.tail = TraceTail(self.path)
        self.header: dict[str, Any] = {}
        self.context: list[dict[str, Any]] = []
        self.test: _Test | None = None
        self.used_names: set[str] = set()
        self.leaks: list[tuple[str, str]] = []  # (who, message)
        self.notes: list[tuple[str, str, str]] = []  # (nodeid, severity, message): non-errors
        self.wide_sessions: dict[int, str] = {}  # session id -> the fixture that made it
        self._wide_told: set[int] = set()
        self.failed_tests = 0
        self.sessions_seen: set[int] = set()
        self.runs = 0
        self._read()

    # -- following the trace -------------------------------------------------
    def _read(self) -> list[dict[str, Any]]:
        new: list[dict[str, Any]] = []
        while True:
            chunk = self.tail.read_new()
            if not chunk:
                break
            new.extend(chunk)
        if self.tail.header is not None and not self.header:
            self.header = dict(self.tail.header)
        for ev in new:
            kind = ev.get("ev")
            if kind in ("run", "runerr"):
                self.runs += 1
            elif kind == "sess" and isinstance(ev.get("s"), int):
                self.sessions_seen.add(ev["s"])
        if self.test is None:
            self.context.extend(e for e in new if e.get("ev") in CONTEXT_EVENTS)
        else:
            self.test.events.extend(e for e in new if e.get("ev") != TEST_EVENT)
        return new

    def _mark(self, **fields: Any) -> None:
        self.rec.emit_event(TEST_EVENT, ts=self.rec.now(), **fields)

    # -- hooks ---------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        self._read()  # whatever happened between tests belongs to no test
        self._mark(nodeid=item.nodeid, phase="start")
        self.test = _Test(item.nodeid, (os.path.join(self.rootpath, item.location[0]),
                                        (item.location[1] or 0) + 1),
                          context_len=len(self.context))
        try:
            return (yield)
        finally:
            self._mark(nodeid=item.nodeid, phase="end")
            self._read()
            test, self.test = self.test, None
            if test is not None:
                if self.trace_dir:
                    self._write_test_trace(test)
                self.context.extend(e for e in test.events if e.get("ev") in CONTEXT_EVENTS)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: Any):
        """Sessions made by a fixture wider than a test (module, class, session scope)
        belong to that fixture: they are not a leak of the test that first needed it."""
        wide = getattr(fixturedef, "scope", "function") != "function" and self.test is not None
        if wide:
            self._read()
            self.test.fixture_marks.append(len(self.test.events))
        try:
            return (yield)
        finally:
            if wide and self.test is not None:
                self._read()
                start = self.test.fixture_marks.pop()
                for ev in self.test.events[start:]:
                    if ev.get("ev") == "sess" and isinstance(ev.get("s"), int):
                        self.test.wide_sessions.add(ev["s"])
                        self.wide_sessions[ev["s"]] = f"fixture {fixturedef.argname!r}"

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        rep = yield
        test = self.test
        if test is None or test.nodeid != item.nodeid:
            return rep
        try:
            self._check(item, test, call.when, rep)
        except Exception as exc:  # the plugin must never break a test run
            try:
                item.warn(pytest.PytestWarning(f"tfsess-inspect could not analyse this test: "
                                               f"{type(exc).__name__}: {exc}"))
            except Exception:
                pass
        test.failed = test.failed or rep.failed
        return rep

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        tr = terminalreporter
        self._read()
        self._wide_leaks()
        tr.write_sep("-", "tfsess-inspect")
        tr.write_line(f"sessions {len(self.sessions_seen)} · runs {self.runs} · tests failed by "
                      f"a session error {self.failed_tests} · sessions leaked {len(self.leaks)}")
        for who, message in self.leaks:
            tr.write_line(f"warning  session-leak  {who}", yellow=True)
            tr.write_line(f"    {message}")
        for nodeid, severity, message in self.notes:
            tr.write_line(f"{severity:<8} {nodeid}")
            tr.write_line(f"    {message}")
        if self.trace_dir:
            tr.write_line(f"traces: {self._rel(self.trace_dir)}/ (one per test; "
                          f"`tfsess-inspect replay {self._rel(self.trace_dir)}/<test>.jsonl`)")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from inspector.trace import format as fmt

        now = self.rec.now()
        self.rec.emit_event(fmt.SCRIPT_END, ts=now, how="return", code=0)
        self.rec.emit_event(fmt.END, ts=now, code=0, signal=None)
        if not self.keep:
            for path in (self.path, self.path + fmt.RUNS_SUFFIX):
                try:
                    os.unlink(path)
                except OSError:
                    pass
            remove_child_traces(self.path)
        # The recorder stays on until the process ends (a session's __del__ may still
        # close it); its lines then go to the unlinked temporary file.

    # -- analysis ------------------------------------------------------------
    def _state(self, test: _Test, end: bool):
        """The test's state (its context, then its own events) and its findings; the
        context's length (a finding about an event before that index is not the test's)."""
        from inspector.analysis import find_all
        from inspector.analysis.state import StateBuilder

        context = test_context(self.context[: test.context_len], test.events)
        builder = StateBuilder(self.header)
        builder.feed_all(context)
        builder.feed_all(test.events)
        if end:  # "open at the end of the test" is the analysis' "open at script end"
            builder.feed({"ev": "script_end", "pid": os.getpid(), "ts": self.rec.now(),
                          "how": "return", "code": 0})
        state = builder.state
        return state, find_all(state), len(context)

    def _check(self, item: pytest.Item, test: _Test, when: str, rep: pytest.TestReport) -> None:
        self._read()
        if not test.events:
            return
        _, findings, context_len = self._state(test, end=when == "teardown")
        findings = [f for f in findings if f.event is not None and f.event >= context_len]
        pids = forked_pids(test.events)
        if pids:
            findings += findings_in(self.path, pids)
        errors = []
        for f in findings:
            key = (f.kind, f.session, f.file, f.line)
            if key in test.reported:
                continue
            if f.kind == "session-leak":
                if when != "teardown" or f.session in test.wide_sessions:
                    continue
                test.reported.add(key)
                message = (f"{f.message.replace('when the script finished', 'when the test ended')}")
                self.leaks.append((test.nodeid, message))
                try:
                    item.warn(TfsessLeakWarning(f"tfsess-inspect: session-leak at "
                                                f"{self._where(f.file, f.line)}: {message}"))
                except Exception:
                    pass  # `-W error`: still in the terminal summary, and the run goes on
                continue
            test.reported.add(key)
            if f.severity == "error":
                errors.append(f)
            else:
                self.notes.append((test.nodeid, f.severity, f"{f.kind} at "
                                   f"{self._where(f.file, f.line)}: {f.message}"))
        if not errors:
            return
        text = failure_text(errors, when, self._where)
        if not test.errors:
            self.failed_tests += 1
        test.errors += len(errors)
        if rep.passed:
            rep.outcome = "failed"
            rep.longrepr = text
        elif rep.failed:
            rep.sections.append(("tfsess-inspect", text))

    def _wide_leaks(self) -> None:
        """Sessions made by wider fixtures and still open when the run ends."""
        if not self.wide_sessions:
            return
        from inspector.analysis.state import StateBuilder

        builder = StateBuilder(self.header)
        builder.feed_all(self.context)
        for sid, who in sorted(self.wide_sessions.items()):
            sess = builder.state.sessions.get(sid)
            if sess is None or sess.closed_ts is not None or sid in self._wide_told:
                continue
            self._wide_told.add(sid)
            site = sess.created_site
            self.leaks.append((who, f"{sess.label}, created at {self._where(site.file, site.line)} "
                                    f"by {who}, was still open when the test run ended."))

    def _where(self, file: str, line: int) -> str:
        return where(file, line, self.rootpath)

    def _rel(self, path: str) -> str:
        return rel(path, self.rootpath)

    # -- per-test traces (traces_per_test.py) -------------------------------------
    def _write_test_trace(self, test: _Test) -> None:
        path = os.path.join(self.trace_dir, trace_file_name(test.nodeid, self.used_names))
        write_test_trace(path, self.header, self.context[: test.context_len], test.events,
                         test.location[0], test.nodeid, self.rec.now(), test.failed)
