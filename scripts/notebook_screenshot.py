"""Make screenshots/notebook-run-after-close.png: the README's picture of JupyterLab.

    python scripts/notebook_screenshot.py [--out screenshots/notebook-run-after-close.png]

Run it with an interpreter that has the project's dev dependencies (TensorFlow, ipykernel,
Playwright) and JupyterLab, which is no project dependency: `pip install jupyterlab` (the
script says so and stops when it is missing). The browser is Debian's Chromium
(`apt-get install chromium`, `--chromium PATH` for another one); Playwright downloads none.

It copies examples/notebook_run_after_close.ipynb into a temporary directory (the repo's
notebook is never opened, so never modified), starts `jupyter lab` there on a free local
port with a random token and Jupyter/IPython directories of its own (no user settings read,
nothing written outside the directory), with a kernel in this interpreter that imports
`inspector` from this checkout; opens the notebook in headless Chromium, runs all cells,
waits for the inline finding under cell [5] (`.tfsess-finding`) and saves the notebook
area, 1024 px wide, scrolled to the first code cell. Then it shuts the server and its
kernel down and removes the directory.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.path.join(REPO, "examples", "notebook_run_after_close.ipynb")
OUT = os.path.join(REPO, "screenshots", "notebook-run-after-close.png")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
WIDTH = 1024
# TensorFlow's import in cell [2] takes 10-30 s on a busy machine.
RUN_TIMEOUT_MS = 180_000


def fail(message: str) -> None:
    sys.exit(f"notebook_screenshot.py: {message}")


def check_requirements(chromium: str) -> None:
    for module, hint in (("jupyterlab", "pip install jupyterlab"),
                         ("ipykernel", "pip install -e '.[notebook]'"),
                         ("playwright", "pip install playwright")):
        if importlib.util.find_spec(module) is None:
            fail(f"needs {module}, not installed for {sys.executable}: {hint}")
    if not os.access(chromium, os.X_OK):
        fail(f"no Chromium at {chromium}: apt-get install chromium, or --chromium PATH")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(tmp: str) -> tuple[str, dict[str, str]]:
    """The notebook's copy, and the server's environment: Jupyter's and IPython's
    directories inside `tmp`, with a `python3` kernel spec (this interpreter, the repo
    on PYTHONPATH) that shadows any installed one."""
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    shutil.copy(NOTEBOOK, work)
    jupyter = os.path.join(tmp, "jupyter")
    # JUPYTER_PATH comes before the environment's share/jupyter, where ipykernel's python3 is.
    spec_dir = os.path.join(jupyter, "path", "kernels", "python3")
    os.makedirs(spec_dir)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "TFSESS_INSPECT_"))}
    pythonpath = os.pathsep.join(p for p in (REPO, env.get("PYTHONPATH")) if p)
    env.update(
        PYTHONPATH=pythonpath,
        JUPYTER_PATH=os.path.join(jupyter, "path"),
        JUPYTER_CONFIG_DIR=os.path.join(jupyter, "config"),
        JUPYTER_DATA_DIR=os.path.join(jupyter, "data"),
        JUPYTER_RUNTIME_DIR=os.path.join(jupyter, "runtime"),
        JUPYTERLAB_SETTINGS_DIR=os.path.join(jupyter, "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=os.path.join(jupyter, "lab-workspaces"),
        IPYTHONDIR=os.path.join(tmp, "ipython"),
    )
    with open(os.path.join(spec_dir, "kernel.json"), "w", encoding="utf-8") as fh:
        # capture_fd_output=False: TensorFlow's C++ start-up lines (written to fd 2 before
        # absl's InitializeLog, deaf to TF_CPP_MIN_LOG_LEVEL) go to the server's log, not
        # under cell [2]; what Python prints still shows in the notebook.
        json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f",
                            "{connection_file}", "--IPKernelApp.capture_fd_output=False"],
                   "display_name": "Python 3 (TensorFlow)", "language": "python",
                   "env": {"PYTHONPATH": pythonpath}}, fh)
    # No news or update toasts over the notebook.
    settings = os.path.join(env["JUPYTERLAB_SETTINGS_DIR"], "@jupyterlab", "apputils-extension")
    os.makedirs(settings)
    with open(os.path.join(settings, "notification.jupyterlab-settings"), "w",
              encoding="utf-8") as fh:
        json.dump({"fetchNews": "false", "checkForUpdates": False}, fh)
    return work, env


def start_server(work: str, env: dict[str, str], port: int, token: str,
                 log: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
           "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:  # containers, CI
        cmd.append("--allow-root")
    with open(log, "wb") as fh:
        # Its own process group: if it does not stop when asked, its kernel goes with it.
        return subprocess.Popen(cmd, cwd=work, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def api(base: str, token: str, path: str, method: str = "GET") -> None:
    req = urllib.request.Request(f"{base}{path}", method=method,
                                 headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=5):
        pass


def wait_ready(server: subprocess.Popen, base: str, token: str, log: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            api(base, token, "/api/status")
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    with open(log, encoding="utf-8", errors="replace") as fh:
        tail = fh.read()[-2000:]
    fail(f"JupyterLab did not start (log below)\n{tail}")


def stop_server(server: subprocess.Popen, base: str, token: str) -> None:
    """Ask the server to stop (it shuts its kernels down first); else end its group."""
    if server.poll() is None:
        try:
            api(base, token, "/api/shutdown", method="POST")
            server.wait(30)
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)  # the kernel, whatever the server left behind
        except ProcessLookupError:
            break
        time.sleep(1)
    server.wait(10)


# Run in the page once the notebook is open (`window.jupyterapp`: expose_app_in_browser).
RUN_ALL = """async () => {
  const app = window.jupyterapp;
  await app.commands.execute('application:set-mode', {mode: 'single-document'});
  app.shell.collapseLeft();
  app.shell.collapseRight();
  const panel = app.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
}"""
IDLE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const prompts = [...panel.node.querySelectorAll('.jp-InputPrompt')].map(p => p.textContent);
  return panel.sessionContext.kernelDisplayStatus === 'idle' && !prompts.some(t => t.includes('*'));
}"""
# The first code cell at the top of the notebook area, as in the README's picture; returns
# the bottom of the last cell (page pixels), where the picture ends.
SCROLL = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const first = panel.node.querySelector('.jp-CodeCell');
  const scroller = first.closest('.jp-WindowedPanel-outer') || panel.content.node;
  scroller.scrollTop += first.getBoundingClientRect().top
      - scroller.getBoundingClientRect().top - 8;
  const cells = panel.node.querySelectorAll('.jp-Cell');
  return cells[cells.length - 1].getBoundingClientRect().bottom;
}"""


def shoot(base: str, token: str, name: str, chromium: str, out: str, tmp: str) -> None:
    from playwright.sync_api import sync_playwright

    # Chromium's GTK side writes dconf and font caches under XDG dirs: keep them in tmp.
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(tmp, "xdg-config"),
               XDG_CACHE_HOME=os.path.join(tmp, "xdg-cache"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, env=env)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.goto(f"{base}/lab/tree/{name}?token={token}")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell"
                                   " && window.jupyterapp.shell.currentWidget"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext",
                                   timeout=60_000)
            page.evaluate(RUN_ALL)
            # The side bars' tab strips stay: widen the page so the notebook is WIDTH px.
            panel = page.locator(".jp-NotebookPanel:visible")
            page.wait_for_timeout(300)
            extra = WIDTH - panel.bounding_box()["width"]
            page.set_viewport_size({"width": WIDTH + round(extra), "height": 900})
            page.wait_for_selector(".tfsess-finding", state="visible", timeout=RUN_TIMEOUT_MS)
            page.wait_for_function(IDLE, timeout=RUN_TIMEOUT_MS)
            page.mouse.move(0, 0)  # no hover effects
            page.wait_for_timeout(300)
            bottom = page.evaluate(SCROLL)
            page.wait_for_timeout(500)
            box = panel.bounding_box()
            if box is None:
                fail("the notebook panel is not on screen")
            height = min(bottom + 8, box["y"] + box["height"]) - box["y"]
            page.screenshot(path=out, clip={"x": box["x"], "y": box["y"],
                                            "width": box["width"], "height": height})
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=OUT, help="the PNG to write (default: %(default)s)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    check_requirements(args.chromium)
    # Killed with SIGTERM: unwind like Ctrl-C, so the finally clauses stop the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("notebook_screenshot.py: terminated"))
    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tfsess-nbshot-") as tmp:
        work, env = prepare(tmp)
        port, token = free_port(), secrets.token_hex(16)
        base = f"http://127.0.0.1:{port}"
        log = os.path.join(tmp, "jupyter.log")
        server = start_server(work, env, port, token, log)
        try:
            wait_ready(server, base, token, log)
            shoot(base, token, os.path.basename(NOTEBOOK), args.chromium, out, tmp)
        finally:
            stop_server(server, base, token)
    print(f"{os.path.relpath(out)}  ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
