"""`--web`: the same app in a browser, served by textual-serve on 127.0.0.1. A real
server in a child process on a free port; its page over HTTP; the app behind its
websocket (what a browser tab gets: the screen, and keys sent back); a real headless
Chromium where one is installed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from tests.helpers import ENV, REPO
from tests.test_export_chrome import _synthetic_trace

HELLO = REPO / "tests" / "scripts" / "web_hello.py"
CSI = re.compile(r"\x1b(?:\[[0-9;?$]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[=>PX^_]?)")
_ENV = {**ENV, "PYTHONPATH": str(REPO)}
GUARD_S = 120  # a hang guard only: nothing is asserted about time


# The server as the installed `tfsess-inspect` starts it: this checkout's package, and
# not the current directory, first on sys.path (`python -m` would put the directory
# first; the console script does not).
_AS_CONSOLE_SCRIPT = ("import sys; sys.path[0] = sys.argv.pop(1); from inspector.cli import main; "
                      "sys.exit(main())")


@contextlib.contextmanager
def serving(*args: str, cwd: Path, server: tuple[str, ...] = ("-m", "inspector")):
    """`tfsess-inspect --web --port 0 ARGS` in a child; yields (url, process) once it
    says where it listens; stopped with SIGINT (Ctrl+C) at the end."""
    p = subprocess.Popen([sys.executable, *server, "--web", "--port", "0", *args],
                         cwd=cwd, env=_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in p.stderr] + [lines.put("")],
                     daemon=True).start()
    try:
        first = lines.get(timeout=GUARD_S)
        m = re.search(r"on (http://127\.0\.0\.1:(\d+)) ", first)
        assert m, first
        yield m.group(1), p
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
        p.wait(timeout=GUARD_S)


async def _screen_until(url: str, *wanted: str, keys: str = "", then: tuple[str, ...] = ()) -> str:
    """Open the app's websocket as the page does, read the screen (ANSI stripped) until
    every `wanted` text is on it; then type `keys` and read until `then` is. A hang guard
    over the whole that fails with what was on the screen: a bare TimeoutError says
    nothing of why (say, a text that is there but elided)."""
    seen: list[str] = []
    try:
        return await asyncio.wait_for(_read_screen(url, wanted, keys, then, seen), GUARD_S)
    except asyncio.TimeoutError:
        screen = CSI.sub("", "".join(seen))
        missing = [w for w in (*wanted, *then) if w not in screen]
        raise AssertionError(f"not on the screen after {GUARD_S} s: {missing}; "
                             f"its end:\n{screen[-3000:]}") from None


async def _read_screen(url: str, wanted: tuple[str, ...], keys: str, then: tuple[str, ...],
                       seen: list[str]) -> str:
    text = ""
    async with aiohttp.ClientSession() as s:
        async with s.ws_connect(url.replace("http:", "ws:") + "/ws?width=120&height=36") as ws:
            for goal, typed in ((wanted, ""), (then, keys)):
                if typed:
                    await ws.send_str(json.dumps(["stdin", typed]))
                raw = ""
                while not all(w in CSI.sub("", raw) for w in goal):
                    msg = await ws.receive()
                    assert msg.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), (
                        msg.type, CSI.sub("", raw)[-2000:])
                    chunk = msg.data.decode("utf-8", "replace") if isinstance(msg.data, bytes) else msg.data
                    raw += chunk
                    seen.append(chunk)
                text += CSI.sub("", raw)
    return text


@pytest.fixture
def trace(tmp_path) -> Path:
    path = tmp_path / "t.jsonl"
    _synthetic_trace(path, 3)  # a session of big.py with 3 runs
    return path


def test_replay_web_serves_the_app_page_on_localhost(trace, tmp_path):
    with serving(trace.name, cwd=tmp_path) as (url, p):
        with urllib.request.urlopen(url + "/", timeout=GUARD_S) as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
            page = r.read().decode()
        port = url.rsplit(":", 1)[1]
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
        assert "<div>tfsess-inspect replay t.jsonl</div>" in page
        with urllib.request.urlopen(url + "/static/js/textual.js", timeout=GUARD_S) as r:
            assert r.status == 200 and len(r.read()) > 10_000
    assert p.returncode == 0  # Ctrl+C stops it cleanly
    assert p.stdout.read() == ""  # nothing on stdout: the URL went to stderr


def test_replay_web_runs_the_app_behind_the_websocket_and_takes_keys(trace, tmp_path):
    with serving("replay", str(trace), cwd=tmp_path) as (url, _):
        text = asyncio.run(_screen_until(url, "Session #1", "big.py:3", "runs 3",
                                         keys="?", then=("Every TensorFlow session",)))
    assert "Timeline" in text and "Events" in text


def test_run_web_runs_the_script_under_the_live_view_per_tab(tmp_path):
    # By a short relative name: the status bar elides a title longer than a third of
    # the width, and the absolute path of a checkout (wherever it was cloned) may be.
    shutil.copy(HELLO, tmp_path / HELLO.name)
    with serving(HELLO.name, cwd=tmp_path) as (url, _):
        text = asyncio.run(_screen_until(url, "hello from the browser view", "web_hello.py"))
    assert "Output" in text
    (trace,) = tmp_path.glob("tfsess-web_hello-*.jsonl")  # the tab's own recording
    said = [json.loads(x) for x in trace.read_text().splitlines() if x.startswith('{"ev":"out"')]
    assert "".join(e["text"] for e in said) == "hello from the browser view\n"


def test_a_tab_runs_the_servers_own_inspector_not_one_in_the_current_directory(tmp_path):
    # Served from a directory with a package of its own named `inspector` (say, the root
    # of another checkout): each tab still runs the server's package, in that directory
    # (the relative script and the tab's trace are there), and never imports the decoy.
    here = tmp_path / "a dir"  # and a path that needs quoting in the tab's command
    (here / "inspector").mkdir(parents=True)
    marker = tmp_path / "decoy-imported"
    (here / "inspector" / "__init__.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "raise SystemExit('a decoy inspector package was imported')\n")
    shutil.copy(HELLO, here / "web hello.py")
    with serving("web hello.py", cwd=here,
                 server=("-c", _AS_CONSOLE_SCRIPT, str(REPO))) as (url, _):

        async def screen_unless_decoy() -> str:  # a decoy tab shows nothing: say so at once
            screen = asyncio.ensure_future(_screen_until(url, "hello from the browser view",
                                                         "web hello.py"))
            while not screen.done():
                assert not marker.exists(), "the tab imported the decoy `inspector` package"
                await asyncio.sleep(0.1)
            return screen.result()

        text = asyncio.run(screen_unless_decoy())
    assert "Output" in text
    assert not marker.exists()
    (trace,) = here.glob("tfsess-web hello-*.jsonl")
    said = [json.loads(x) for x in trace.read_text().splitlines() if x.startswith('{"ev":"out"')]
    assert "".join(e["text"] for e in said) == "hello from the browser view\n"


def test_the_tab_command_quotes_every_word_for_the_shell(tmp_path, monkeypatch):
    # textual-serve runs the command with /bin/sh: what the tab gets is what was given.
    from inspector.integrations import web

    echo = tmp_path / "it's a dir" / "echo argv.py"
    echo.parent.mkdir()
    echo.write_text("import sys; print(sys.argv[1:])")
    monkeypatch.setattr(web, "_TAB", str(echo))
    args = ["run", "-o", "my trace.jsonl", "it's $HOME.py", "--x=`id`", "a;b", "*", ""]
    p = subprocess.run(["/bin/sh", "-c", web.tab_command(args)], cwd=tmp_path,
                       capture_output=True, text=True, timeout=GUARD_S)
    assert p.stdout == f"{args}\n", p.stderr


def test_closing_the_tab_stops_its_app_and_the_script(tmp_path):
    loop = REPO / "tests" / "scripts" / "sleep_loop.py"  # prints "ready", sleeps until stopped
    with serving(str(loop), cwd=tmp_path) as (url, p):
        asyncio.run(_screen_until(url, "ready"))  # the websocket closes on return
        (trace,) = tmp_path.glob("tfsess-sleep_loop-*.jsonl")
        for _ in range(GUARD_S * 10):  # the inspector writes `end` once the script is gone
            ends = [json.loads(x) for x in trace.read_text().splitlines() if x.startswith('{"ev":"end"')]
            if ends:
                break
            time.sleep(0.1)
        assert ends and ends[0]["signal"] == signal.SIGTERM, trace.read_text()[-500:]
        assert p.poll() is None  # the server itself keeps serving


def test_web_without_textual_serve_is_one_line_and_exit_2(trace, tmp_path):
    code = ("import sys; sys.modules['textual_serve'] = None; from inspector.cli import main; "
            f"sys.exit(main(['--web', {str(trace)!r}]))")
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_ENV, capture_output=True,
                       text=True, timeout=GUARD_S)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == ("tfsess-inspect: --web needs textual-serve, which is not installed: "
                        "pip install textual-serve\n")


def test_web_misuse_is_one_line_and_exit_2(trace, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cases = {
            ("--web", "--port", str(port), str(trace)): f"cannot serve on 127.0.0.1:{port}",
            ("run", "--web", "--no-tui", str(HELLO)): "--web serves the live view",
            ("--web", str(tmp_path / "missing.py")): "missing.py",
        }
        for args, said in cases.items():
            p = subprocess.run([sys.executable, "-m", "inspector", *args], cwd=tmp_path, env=_ENV,
                               capture_output=True, text=True, timeout=GUARD_S)
            assert p.returncode == 2, (args, p.stderr)
            assert p.stderr.startswith("tfsess-inspect: ") and said in p.stderr, (args, p.stderr)
            assert p.stderr.count("\n") == 1, p.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _browser_or_skip():
    """playwright's sync API, with a Chromium to drive; else a skip that says what went
    untested (a failure where TFSESS_REQUIRE_BROWSER is set, as .ci/run does)."""
    missing = []
    if CHROMIUM is None:
        missing.append("no Chromium on PATH (Debian: apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        sync_api = None
        missing.append("no playwright (pip install playwright: it is in the test extra)")
    if missing:
        why = ("NOT TESTED: the browser view in a real browser (the page, its websocket, keys "
               "typed in it): " + "; ".join(missing) + ". .ci/run installs both.")
        if os.environ.get("TFSESS_REQUIRE_BROWSER"):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    return sync_api


def test_replay_web_in_a_headless_chromium(trace, tmp_path):
    sync_api = _browser_or_skip()
    frames: list[str] = []
    with serving(trace.name, cwd=tmp_path) as (url, _), sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("websocket", lambda ws: ws.on(
                "framereceived",
                lambda data: frames.append(data.decode("utf-8", "replace") if isinstance(data, bytes) else data)))

            def wait_for(*wanted: str, since: int = 0) -> None:
                for _ in range(GUARD_S * 10):  # frames arrive on the page's websocket
                    if all(w in CSI.sub("", "".join(frames[since:])) for w in wanted):
                        return
                    page.wait_for_timeout(100)
                raise AssertionError(f"never on the page: {wanted}")

            page.goto(url)
            page.wait_for_selector(".textual-terminal.-connected", timeout=GUARD_S * 1000)
            wait_for("Session #1", "big.py:3")
            seen = len(frames)
            page.locator("#terminal").click()
            page.keyboard.press("?")
            wait_for("Every TensorFlow session", since=seen)
        finally:
            browser.close()


def _browser_test(tmp_path, **env) -> subprocess.CompletedProcess:
    """The real-browser test in a pytest of its own, where no Chromium is on PATH (and
    a browser is required only if `env` says so: .ci/run requires one for the suite)."""
    base = {k: v for k, v in _ENV.items() if k != "TFSESS_REQUIRE_BROWSER"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rsf",
         f"{Path(__file__).resolve()}::test_replay_web_in_a_headless_chromium"],
        cwd=REPO, env={**base, "PATH": str(tmp_path), **env}, capture_output=True, text=True,
        timeout=GUARD_S)


def test_the_browser_test_says_loudly_what_it_did_not_test_when_it_skips(tmp_path):
    p = _browser_test(tmp_path)
    assert p.returncode == 0, p.stdout
    assert ("SKIPPED [1] tests/test_web.py" in p.stdout
            and "NOT TESTED: the browser view in a real browser" in p.stdout
            and "no Chromium on PATH (Debian: apt-get install chromium)" in p.stdout), p.stdout


def test_the_browser_test_fails_where_a_browser_is_required(tmp_path):
    # .ci/run sets TFSESS_REQUIRE_BROWSER=1: there a missing browser is a failure.
    p = _browser_test(tmp_path, TFSESS_REQUIRE_BROWSER="1")
    assert p.returncode == 1, p.stdout
    assert "NOT TESTED: the browser view in a real browser" in p.stdout, p.stdout
