""".ci/run fails where a newcomer's fresh environment would: it installs into a fresh
virtual environment of its own (so a dependency the project does not declare is not
there), and a run of pytest that collected nothing (exit 5) is a failure, said so.
Each case is a tiny project of its own with a copy of .ci/run, run for real."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.helpers import REPO

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "tfsess-ci-probe"
version = "0"

[project.optional-dependencies]
test = ["pytest"]

[tool.setuptools]
py-modules = []
"""


def _ci_run(tmp_path, test_file: str) -> subprocess.CompletedProcess:
    project = tmp_path / "project"
    (project / ".ci").mkdir(parents=True)
    shutil.copy(REPO / ".ci" / "run", project / ".ci" / "run")
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "tests").mkdir()
    (project / "tests" / "test_probe.py").write_text(test_file)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(["bash", ".ci/run"], cwd=project, capture_output=True, text=True,
                          env={**env, "TFSESS_CI_VENV": str(tmp_path / "venv")}, timeout=600)


@pytest.fixture
def undeclared() -> str:
    """A package the machine's python3 has but the probe project does not declare."""
    for name in ("click", "attrs", "certifi", "idna", "docutils"):
        found = subprocess.run(["python3", "-c", f"import {name}"], capture_output=True)
        if found.returncode == 0:
            return name
    pytest.skip("NOT TESTED: the machine's python3 has none of the probe packages")


def test_a_dependency_the_project_does_not_declare_fails_ci(tmp_path, undeclared):
    p = _ci_run(tmp_path, f"import {undeclared}\n\n\ndef test_uses_it():\n    pass\n")
    assert p.returncode != 0, p.stdout + p.stderr
    assert f"No module named '{undeclared}'" in p.stdout, p.stdout + p.stderr


def test_no_tests_collected_fails_ci_and_says_so(tmp_path):
    p = _ci_run(tmp_path, "def helper():\n    pass\n")
    assert p.returncode == 1, p.stdout + p.stderr
    assert ".ci/run: pytest collected no tests (exit 5)" in p.stderr, p.stderr
