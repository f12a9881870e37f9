"""The user's mistakes about a notebook, caught before anything starts (one line each):
a missing file, a file that is not a notebook, no kernel to run it in. Standard library
only: the command line checks with it before the `notebook` extra is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

INSTALL_HINT = "pip install 'tfsess-inspect[notebook]'"
NEEDED = ("ipykernel", "jupyter_client")


class NotebookError(Exception):
    """Something wrong with what the user asked to run (one line, exit 2)."""


def is_notebook_path(target: str) -> bool:
    return target.lower().endswith(".ipynb")


def read_notebook(path: str) -> dict[str, Any]:
    """The notebook as JSON, checked to be one (nbformat 4: a `cells` list)."""
    if not os.path.exists(path):
        raise NotebookError(f"{path}: no such file")
    if os.path.isdir(path):
        raise NotebookError(f"{path} is a directory, not a notebook")
    try:
        with open(path, "rb") as fh:
            nb = json.loads(fh.read().decode("utf-8"))
    except OSError as exc:
        raise NotebookError(f"{path}: cannot read it ({exc.strerror})") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotebookError(f"{path} is not a notebook: not JSON ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0][:120]})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path} is not a notebook: JSON without a `cells` list")
    major = nb.get("nbformat")
    if isinstance(major, int) and major < 4:
        raise NotebookError(f"{path} is an nbformat {major} notebook: only 4 is read "
                            "(jupyter nbconvert --to notebook upgrades it)")
    return nb


def code_cells(nb: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(position in the notebook, from 1; the cell with its source as one string) for
    every code cell with code in it."""
    for index, cell in enumerate(nb.get("cells") or (), 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str) or not source.strip():
            continue
        cid = cell.get("id")
        yield index, {"source": source, "id": cid if isinstance(cid, str) else None}


def missing_modules(python: str) -> list[str]:
    """What of the notebook extra `python` lacks to run a notebook."""
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        import importlib.util

        return [m for m in NEEDED if importlib.util.find_spec(m) is None]
    probe = subprocess.run(
        [python, "-c", "import importlib.util,sys; print(' '.join(m for m in sys.argv[1:] "
                       "if importlib.util.find_spec(m) is None))", *NEEDED],
        capture_output=True, text=True)
    if probe.returncode != 0:
        return list(NEEDED)
    return probe.stdout.split()


def check_can_run(path: str, python: str) -> None:
    """Everything `tfsess-inspect run NOTEBOOK.ipynb` needs, or NotebookError."""
    read_notebook(path)
    missing = missing_modules(python)
    if missing:
        raise NotebookError(f"running a notebook needs {' and '.join(missing)}, not installed "
                            f"for {python}: {INSTALL_HINT}")
