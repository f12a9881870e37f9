"""Places the trace does not have (a session made, run or garbage-collected by a thread
that runs no Python code of the script) never reach an interface as a placeholder:
`report --format json` has null file and line, the text says it in words, SARIF has no
made-up URI, the Chrome export no `?:0`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ENV, REPO, Result, report_json, run_recorded

SCRIPT = REPO / "tests" / "scripts" / "unknown_sites.py"
NO_PLACE = "no line of the script on the stack"


def _cli(*args: str) -> str:
    p = subprocess.run([sys.executable, "-m", "inspector", *args], env={**ENV, "PYTHONPATH": str(REPO)},
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Result:
    cwd: Path = tmp_path_factory.mktemp("unknown")
    r = run_recorded(SCRIPT, trace=cwd / "unknown.jsonl", cwd=cwd)
    assert r.code == 0, r.stderr[-2000:]
    assert "failed: RuntimeError Attempted to use a closed Session." in r.stdout
    return r


def _placeholders(value, path="") -> list[str]:
    """Every "?" string and every 0 line in a JSON value, by path."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "line" and item == 0:
                found.append(f"{path}.line")
            found += _placeholders(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _placeholders(item, f"{path}[{i}]")
    elif value == "?":
        found.append(path)
    return found


def test_json_has_null_file_and_line_where_the_trace_has_no_place(recorded):
    report = report_json(recorded.trace)
    first, second = sorted(report["sessions"], key=lambda s: s["id"])
    assert first["created"] == {"file": None, "line": None}
    assert first["closed"] == {"file": None, "line": None, "how": "gc"}
    assert second["created"] == {"file": str(SCRIPT), "line": 46}
    [finding] = report["findings"]
    assert finding["kind"] == "run-after-close"
    assert (finding["file"], finding["line"], finding["function"]) == (None, None, None)
    assert {"role": "closed", "file": str(SCRIPT), "line": 47, "how": "explicit"} in finding["related"]
    assert _placeholders(report) == []


def test_text_says_in_words_what_it_does_not_know(recorded):
    text = recorded.stderr[recorded.stderr.rfind("tfsess-inspect: sessions "):]
    assert "?:0" not in text and "?" not in text.replace("?)", ""), text
    session = next(line for line in text.splitlines() if line.startswith("  Session #1 "))
    assert f"created ({NO_PLACE}), closed by garbage collection ({NO_PLACE})" in session, session
    assert f"  error   run-after-close  ({NO_PLACE})\n" in text, text
    assert _cli("report", str(recorded.trace)).count(NO_PLACE) == 3


def test_sarif_has_no_made_up_location(recorded):
    log = json.loads(_cli("report", str(recorded.trace), "--format", "sarif"))
    [result] = log["runs"][0]["results"]
    [location] = result["locations"]
    # no file of its own: put on the script, with no region
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("/unknown_sites.py")
    assert "region" not in location["physicalLocation"]
    assert "logicalLocations" not in location
    assert '"?"' not in json.dumps(log)


def test_chrome_export_has_no_placeholder_sites(recorded, tmp_path):
    out = tmp_path / "unknown.chrome.json"
    _cli("export", str(recorded.trace), "-o", str(out))
    doc = json.loads(out.read_text())
    args = [e.get("args", {}) for e in doc["traceEvents"]]
    texts = [str(a.get(k)) for a in args for k in ("created", "closed", "site", "at", "where") if k in a]
    assert not [t for t in texts if t.startswith("?")], texts
    assert f"{NO_PLACE} (gc)" in texts and "unknown" in texts
    assert not [a for a in args if a.get("function") == "?"]
