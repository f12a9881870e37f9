"""Notebook cells: which execution of which cell an event belongs to, and the story a
finding tells when cells ran out of order (a cell re-run after another one closed the
session it uses). Pure functions of the trace state, like every finding."""

from __future__ import annotations

from inspector.analysis.model import Site
from inspector.analysis.state import CellRun, TraceState


def cell_run(state: TraceState, n: int | None) -> CellRun | None:
    """The execution counted `n` (the last one, should a kernel restart count again)."""
    if n is None:
        return None
    for cell in reversed(state.cells):
        if cell.n == n:
            return cell
    return None


def _source(state: TraceState, cell: CellRun) -> str | None:
    src = state.sources.get(cell.file)
    return src.text if src is not None else None


def same_cell(state: TraceState, a: CellRun, b: CellRun) -> bool:
    """Two executions of one notebook cell: the same cell id when the front-end gave ids,
    else the same source (a cell run twice unchanged)."""
    if a.cell_id and b.cell_id:
        return a.cell_id == b.cell_id
    text = _source(state, a)
    return text is not None and text == _source(state, b)


def earlier_run(state: TraceState, cell: CellRun, before: int) -> CellRun | None:
    """The last execution of the same cell that started before event `before`."""
    found = None
    for other in state.cells:
        if other.index >= before:
            break
        if other is not cell and other.index < cell.index and same_cell(state, other, cell):
            found = other
    return found


def closed_out_of_order(state: TraceState, used_at: Site, created_at: Site, closed_at: Site | None,
                        closed_event: int | None, what: str = "closed") -> str | None:
    """For a session used at `used_at` after it was closed (or reset) at `closed_at`, in
    a notebook whose cells ran out of order (the cell that used it had run before, while
    the session was open, and was re-run after the cell that closed it): what happened,
    naming the cells, and what to do. None otherwise (and outside a notebook)."""
    if used_at.cell is None or closed_at is None or closed_at.cell is None or closed_event is None:
        return None
    used = cell_run(state, used_at.cell)
    closer = cell_run(state, closed_at.cell)
    if used is None or closer is None or closer.index > used.index:
        return None
    before = earlier_run(state, used, closer.index)
    maker = cell_run(state, created_at.cell)
    if before is None or (maker is not None and before.index < maker.index):
        return None  # (a run of the notebook again from the top, with a new session, is in order)
    made = f" that cell [{maker.n}] created" if maker is not None else ""
    again = f"Re-run cell [{maker.n}] (it makes a new session)" if maker is not None else \
        "Re-run the cell that makes the session"
    return (f"Cell [{used.n}] re-runs the cell executed as [{before.n}]; cell [{closer.n}], "
            f"executed after it, {what} the session{made}: the cells ran out of order. "
            f"{again} before this one, or run the notebook from the top.")


def rerun_of(state: TraceState, cell: CellRun) -> CellRun | None:
    """The previous execution of the same notebook cell, if `cell` is a re-run."""
    return earlier_run(state, cell, cell.index)
