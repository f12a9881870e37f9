"""The optional compiled hot path of the run wrapper (inspector/agent/_fastrun.c).

Everything else is in pyproject.toml. The extension is `optional`: where no C compiler
or no Python headers exist, the install goes on without it and the agent uses the
pure-Python wrapper (inspector/agent/runs.py), which does the same thing, slower.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("inspector.agent._fastrun", ["inspector/agent/_fastrun.c"], optional=True),
    ],
)
