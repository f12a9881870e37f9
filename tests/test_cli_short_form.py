"""The short form takes `run`'s options before the script, as it takes `--web`:
`tfsess-inspect --no-tui x.py` is `tfsess-inspect run --no-tui x.py`. Real processes."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ENV, REPO


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "inspector", *args], cwd=cwd,
                          env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=120)


def test_no_tui_before_the_script_runs_it_without_the_live_view(tmp_path):
    (tmp_path / "x.py").write_text("import sys\nprint('args', sys.argv[1:])\n")
    p = cli("--no-tui", "-o", "t.jsonl", "x.py", "--no-tui", "-v", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "args ['--no-tui', '-v']\n"
    assert "tfsess-inspect: sessions 0 · runs 0" in p.stderr
    assert (tmp_path / "t.jsonl").exists()


def test_run_options_before_the_script_in_any_order_and_form(tmp_path):
    (tmp_path / "x.py").write_text("print('ran')\n")
    p = cli("--memory-interval=0", "--fail-on", "error", "--no-tui", "--output=t.jsonl", "x.py",
            cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "ran\n" and (tmp_path / "t.jsonl").exists()


def test_no_tui_before_a_trace_says_what_to_do_in_one_line(tmp_path):
    (tmp_path / "t.jsonl").write_text('{"ev":"header","format":"tfsess-trace","version":1}\n')
    p = cli("--no-tui", "t.jsonl", cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.count("\n") == 1, p.stderr
    assert p.stderr.startswith("tfsess-inspect: ") and "replay" in p.stderr


def test_no_tui_and_no_script_is_one_line(tmp_path):
    p = cli("--no-tui", cwd=tmp_path)
    assert p.returncode == 2 and p.stderr == (
        "tfsess-inspect: no script given: tfsess-inspect run [--no-tui] script.py [args...]\n")
