"""What the README quotes of the tool's output is what the tool prints: each finding's
example and the `run --no-tui` summary, checked against real runs of the scripts they
come from (`…` in a quote stands for words left out; line breaks do not count)."""

from __future__ import annotations

import concurrent.futures
import re

import pytest

from tests.helpers import REPO, run_recorded

README = (REPO / "README.md").read_text()
_FINDING_ROW = re.compile(r"^\| `([a-z-]+)` \| (error|warning|info) \| `(.+)` \|$", re.M)
_SCRIPT = re.compile(r"\b([a-z_]+\.py):\d+")


def _where(name: str):
    for folder in ("examples", "tests/scenarios"):
        if (REPO / folder / name).exists():
            return REPO / folder / name
    raise AssertionError(f"the README quotes {name}, which is in neither examples/ nor tests/scenarios/")


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def summary_of(tmp_path_factory, scenario_runs):
    """`run --no-tui`'s stderr for a script quoted by the README: the examples run here,
    once, two at a time, from the repo's root (the summary's paths are relative to it, as
    in the README); the scenarios' recorded runs are shared with tests/test_scenarios.py."""
    traces = tmp_path_factory.mktemp("readme")
    quoted = {_where(m.group(1)) for m in _SCRIPT.finditer(README)}
    examples = sorted(p for p in quoted if p.parent.name == "examples")

    def record(script) -> tuple[str, str]:
        result = run_recorded(script.relative_to(REPO), trace=traces / f"{script.stem}.jsonl",
                              cwd=REPO, timeout=300)
        return script.name, _flat(result.stderr)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        outputs = dict(pool.map(record, examples))
    outputs.update((f"{stem}.py", _flat(recorded.stderr))
                   for stem, (_, recorded) in scenario_runs.items())
    return lambda script: outputs[script.name]


def _assert_quoted(quote: str, said: str) -> None:
    pieces = [_flat(p) for p in quote.split("…") if p.strip()]
    at = 0
    for piece in pieces:  # in this order, with anything in between
        found = said.find(piece, at)
        assert found >= 0, f"the README quotes {piece!r}; the tool said:\n{said}"
        at = found + len(piece)


ROWS = _FINDING_ROW.findall(README)


def test_the_readme_has_an_example_of_every_finding_kind():
    from inspector.analysis.findings import KINDS

    assert sorted(kind for kind, _, _ in ROWS) == sorted(KINDS)


@pytest.mark.parametrize("kind,severity,quote", ROWS, ids=[r[0] for r in ROWS])
def test_each_findings_example_is_what_the_tool_prints(kind, severity, quote, summary_of):
    script = _where(_SCRIPT.search(quote).group(1))
    said = summary_of(script)
    assert _flat(f"{severity} {kind}") in said, said
    _assert_quoted(quote, said)


def test_the_run_no_tui_summary_is_what_the_tool_prints(summary_of):
    block = re.search(r"^\$ tfsess-inspect run --no-tui (\S+)\n(.*?)^```", README, re.M | re.S)
    script, lines = REPO / block.group(1), block.group(2).splitlines()
    said = summary_of(script)
    quoted = "…".join(line for line in lines if line.startswith(("tfsess-inspect:", "  ")))
    _assert_quoted(quoted, said)
