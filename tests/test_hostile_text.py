"""User-controlled text (file paths, messages, names) is shown literally: never read as
Rich markup, never sent to the terminal as an escape sequence."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import ENV, REPO

ESC = "\x1b"


def _trace(tmp_path, name: str) -> str:
    header = {"ev": "header", "format": "tfsess-trace", "version": 1, "pid": 1, "script": name,
              "argv": [name]}
    lines = [
        header,
        {"ev": "site", "pid": 1, "id": 1, "file": f"/x/{name}", "line": 3, "func": "f", "stack": []},
        {"ev": "site", "pid": 1, "id": 2, "file": f"/x/{name}", "line": 5, "func": "f", "stack": []},
        {"ev": "sess", "pid": 1, "s": 1, "ts": 1, "kind": "Sess[bold]ion", "target": "", "graph": 1,
         "site": 1, "th": 1},
        {"ev": "close", "pid": 1, "s": 1, "ts": 2, "how": f"explicit{ESC}[2J", "site": 1, "th": 1},
        {"ev": "runerr", "s": 1, "ts": 3, "dur": 1, "k": "run", "site": 2, "fs": 0, "th": 1, "pid": 1,
         "exc": "RuntimeError", "msg": f"[link=http://evil]click[/link] {ESC}]8;;http://evil{ESC}\\x"},
    ]
    p = tmp_path / "hostile.jsonl"
    p.write_text("".join(json.dumps(e) + "\n" for e in lines))
    return str(p)


def test_report_text_shows_markup_and_escapes_literally(tmp_path):
    trace = _trace(tmp_path, "we[bold]ird[/bold].py")
    p = subprocess.run([sys.executable, "-m", "inspector", "report", trace],
                       env={**ENV, "PYTHONPATH": str(REPO), "FORCE_COLOR": "1", "COLUMNS": "300"},
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "we[bold]ird[/bold].py" in out
    assert "Sess[bold]ion" in out
    assert "[link=http://evil]click[/link]" in out
    # Rich's own styling uses ESC[...m; nothing else of ours may contain an ESC.
    stripped = __import__("re").sub(r"\x1b\[[0-9;]*m", "", out)
    assert ESC not in stripped
    assert "␛" in stripped


def test_report_json_keeps_the_text_exact(tmp_path):
    trace = _trace(tmp_path, "we[bold]ird[/bold].py")
    p = subprocess.run([sys.executable, "-m", "inspector", "report", trace, "--format", "json"],
                       env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    report = json.loads(p.stdout)
    assert report["findings"][0]["file"] == "/x/we[bold]ird[/bold].py"
    assert ESC in report["findings"][0]["message"]  # data stays data: escaping is the viewer's job
