"""The trace file: its format, the low-level writer the agent uses, and the reader.

Standard library only: the agent imports `inspector.trace.format` and
`inspector.trace.writer` inside the user's interpreter.
"""
