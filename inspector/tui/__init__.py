"""The terminal UI: draws what `inspector.analysis` says about a trace, live or finished.

`live.run_live` runs a script and follows its trace; `replay.run_replay` opens a
finished one. Both hand an `EventSource` to the same `InspectorApp`.
"""
