"""The notebook extension (`%load_ext inspector.notebook`) and the notebook runner
(`tfsess-inspect NOTEBOOK.ipynb`). Needs the `notebook` extra (ipykernel, nbformat,
nbclient): `pip install 'tfsess-inspect[notebook]'`."""

from __future__ import annotations

from typing import Any


def load_ipython_extension(shell: Any) -> None:
    from inspector.integrations.notebook.extension import load_ipython_extension as load

    load(shell)


def unload_ipython_extension(shell: Any) -> None:
    from inspector.integrations.notebook.extension import unload_ipython_extension as unload

    unload(shell)
