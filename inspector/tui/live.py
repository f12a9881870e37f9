"""`tfsess-inspect script.py`: run the script and follow its trace in the app."""

from __future__ import annotations

from inspector.tui.app import InspectorApp
from inspector.tui.sources import LiveScript


def run_live(target: str, script_args: list[str], as_module: bool, trace_path: str,
             python: str, memory_interval: float | None = None, step_stats: bool = False) -> int:
    """Run the script under the agent with the live view; return its exit code."""
    source = LiveScript(target, script_args, trace_path, as_module=as_module, python=python,
                        memory_interval=memory_interval, step_stats=step_stats)
    app = InspectorApp(source)
    try:
        app.run()
    finally:
        # Quitting while the script runs stops it (the app asked first); wait for its
        # end so the trace gets its `end` event and we exit with the script's code.
        if source.running:
            source.kill()
    code = source.wait(timeout=10)
    if source.start_error:
        import sys

        sys.stderr.write(f"tfsess-inspect: {source.start_error}\n")
        return 2
    return code if code is not None else 1
