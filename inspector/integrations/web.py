"""`--web`: the same app in a browser, served by textual-serve on 127.0.0.1.

textual-serve (an optional dependency: `pip install textual-serve`) is a small
aiohttp server: its page opens a websocket, and for each websocket (each browser tab)
it starts the command it was given with Textual's web driver and relays the terminal
in both directions. The command here is this tfsess-inspect itself, without `--web`:
`run script.py args` (each tab runs the script once under the live view, with its own
trace unless `-o` was given) or `replay TRACE`, in the server's directory. It is started
through inspector/integrations/_web_tab.py, by path, so that each tab imports this very
`inspector` package, not one that the current directory may hold (as `python -m inspector`
would).

Bound to 127.0.0.1 only: whoever reaches the port runs the script. The URL is said on
stderr; the server runs until Ctrl+C (or SIGTERM), exit code 0.
"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import sys

from inspector.errors import CommandError

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# The package itself: works however the inspector was installed (an extra of a
# checkout's editable install, `tfsess-inspect[web]`, is not there to take from an index).
INSTALL_HINT = "pip install textual-serve"
IN_BROWSER_TAB = False  # set by _web_tab.py: this process is one tab's app
_TAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_web_tab.py")  # each tab's start


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`--web` and `--port` of `run` and `replay`."""
    parser.add_argument("--web", action="store_true",
                        help="serve the app in a browser (textual-serve) on 127.0.0.1 instead of "
                             "the terminal; each browser tab gets its own app")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, metavar="PORT",
                        help=f"with --web: the port to serve on (default {DEFAULT_PORT}; 0: a free one)")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return value


def check_available() -> None:
    """One line, exit 2, when textual-serve is not installed."""
    try:
        import textual_serve.server  # noqa: F401
    except ImportError:
        raise CommandError(f"--web needs textual-serve, which is not installed: {INSTALL_HINT}") from None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _check_port(port: int) -> None:
    """A port that is taken is the user's to fix: one line, before anything starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError as exc:
            raise CommandError(f"cannot serve on {HOST}:{port}: {exc.strerror}") from None


def serve(inspector_args: list[str], title: str, port: int) -> int:
    """Serve `tfsess-inspect <inspector_args>` (run in this interpreter, in the current
    directory, for each browser tab) on http://127.0.0.1:PORT until interrupted."""
    check_available()
    if port == 0:
        port = _free_port()
    else:
        _check_port(port)
    command = tab_command(inspector_args)
    url = f"http://{HOST}:{port}"

    def listening() -> None:
        sys.stderr.write(f"tfsess-inspect: serving {title} on {url} "
                         "(open it in a browser; Ctrl+C stops)\n")
        sys.stderr.flush()

    _make_server(command, port, title).serve_until_stopped(listening)
    return 0


def tab_command(inspector_args: list[str]) -> str:
    """The shell command (textual-serve runs it with /bin/sh) that starts one tab's app:
    `tfsess-inspect <inspector_args>` in this interpreter, with this `inspector` package
    whatever the current directory holds; every word quoted."""
    return shlex.join([sys.executable, _TAB, *inspector_args])


def _make_server(command: str, port: int, title: str):
    """textual-serve's Server, quiet on stdout: its logo and log go nowhere / to stderr,
    and the URL is said once the socket listens (the parts of textual-serve 1.1 used
    here: `Server.__init__`, `_make_app`, `request_exit`)."""
    import asyncio
    import logging
    import signal

    from aiohttp import web
    from rich.console import Console
    from textual_serve.server import Server

    class _Server(Server):
        def initialize_logging(self) -> None:
            logging.basicConfig(level=logging.WARNING, format="tfsess-inspect web: %(message)s",
                                stream=sys.stderr)

        async def on_startup(self, app) -> None:  # no logo on stdout
            pass

        def serve_until_stopped(self, listening) -> None:
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(sig, self.request_exit)
                except (NotImplementedError, RuntimeError):
                    pass
            web.run_app(self._make_app(), host=HOST, port=port, handle_signals=False, loop=loop,
                        print=lambda *args: listening())

    server = _Server(command, host=HOST, port=port, title=title)
    server.console = Console(stderr=True)
    return server
