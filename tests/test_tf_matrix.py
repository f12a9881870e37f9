"""scripts/tf_matrix.py turns a pytest JUnit report of the scenario suite into one row per
TensorFlow release (the script itself is run by hand and by .ci/run, not here)."""

from __future__ import annotations

import importlib.util
import sys

from tests.helpers import REPO

_spec = importlib.util.spec_from_file_location("tf_matrix", REPO / "scripts" / "tf_matrix.py")
tf_matrix = importlib.util.module_from_spec(_spec)
sys.modules["tf_matrix"] = tf_matrix  # dataclasses look their module up while the file runs
_spec.loader.exec_module(tf_matrix)

JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_scenarios" name="test_scenario_behaves_as_without_the_recorder[a]"/>
<testcase classname="tests.test_scenarios" name="test_scenario_behaves_as_without_the_recorder[b]"><failure message="x"/></testcase>
<testcase classname="tests.test_scenarios" name="test_scenario_findings_match_its_expectations[a]"/>
<testcase classname="tests.test_scenarios" name="test_scenario_findings_match_its_expectations[b]"><failure message="x"/></testcase>
<testcase classname="tests.test_scenarios" name="test_scenario_closes_and_runs_are_recorded[a]"/>
<testcase classname="tests.test_scenarios" name="test_scenario_closes_and_runs_are_recorded[b]"><failure message="x"/></testcase>
<testcase classname="tests.test_tf_suites" name="test_suite[session_test]"><skipped message="absent"/></testcase>
</testsuite></testsuites>"""


def test_a_junit_report_becomes_one_row(tmp_path):
    xml = tmp_path / "junit.xml"
    xml.write_text(JUNIT)
    r = tf_matrix.Result("2.12", "2.12.1")
    tf_matrix.read_junit(xml, r)
    assert r.scenarios == {"a", "b"} and r.opaque == {"b"} and not r.other_failures
    assert r.missed == {"b": ["findings", "closes/runs"]} and not r.ok
    row = tf_matrix.table([r]).splitlines()[-1]
    assert row == "| 2.12.1 | 1/2 | `b` (findings+closes/runs) | 1/2 (differs: `b`) |"


def test_requirements_pin_the_release_and_take_the_package_dependencies():
    reqs = tf_matrix.requirements("2.15")
    assert reqs[-1] == "tensorflow==2.15.*"
    assert any(r.startswith("textual") for r in reqs) and any(r.startswith("pytest") for r in reqs)


def test_the_tensorflow_extra_and_ci_follow_the_tested_range():
    import tomllib

    from inspector.agent import patches

    (lo_major, lo_minor), (hi_major, hi_minor) = patches.TESTED_RANGE
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extra["tensorflow"] == [f"tensorflow>={lo_major}.{lo_minor},<{hi_major}.{hi_minor + 1}"]
    # CI runs the scenario suite on the oldest release too, and fails when it is not exact.
    ci = (REPO / ".ci" / "run").read_text()
    assert f"python scripts/tf_matrix.py --check --cache \"$oldest\" {lo_major}.{lo_minor}\n" in ci
