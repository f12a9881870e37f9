"""The pytest plugin's old import path, kept because it is public: `-p inspector.pytest_plugin`
and installs whose `pytest11` entry point still names it. The plugin lives in
inspector/integrations/pytest_plugin/; this name is an alias of that very module (one module
object, so pytest never registers the plugin's hooks twice)."""

import sys

from inspector.integrations import pytest_plugin

sys.modules[__name__] = pytest_plugin
