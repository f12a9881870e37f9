from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

from tests.helpers import SCENARIOS, Result, run_plain, run_recorded


@pytest.fixture(scope="session")
def scenario_runs(tmp_path_factory) -> dict[str, tuple[Result, Result]]:
    """Every scenario once plainly and once recorded (TensorFlow's import cost is paid
    once per script and mode, two at a time)."""
    out_dir: Path = tmp_path_factory.mktemp("scenarios")
    scripts = sorted(p for p in SCENARIOS.glob("*.py") if p.name != "check_plain.py")

    def both(script: Path) -> tuple[str, tuple[Result, Result]]:
        plain = run_plain(script, cwd=out_dir)
        recorded = run_recorded(script, trace=out_dir / f"{script.stem}.jsonl", cwd=out_dir)
        return script.stem, (plain, recorded)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(both, scripts))
