"""`--help` is read by people who installed with pip: it names no file of the repository
(they do not have docs/ or examples/)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from inspector.cli import COMMANDS
from tests.helpers import ENV, REPO


@pytest.mark.parametrize("command", [(), *((name,) for name in COMMANDS)])
def test_help_points_at_no_path_of_the_repository(command):
    p = subprocess.run([sys.executable, "-m", "inspector", *command, "--help"],
                       env={**ENV, "PYTHONPATH": str(REPO), "COLUMNS": "200"},
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert not re.search(r"\b(?:docs|examples|tests|benchmarks)/", p.stdout), p.stdout
