"""`tfsess-inspect report TRACE [--format text|json|sarif]`: the findings of a trace."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from inspector.analysis.report import build_report
from inspector.commands._load import load_trace
from inspector.commands._summary import print_summary

HELP = "print the sessions and findings of a recorded trace"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("trace", help="a trace file written by `tfsess-inspect run`")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                        help="text for people (default), json for tools (a documented, versioned "
                             "interface: report-json.md in the project's documentation), "
                             "sarif for code scanning (SARIF 2.1.0)")


def run(args: argparse.Namespace) -> int:
    loaded = load_trace(args.trace)
    if args.format == "json":
        report = build_report(loaded.state, loaded.findings, cut=loaded.cut)
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "sarif":
        from inspector import __version__
        from inspector.analysis.sarif import build_sarif

        log = build_sarif(loaded.state, loaded.findings, tool_version=__version__, cut=loaded.cut)
        sys.stdout.write(json.dumps(log, indent=2, ensure_ascii=False) + "\n")
    else:
        print_summary(Console(highlight=False), loaded.state, loaded.findings, args.trace, loaded.cut)
    return 0
