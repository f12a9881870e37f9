"""Run a notebook top to bottom in a real kernel with the recorder on:
``python -m inspector.integrations.notebook.runner NOTEBOOK.ipynb``, as the "script" of
`tfsess-inspect run NOTEBOOK.ipynb` (live view or --no-tui).

This process runs under the agent like any script (inspector/agent/bootstrap.py), so the
trace, its header, the tee of its output (`out` events) and its `end` are the ones every
script gets. It starts an IPython kernel (jupyter_client) whose environment tells the
notebook extension to append to that same trace (`TFSESS_INSPECT_NOTEBOOK`: the trace,
its clock origin, the notebook) instead of starting one of its own, loads the extension,
then sends the code cells one by one, each with its notebook id, and prints what they
output: streams as they are, rich outputs as their text/plain (the extension's inline
findings too), errors as the kernel formats them. The first cell that raises stops the
run, as `jupyter nbconvert --execute` does: exit code 1. The kernel is shut down at the
end, on SIGTERM and on Ctrl+C.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
from typing import Any

from inspector.agent.children import ENV as CHILD_ENV
from inspector.integrations.notebook.check import NotebookError, code_cells, read_notebook
from inspector.integrations.notebook.extension import ATTACH_ENV

_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
_CHILD_SITE = os.path.join(_PACKAGE_PARENT, "inspector", "agent", "_child")
EXTENSION = "inspector.integrations.notebook"


def kernel_env(trace: str, t0: int, notebook: str) -> dict[str, str]:
    """The kernel's environment: ours, with the extension told to append to our trace,
    and without the child-process mechanism (the kernel is not a child trace: it writes
    into the root trace, with the ids a notebook user sees)."""
    env = dict(os.environ)
    env.pop(CHILD_ENV, None)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
             if p and os.path.abspath(p) != _CHILD_SITE]
    env["PYTHONPATH"] = os.pathsep.join([_PACKAGE_PARENT, *paths])
    env[ATTACH_ENV] = json.dumps({"trace": trace, "t0": t0, "notebook": notebook})
    return env


class CellFailed(Exception):
    pass


def _execute(kc: Any, code: str, cell_id: str | None, silent: bool = False) -> dict:
    """Send one execute request and print its outputs until the kernel is idle again;
    returns the reply's content."""
    content = {"code": code, "silent": silent, "store_history": not silent,
               "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
    msg = kc.session.msg("execute_request", content,
                         metadata={"cellId": cell_id} if cell_id else {})
    kc.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    while True:
        m = kc.get_iopub_msg(timeout=None)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        kind, c = m["msg_type"], m["content"]
        if kind == "stream":
            stream = sys.stderr if c.get("name") == "stderr" else sys.stdout
            stream.write(c.get("text", ""))
            stream.flush()
        elif kind in ("display_data", "execute_result"):
            text = c.get("data", {}).get("text/plain")
            if text:
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
        elif kind == "error":
            sys.stderr.write("\n".join(c.get("traceback") or [f"{c.get('ename')}: {c.get('evalue')}"])
                             + "\n")
            sys.stderr.flush()
        elif kind == "status" and c.get("execution_state") == "idle":
            break
    while True:
        reply = kc.get_shell_msg(timeout=None)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def start_kernel(cwd: str, env: dict[str, str], sockets: str) -> tuple[Any, Any]:
    """A python3 kernel (ipykernel) talking over Unix sockets in the directory `sockets`
    (no TCP port, no warning about unencrypted TCP, no clash with another run's sockets),
    and a client ready to use."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class ThisPython(KernelSpecManager):
        """The kernel runs in this interpreter (`run --python PY`), whatever kernel
        specs the machine has installed under the name python3."""

        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                                    "{connection_file}"],
                              display_name="Python 3 (tfsess-inspect)", language="python",
                              resource_dir=sockets)

    km = KernelManager(kernel_name="python3", kernel_spec_manager=ThisPython(), transport="ipc",
                       ip=os.path.join(sockets, "k"))
    km.start_kernel(cwd=cwd, env=env)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
    except BaseException:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc


def run_notebook(path: str) -> int:
    raw = os.environ.get(CHILD_ENV)
    if not raw:
        sys.stderr.write("tfsess-inspect: the notebook runner runs under tfsess-inspect: "
                         f"tfsess-inspect run {path}\n")
        return 2
    config = json.loads(raw)
    try:
        nb = read_notebook(path)
    except NotebookError as exc:
        sys.stderr.write(f"tfsess-inspect: {exc}\n")
        return 2
    notebook = os.path.abspath(path)
    with tempfile.TemporaryDirectory(prefix="tfsess-kernel-") as sockets:
        try:
            km, kc = start_kernel(os.path.dirname(notebook),
                                  kernel_env(config["trace"], int(config["t0"]), notebook), sockets)
        except Exception as exc:
            sys.stderr.write(f"tfsess-inspect: the kernel did not start: {type(exc).__name__}: "
                             f"{exc}\n")
            return 2
        return _run_cells(km, kc, nb, path)


def _run_cells(km: Any, kc: Any, nb: dict, path: str) -> int:
    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        reply = _execute(kc, f"%load_ext {EXTENSION}", None, silent=True)
        if reply.get("status") != "ok":
            sys.stderr.write(f"tfsess-inspect: the kernel could not load {EXTENSION}: "
                             f"{reply.get('ename')}: {reply.get('evalue')}\n")
            return 2
        total = len(nb["cells"])
        for index, cell in code_cells(nb):
            reply = _execute(kc, cell["source"], cell.get("id"))
            if reply.get("status") != "ok":
                count = reply.get("execution_count")
                sys.stderr.write(f"tfsess-inspect: cell [{count}] (cell {index} of {total} in "
                                 f"{os.path.basename(path)}) raised {reply.get('ename')}: "
                                 "the notebook stops here\n")
                return 1
        return 0
    finally:
        try:
            kc.stop_channels()
        finally:
            km.shutdown_kernel(now=True)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m inspector.integrations.notebook.runner NOTEBOOK.ipynb\n")
        return 2
    return run_notebook(argv[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
