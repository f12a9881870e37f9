"""`%load_ext inspector.notebook`: the short name of the notebook extension
(inspector/integrations/notebook/extension.py)."""

from inspector.integrations.notebook import load_ipython_extension, unload_ipython_extension

__all__ = ["load_ipython_extension", "unload_ipython_extension"]
