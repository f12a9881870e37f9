"""A place in the script as the panes say it: `file:line`, the file alone when the line is
unknown, and words when the trace has no place at all (a session made, run or dropped by
a thread that runs no Python code of the script): never the analysis' `?:0` placeholder."""

from __future__ import annotations

from collections.abc import Callable

from inspector.analysis.model import cell_place, known_file, known_function, known_line

# The text report's words (inspector/commands/_summary.py NO_PLACE): the app says the same.
NO_PLACE = "no line of the script on the stack"


def place(file: str | None, line: int | None, shown: Callable[[str], str] = str) -> str:
    """`shown(file):line`, `shown(file)` when the line is unknown, NO_PLACE when the file is."""
    known = known_file(file)
    if known is None:
        return NO_PLACE
    number = known_line(line)
    return f"{shown(known)}:{number}" if number is not None else shown(known)


def site_place(file: str | None, line: int | None, cell: int | None,
               shown: Callable[[str], str] = str) -> str:
    """A place in a notebook's cell as the notebook says it (`cell [7], line 3`, never the
    kernel's name for the cell's code), any other place as `place` does."""
    if cell is not None:
        return cell_place(cell, line)
    return place(file, line, shown)


def in_function(function: str | None) -> str:
    """` in f`, or nothing when the trace does not know the function."""
    known = known_function(function)
    return f" in {known}" if known else ""
