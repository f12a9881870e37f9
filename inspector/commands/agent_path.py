"""`tfsess-inspect agent-path`: the directory to put on PYTHONPATH so that a Python process
started by something else (a scheduler, a launcher script) records itself into
`$TFSESS_INSPECT_TRACE` (inspector/agent/job.py)."""

from __future__ import annotations

import argparse
import os

from inspector.agent.children import SITE_DIR

HELP = ("print the directory to put first on PYTHONPATH so that any Python process with "
        "TFSESS_INSPECT_TRACE=FILE in its environment records itself into FILE (for jobs "
        "started by a scheduler or a launcher)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ('example: TFSESS_INSPECT_TRACE=job.jsonl '
                     'PYTHONPATH="$(tfsess-inspect agent-path)" python train.py')


def run(args: argparse.Namespace) -> int:
    print(os.path.abspath(SITE_DIR))
    return 0
