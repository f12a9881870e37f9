"""The scenario suite under each TensorFlow release, one table out (run by hand, and by
.ci/run for the oldest supported release; not by the test suite).

    python3 scripts/tf_matrix.py                     # 2.12 2.15 2.16 2.21
    python3 scripts/tf_matrix.py 2.12 2.13 2.14      # chosen releases
    python3 scripts/tf_matrix.py --write-doc         # and put the table in docs/compatibility.md
    python3 scripts/tf_matrix.py --check 2.12        # exit 1 unless every scenario is exact

For each release a virtual environment with that TensorFlow (newest patch of the
release) and this package's dependencies, made once under --cache and reused; then
`pytest tests/test_scenarios.py tests/test_tf_suites.py` in it with this checkout on
PYTHONPATH. Each scenario is run plainly and recorded and has three tests: its findings
(`expect: finding=`), its closes and run count, and transparency (same exit code,
stdout and stderr as the plain run). "exact" counts scenarios whose findings, closes
and runs are all as expected; "missed" names the others; "transparency" counts the
scenarios whose recorded run behaved as the plain one.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

REPO = Path(__file__).resolve().parent.parent
DEFAULT_VERSIONS = ("2.12", "2.15", "2.16", "2.21")
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tfsess-inspect" / "tf-matrix"
DOC = REPO / "docs" / "compatibility.md"
BEGIN, END = "<!-- tf-matrix:begin -->", "<!-- tf-matrix:end -->"
TESTS = ("tests/test_scenarios.py", "tests/test_tf_suites.py")
_CASE = re.compile(r"^(test_\w+)\[(.+)\]$")
_FINDINGS = "test_scenario_findings_match_its_expectations"
_CLOSES = "test_scenario_closes_and_runs_are_recorded"
_BEHAVES = "test_scenario_behaves_as_without_the_recorder"


@dataclass
class Result:
    release: str
    tensorflow: str = "?"
    scenarios: set[str] = field(default_factory=set)
    missed: dict[str, list[str]] = field(default_factory=dict)  # scenario -> failed checks
    opaque: set[str] = field(default_factory=set)  # transparency failures
    other_failures: list[str] = field(default_factory=list)  # e.g. the TF suites
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.error or self.missed or self.opaque or self.other_failures)


def requirements(release: str) -> list[str]:
    """This package's runtime dependencies, the test tools the scenario suite uses, and
    the chosen TensorFlow."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    test_tools = [r for r in project["optional-dependencies"]["test"]
                  if r.split("=")[0].split("<")[0].split(">")[0].strip() in ("pytest", "hypothesis")]
    return [*project["dependencies"], *test_tools, f"tensorflow=={release}.*"]


def venv_for(release: str, cache: Path, python: str) -> Path:
    """The cached virtual environment of one release (made on first use)."""
    env = cache / release
    ready = env / ".tf-matrix-ready"
    wanted = "\n".join(requirements(release))
    if ready.exists() and ready.read_text() == wanted:
        return env
    print(f"tf_matrix: making {env} (TensorFlow {release}, a few minutes)", file=sys.stderr)
    subprocess.run([python, "-m", "venv", "--clear", str(env)], check=True)
    pip = [str(env / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", *requirements(release)], check=True)
    ready.write_text(wanted)
    return env


def installed_tensorflow(env: Path) -> str:
    p = subprocess.run([str(env / "bin" / "python"), "-c",
                        "import importlib.metadata as m; print(m.version('tensorflow'))"],
                       capture_output=True, text=True)
    return p.stdout.strip() or "?"


def run_suite(release: str, env: Path) -> Result:
    result = Result(release, installed_tensorflow(env))
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "junit.xml"
        cmd = [str(env / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
               f"--junitxml={xml}", *TESTS]
        started = time.monotonic()
        p = subprocess.run(cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                           capture_output=True, text=True)
        result.seconds = time.monotonic() - started
        if not xml.exists():
            result.error = f"pytest exited {p.returncode} without a report: {p.stdout[-500:]}{p.stderr[-500:]}"
            return result
        read_junit(xml, result)
    if not result.scenarios:
        result.error = "no scenario ran"
    if p.returncode not in (0, 1) and not result.error:
        result.error = f"pytest exited {p.returncode}"
    return result


def read_junit(xml: Path, result: Result) -> None:
    for case in ET.parse(xml).getroot().iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        m = _CASE.match(case.get("name", ""))
        if m is None or m.group(1) not in (_FINDINGS, _CLOSES, _BEHAVES):
            if failed:
                result.other_failures.append(f"{case.get('classname')}::{case.get('name')}")
            continue
        test, scenario = m.groups()
        result.scenarios.add(scenario)
        if not failed:
            continue
        if test == _BEHAVES:
            result.opaque.add(scenario)
        else:
            what = "findings" if test == _FINDINGS else "closes/runs"
            result.missed.setdefault(scenario, []).append(what)


def table(results: list[Result]) -> str:
    lines = ["| TensorFlow | scenarios exact | missed | transparency |",
             "|---|---|---|---|"]
    for r in results:
        n = len(r.scenarios)
        if r.error:
            lines.append(f"| {r.tensorflow} ({r.release}) | error | {r.error.splitlines()[0][:80]} | |")
            continue
        missed = ", ".join(f"`{s}` ({'+'.join(w)})" for s, w in sorted(r.missed.items())) or "none"
        transparency = f"{n - len(r.opaque)}/{n}"
        if r.opaque:
            transparency += " (differs: " + ", ".join(f"`{s}`" for s in sorted(r.opaque)) + ")"
        lines.append(f"| {r.tensorflow} | {n - len(r.missed)}/{n} | {missed} | {transparency} |")
    others = [f"{r.tensorflow}: {f}" for r in results for f in r.other_failures]
    if others:
        lines += ["", "Other failures: " + "; ".join(others)]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text()
    start, end = doc.index(BEGIN) + len(BEGIN), doc.index(END)
    stamp = time.strftime("%Y-%m-%d")
    DOC.write_text(f"{doc[:start]}\n_Last run {stamp}, Python {sys.version.split()[0]}, "
                   f"`python3 scripts/tf_matrix.py --write-doc "
                   f"{' '.join(_ARGS.versions)}`:_\n\n{text}\n{doc[end:]}")


def main(argv: list[str] | None = None) -> int:
    global _ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("versions", nargs="*", default=list(DEFAULT_VERSIONS),
                        help="TensorFlow releases (major.minor); default: %(default)s")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="where the virtual environments are kept (default: %(default)s)")
    parser.add_argument("--python", default=sys.executable,
                        help="the Python the environments are made with (default: this one)")
    parser.add_argument("--write-doc", action="store_true",
                        help=f"replace the table in {DOC.relative_to(REPO)}")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless every scenario is exact and transparent")
    _ARGS = args = parser.parse_args(argv)
    for v in args.versions:
        if not re.fullmatch(r"\d+\.\d+", v):
            parser.error(f"{v!r} is not a release like 2.12")
    results = []
    for release in args.versions:
        try:
            env = venv_for(release, args.cache, args.python)
        except subprocess.CalledProcessError as exc:
            results.append(Result(release, error=f"could not make its environment ({exc})"))
            continue
        print(f"tf_matrix: TensorFlow {release}: running the scenario suite", file=sys.stderr)
        r = run_suite(release, env)
        print(f"tf_matrix: TensorFlow {r.tensorflow}: {len(r.scenarios) - len(r.missed)}/"
              f"{len(r.scenarios)} exact, {r.seconds:.0f} s", file=sys.stderr)
        results.append(r)
    text = table(results)
    print(text)
    if args.write_doc:
        write_doc(text)
    return 0 if all(r.ok for r in results) or not args.check else 1


_ARGS: argparse.Namespace


if __name__ == "__main__":
    sys.exit(main())
