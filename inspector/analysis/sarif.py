"""The `report --format sarif` object: SARIF 2.1.0, for code-scanning tools.

One rule per finding kind (help text from `findings.KINDS`), one result per finding at
the line it is about, with the session's created/closed/entered lines as related
locations. Paths under the trace's working directory are written relative to it, with
the `uriBaseId` "CWD" (its absolute URI in `originalUriBaseIds`), so a run made from a
repository's root shows up on that repository's files; other paths are absolute
`file://` URIs.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from inspector.analysis.findings import KINDS
from inspector.analysis.model import (
    Finding,
    Related,
    cell_place,
    known_file,
    known_function,
    known_line,
)
from inspector.analysis.state import TraceState

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
BASE_ID = "CWD"

# SARIF's levels: error, warning, note (our "info").
LEVELS = {"error": "error", "warning": "warning", "info": "note"}

# The severity each kind is always reported with (docs/report-json.md).
DEFAULT_SEVERITY = {
    "run-after-close": "error",
    "no-default-session": "error",
    "graph-mismatch": "error",
    "eager-in-session": "error",
    "session-leak": "warning",
    "double-close": "info",
}

_ROLE_WORDS = {
    "created": "session created here",
    "closed": "session closed here",
    "entered": "session made the default here",
    "default-ended": "session stopped being the default here",
}


def _rule_name(kind: str) -> str:
    """run-after-close -> RunAfterClose (SARIF's `name` is a PascalCase identifier)."""
    return "".join(part.capitalize() for part in kind.replace("_", "-").split("-") if part)


def _rule(kind: str) -> dict[str, Any]:
    text = KINDS.get(kind, kind)
    rule: dict[str, Any] = {
        "id": kind,
        "name": _rule_name(kind),
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text},
    }
    severity = DEFAULT_SEVERITY.get(kind)
    if severity:
        rule["defaultConfiguration"] = {"level": LEVELS[severity]}
    return rule


def _base_uri(cwd: str) -> str:
    uri = PurePosixPath(cwd).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def artifact_location(file: str, cwd: str | None) -> dict[str, Any]:
    """A relative URI against CWD when `file` is under `cwd`, else an absolute file URI."""
    if cwd and os.path.isabs(file) and os.path.isabs(cwd):
        rel = posixpath.relpath(posixpath.normpath(file), posixpath.normpath(cwd))
        if rel != "." and not rel.startswith("../") and rel != "..":
            return {"uri": quote(rel), "uriBaseId": BASE_ID}
    if os.path.isabs(file):
        return {"uri": PurePosixPath(file).as_uri()}
    return {"uri": quote(file)}


def _physical(file: str, line: int | None, cwd: str | None) -> dict[str, Any]:
    loc: dict[str, Any] = {"artifactLocation": artifact_location(file, cwd)}
    if known_line(line) is not None:
        loc["region"] = {"startLine": line}
    return loc


def _related(i: int, r: Related, cwd: str | None, notebook: str | None) -> dict[str, Any]:
    words = _ROLE_WORDS.get(r.role, r.role)
    if r.how:
        words += f" ({r.how})"
    if r.cell is not None:
        # A cell has no line of the .ipynb file: the notebook, and the cell in words.
        out: dict[str, Any] = {"id": i, "message": {"text": f"{words} ({cell_place(r.cell, r.line)})"}}
        if notebook:
            out["physicalLocation"] = {"artifactLocation": artifact_location(notebook, cwd)}
        return out
    return {"id": i, "message": {"text": words}, "physicalLocation": _physical(r.file, r.line, cwd)}


def _result(f: Finding, rule_index: int, cwd: str | None, fallback_file: str | None,
            notebook: str | None = None) -> dict[str, Any]:
    # A finding with no file of its own (no line of the script was on the stack) is put on
    # the script, with no region; with no script either, it has no physical location
    # rather than a made-up "?" URI.
    file = known_file(f.file)
    line = known_line(f.line) if file else None
    file = file or fallback_file
    location: dict[str, Any] = {}
    function = known_function(f.function)
    if f.cell is not None:
        # In a notebook's cell: the notebook when the trace knows its file (no region: a
        # cell's line is no line of the .ipynb file), and the cell as the logical
        # location, `cell [7]`; never the kernel's temporary name for the cell's code.
        if notebook:
            location["physicalLocation"] = {"artifactLocation": artifact_location(notebook, cwd)}
        location["logicalLocations"] = [{"name": cell_place(f.cell, None), "kind": "module"}]
    else:
        if file:
            location["physicalLocation"] = _physical(file, line, cwd)
        if function:
            location["logicalLocations"] = [{"name": function, "kind": "function"}]
    result: dict[str, Any] = {
        "ruleId": f.kind,
        "ruleIndex": rule_index,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f.message},
        "properties": {"session": f.session, "event": f.event,
                       **({"cell": f.cell, "cellLine": known_line(f.line)}
                          if f.cell is not None else {})},
    }
    if location:
        result["locations"] = [location]
    related = [_related(i, r, cwd, notebook) for i, r in enumerate(f.related, 1)
               if known_file(r.file)]
    if related:
        result["relatedLocations"] = related
    return result


def build_sarif(state: TraceState, findings: list[Finding], *, tool_version: str,
                cut: bool = False) -> dict[str, Any]:
    """The whole SARIF log (a dict ready for json.dumps)."""
    kinds = list(KINDS)
    kinds += sorted({f.kind for f in findings} - set(kinds))  # a kind newer than KINDS
    index = {k: i for i, k in enumerate(kinds)}
    cwd = state.header.get("cwd") if isinstance(state.header.get("cwd"), str) else None
    script = state.header.get("script") if isinstance(state.header.get("script"), str) else None
    if script and cwd and not os.path.isabs(script) and not state.header.get("module"):
        script = os.path.join(cwd, script)
    notebook = state.notebook if state.notebook and state.notebook.endswith(".ipynb") else None
    if notebook and cwd and not os.path.isabs(notebook):
        notebook = os.path.join(cwd, notebook)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "tfsess-inspect",
                "version": tool_version,
                "rules": [_rule(k) for k in kinds],
            }
        },
        "results": [_result(f, index[f.kind], cwd, script, notebook) for f in findings],
        "columnKind": "unicodeCodePoints",
    }
    if cwd and os.path.isabs(cwd):
        run["originalUriBaseIds"] = {BASE_ID: {"uri": _base_uri(cwd)}}
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if state.exit.code is not None:
        invocation["properties"] = {"scriptExitCode": state.exit.code}
    if cut:
        invocation["toolExecutionNotifications"] = [{
            "level": "warning",
            "message": {"text": "the trace ends in a cut line: the script died while it was being written"},
        }]
    run["invocations"] = [invocation]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
