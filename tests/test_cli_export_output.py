"""`export` says what it wrote, and keeps an existing file unless told `--force`. Real processes."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import ENV, REPO
from tests.test_export_chrome import _synthetic_trace


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "inspector", *args], cwd=cwd,
                          env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=120)


def test_export_says_what_it_wrote(tmp_path):
    _synthetic_trace(tmp_path / "t.jsonl", 3)
    p = cli("export", "t.jsonl", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == "", p.stderr
    assert p.stderr == ("tfsess-inspect: wrote t.chrome.json (Chrome trace events: 1 session, "
                        "3 runs, 0 findings): open it in ui.perfetto.dev or chrome://tracing\n")
    assert json.loads((tmp_path / "t.chrome.json").read_text())["traceEvents"]


def test_export_keeps_an_existing_file_unless_forced(tmp_path):
    _synthetic_trace(tmp_path / "t.jsonl", 3)
    (tmp_path / "mine.json").write_text("my own file\n")
    p = cli("export", "t.jsonl", "-o", "mine.json", cwd=tmp_path)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == ("tfsess-inspect: mine.json exists: --force overwrites it "
                        "(or give another file with -o)\n")
    assert (tmp_path / "mine.json").read_text() == "my own file\n"
    p = cli("export", "t.jsonl", "-o", "mine.json", "--force", cwd=tmp_path)
    assert p.returncode == 0 and p.stderr.startswith("tfsess-inspect: wrote mine.json "), p.stderr
    assert json.loads((tmp_path / "mine.json").read_text())["traceEvents"]


def test_export_to_stdout_writes_only_the_json(tmp_path):
    _synthetic_trace(tmp_path / "t.jsonl", 3)
    p = cli("export", "t.jsonl", "-o", "-", cwd=tmp_path)
    assert p.returncode == 0 and p.stderr == ""
    assert json.loads(p.stdout)["traceEvents"]
