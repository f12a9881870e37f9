"""Notebooks (issue #17): the extension in a real ipykernel driven by jupyter_client, and
`tfsess-inspect run NOTEBOOK.ipynb` on notebooks written with nbformat.

Kernels are slow to start and each imports TensorFlow: the CLI runs (seed notebook,
clean notebook) go two at a time in a module fixture, and the kernel-client tests share
one kernel, in the order the story needs (cells executed out of order, then `%tfsess`,
then `%tfsess off`)."""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import jsonschema
import nbformat
import pytest

from inspector.integrations.notebook.runner import start_kernel
from tests.helpers import ENV, REPO, Result, report_json, run_recorded
from tests.test_ci_gate import _official_schema

KERNEL_ENV = {**ENV, "PYTHONPATH": str(REPO)}

SEED_CELLS = [
    "import tensorflow as tf\ntf.compat.v1.disable_eager_execution()",
    "sess = tf.compat.v1.Session()\nx = tf.constant(3)",
    "sess.close()",
    "print('before the run')\nresult = sess.run(x)\nprint(result)",
]
CLEAN_CELLS = [
    "import tensorflow as tf\ntf.compat.v1.disable_eager_execution()",
    "x = tf.constant(2) * 3",
    "with tf.compat.v1.Session() as sess:\n    print('value', sess.run(x))",
]


def write_notebook(path: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("A notebook for tfsess-inspect's tests.")]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in cells]
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory) -> tuple[Path, dict[str, Result]]:
    cwd: Path = tmp_path_factory.mktemp("nb-cli")
    write_notebook(cwd / "seed.ipynb", SEED_CELLS)
    write_notebook(cwd / "clean.ipynb", CLEAN_CELLS)

    def one(name: str) -> tuple[str, Result]:
        return name, run_recorded(f"{name}.ipynb", trace=cwd / f"{name}.jsonl", cwd=cwd,
                                  extra=("--fail-on", "error"))

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return cwd, dict(pool.map(one, ["seed", "clean"]))


def test_seed_notebook_finding_at_the_cell_and_line_with_its_explanation_inline(cli_runs):
    cwd, runs = cli_runs
    seed = runs["seed"]
    assert seed.code == 1, seed.stderr  # a cell raised
    # The inline block, printed by the runner from the cell's display output.
    assert "tfsess-inspect: error run-after-close at cell [4], line 2" in seed.stdout
    assert "Session #1: created cell [2], line 1, closed cell [3], line 1 (explicit)" in seed.stdout
    assert "Fix: run before close()" in seed.stdout
    assert "before the run" in seed.stdout
    assert "cell [4] (cell 5 of 5 in seed.ipynb) raised RuntimeError" in seed.stderr
    # The summary names the notebook and the cell, never the kernel's temporary file.
    assert "error   run-after-close  seed.ipynb cell [4], line 2" in seed.stderr
    assert "ipykernel_" not in seed.stderr.split("tfsess-inspect: sessions")[1]
    # The traceback is the one the cell gives without the recorder.
    assert "RuntimeError: Attempted to use a closed Session." in seed.stderr
    assert "inspector/agent" not in seed.stderr


def test_seed_notebook_report_json_and_sarif_name_the_notebook_and_the_cell(cli_runs):
    cwd, _ = cli_runs
    report = report_json(cwd / "seed.jsonl")
    (finding,) = report["findings"]
    assert finding["kind"] == "run-after-close"
    assert (finding["cell"], finding["line"]) == (4, 2)
    assert [(r["role"], r["cell"], r["line"]) for r in finding["related"]] == [
        ("created", 2, 1), ("closed", 3, 1)]
    assert report["notebook"] == str(cwd / "seed.ipynb")
    # The script is the notebook, its process the kernel (the runner's pid kept aside).
    assert report["trace"]["script"] == str(cwd / "seed.ipynb")
    assert report["trace"]["pid"] == report["sessions"][0]["pid"] != report["trace"]["runner_pid"]
    assert [(c["n"], c["ok"]) for c in report["cells"]] == [(1, True), (2, True), (3, True),
                                                             (4, False)]
    assert report["cells"][3]["error"].startswith("RuntimeError: Attempted to use a closed")
    p = subprocess.run([sys.executable, "-m", "inspector", "report", str(cwd / "seed.jsonl"),
                        "--format", "sarif"], env=KERNEL_ENV, cwd=cwd, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    sarif = json.loads(p.stdout)
    jsonschema.validate(sarif, _official_schema())
    (result,) = sarif["runs"][0]["results"]
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": "seed.ipynb",
                                                                "uriBaseId": "CWD"}
    assert location["logicalLocations"][0]["name"] == "cell [4]"
    assert result["properties"]["cell"] == 4
    related = {r["message"]["text"]: r for r in result["relatedLocations"]}
    assert related["session created here (cell [2], line 1)"]["physicalLocation"][
        "artifactLocation"]["uri"] == "seed.ipynb"


def test_clean_notebook_has_no_finding_and_no_inline_output(cli_runs):
    cwd, runs = cli_runs
    clean = runs["clean"]
    assert clean.code == 0, clean.stderr
    assert "value 6" in clean.stdout
    assert "tfsess-inspect" not in clean.stdout  # nothing under any cell
    assert "findings 0" in clean.stderr
    report = report_json(cwd / "clean.jsonl")
    assert report["findings"] == []
    assert [c["n"] for c in report["cells"]] == [1, 2, 3]


# -- the extension in a kernel driven by jupyter_client ------------------------------------
class Kernel:
    def __init__(self, cwd: Path, trace: Path) -> None:
        # (the runner's way: this interpreter's ipykernel, over Unix sockets in cwd)
        self.km, self.kc = start_kernel(str(cwd), {**KERNEL_ENV, "TFSESS_INSPECT_TRACE": str(trace)},
                                        str(cwd))

    def execute(self, code: str, silent: bool = False) -> dict:
        """Run one cell; its reply and outputs: {"status", "count", "stdout", "displays"}."""
        msg_id = self.kc.execute(code, silent=silent, store_history=not silent)
        out = {"stdout": "", "displays": [], "error": None}
        while True:
            m = self.kc.get_iopub_msg(timeout=120)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            kind, c = m["msg_type"], m["content"]
            if kind == "stream" and c["name"] == "stdout":
                out["stdout"] += c["text"]
            elif kind == "display_data":
                out["displays"].append(c["data"])
            elif kind == "error":
                out["error"] = c["ename"]
            elif kind == "status" and c["execution_state"] == "idle":
                break
        reply = self.kc.get_shell_msg(timeout=120)
        out["status"] = reply["content"]["status"]
        out["count"] = reply["content"].get("execution_count")
        return out

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


CELL_1 = ("import tensorflow as tf\ntf.compat.v1.disable_eager_execution()\n"
          "x0 = tf.constant(1)\nsess0 = tf.compat.v1.Session()  # before the extension")
CELL_2 = "sess = tf.compat.v1.Session()\nx = tf.constant(2)"
CELL_3 = "sess.close()"
CELL_4 = "y = sess.run(x)\nprint('y =', y)"


@pytest.fixture(scope="module")
def kernel_story(tmp_path_factory) -> dict:
    """One kernel: TensorFlow and a session made before `%load_ext`; then the cells
    executed 1, 2, 4, 3, 4; the early session used; `%tfsess`; `%tfsess off`; a cell
    that would give findings."""
    cwd: Path = tmp_path_factory.mktemp("nb-kernel")
    trace = cwd / "kernel.jsonl"
    k = Kernel(cwd, trace)
    try:
        story: dict = {"trace": trace}
        story["c1"] = k.execute(CELL_1)
        story["load"] = k.execute("%load_ext inspector.notebook", silent=True)
        story["c2"] = k.execute(CELL_2)
        story["c4_first"] = k.execute(CELL_4)
        story["c3"] = k.execute(CELL_3)
        story["c4_again"] = k.execute(CELL_4)
        story["early"] = k.execute("print('early', sess0.run(x0))")
        story["status"] = k.execute("%tfsess")
        story["lines_before_off"] = len(trace.read_text().splitlines())
        story["off"] = k.execute("%tfsess off")
        story["after_off"] = k.execute(
            "s3 = tf.compat.v1.Session()\ns3.close()\ntry:\n    s3.run(x)\nexcept RuntimeError:\n"
            "    print('caught')")
        story["lines_after_off"] = len(trace.read_text().splitlines())
        return story
    finally:
        k.close()


def test_out_of_order_cells_give_a_finding_that_names_the_re_run_cell(kernel_story):
    s = kernel_story
    assert [s[c]["count"] for c in ("c1", "c2", "c4_first", "c3", "c4_again")] == [1, 2, 3, 4, 5]
    assert s["c4_first"]["stdout"] == "y = 2\n" and s["c4_first"]["displays"] == []
    assert s["c4_again"]["status"] == "error"
    (shown,) = s["c4_again"]["displays"]
    text = shown["text/plain"]
    assert text.startswith("tfsess-inspect: error run-after-close at cell [5], line 1")
    assert "Session #1: created cell [2], line 1, closed cell [4], line 1 (explicit)" in text
    assert ("Cell [5] re-runs the cell executed as [3]; cell [4], executed after it, closed "
            "the session that cell [2] created: the cells ran out of order.") in text
    assert "Re-run cell [2] (it makes a new session) before this one" in text
    html = shown["text/html"]
    assert "run-after-close at cell [5], line 1" in html and 'class="tfsess-finding"' in html
    (finding,) = [f for f in report_json(s["trace"])["findings"] if f["kind"] == "run-after-close"]
    assert (finding["cell"], finding["line"]) == (5, 1)


def test_a_session_made_before_the_extension_is_adopted_when_first_used(kernel_story):
    s = kernel_story
    assert s["early"]["stdout"] == "early 1\n" and s["early"]["displays"] == []
    report = report_json(s["trace"])
    # Made in cell [1], before the recorder: first seen at its run in cell [6], as Session #2.
    early = [x for x in report["sessions"] if x["id"] == 2]
    assert early and early[0]["runs"] == 1 and early[0]["created"]["line"] == 1
    events = [json.loads(line) for line in s["trace"].read_text().splitlines()]
    (adopted,) = [e for e in events if e["ev"] == "sess" and e["s"] == 2]
    assert adopted["known"] is False


def test_tfsess_magic_says_where_the_trace_goes(kernel_story):
    out = kernel_story["status"]["stdout"]
    assert out.startswith(f"tfsess-inspect: recording · trace {kernel_story['trace']}")
    assert "sessions 2 · runs 3 · cells 6 · findings 1" in out
    assert f"tfsess-inspect follow {kernel_story['trace']}" in out


def test_tfsess_off_stops_recording(kernel_story):
    s = kernel_story
    assert "recording stopped" in s["off"]["stdout"]
    assert s["after_off"]["stdout"] == "caught\n" and s["after_off"]["displays"] == []
    # The cell `%tfsess off` (its source, its start) and the `recording` event, then
    # nothing: not the cell's end, no session, no run, no memory reading.
    lines = s["trace"].read_text().splitlines()
    new = [json.loads(x)["ev"] for x in lines[s["lines_before_off"]:]]
    assert [ev for ev in new if ev != "mem"] == ["src", "cell", "recording"]
    assert new[-1] == "recording"
    assert json.loads(lines[-1])["ev"] == "recording"
    assert json.loads(lines[-1])["on"] is False


# -- one-line errors ------------------------------------------------------------------------
def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inspector", *args], cwd=cwd, env=KERNEL_ENV,
                          capture_output=True, text=True, timeout=120)


def test_notebook_mistakes_are_one_line(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{ not json")
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    cases = {
        ("run", "--no-tui", "missing.ipynb"): "tfsess-inspect: missing.ipynb: no such file\n",
        ("missing.ipynb",): "tfsess-inspect: missing.ipynb: no such file\n",
        ("run", "--no-tui", "broken.ipynb"): "tfsess-inspect: broken.ipynb is not a notebook: not JSON",
        ("run", "--no-tui", "list.ipynb"):
            "tfsess-inspect: list.ipynb is not a notebook: JSON without a `cells` list\n",
    }
    for argv, said in cases.items():
        p = _cli(*argv, cwd=tmp_path)
        assert p.returncode == 2, (argv, p.stderr)
        assert p.stderr.startswith(said) and p.stderr.count("\n") == 1, (argv, p.stderr)


def test_a_notebook_without_ipykernel_says_how_to_install_it(tmp_path):
    bare = tmp_path / "bare"
    venv.create(bare, with_pip=False)
    write_notebook(tmp_path / "nb.ipynb", ["print(1)"])
    p = _cli("run", "--no-tui", "--python", str(bare / "bin" / "python"), "nb.ipynb", cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.startswith("tfsess-inspect: running a notebook needs ipykernel and "
                               "jupyter_client, not installed for ")
    assert p.stderr.rstrip().endswith("pip install 'tfsess-inspect[notebook]'")
    assert p.stderr.count("\n") == 1


# -- a job started by something else ---------------------------------------------------------
JOB = '''\
import sys
import tensorflow as tf
tf.compat.v1.disable_eager_execution()
x = tf.constant(5)
sess = tf.compat.v1.Session()
print("first", sess.run(x))
sess.close()
try:
    sess.run(x)
except RuntimeError:
    print("caught")
sys.exit(3)
'''


def test_the_trace_variable_records_a_plain_python_job(tmp_path):
    job = tmp_path / "job.py"
    job.write_text(JOB)
    trace = tmp_path / "job.jsonl"
    agent = subprocess.run([sys.executable, "-m", "inspector", "agent-path"], env=KERNEL_ENV,
                           capture_output=True, text=True, timeout=60)
    assert agent.returncode == 0, agent.stderr
    env = {**ENV, "TFSESS_INSPECT_TRACE": str(trace),
           "PYTHONPATH": agent.stdout.strip() + os.pathsep + str(REPO)}
    p = subprocess.run([sys.executable, "job.py"], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 3
    assert p.stdout == "first 5\ncaught\n"
    report = report_json(trace)
    assert report["trace"]["job"] is True and report["trace"]["script"] == "job.py"
    (finding,) = [f for f in report["findings"] if f["kind"] == "run-after-close"]
    assert (Path(finding["file"]).name, finding["line"]) == ("job.py", 9)
    assert report["exit"]["code"] == 3
    # tfsess-inspect's own processes leave the variable alone (a `follow` run from the
    # shell that exported it must not start the trace it follows anew).
    other = tmp_path / "other.jsonl"
    p = subprocess.run([sys.executable, "-m", "inspector", "report", str(trace)], cwd=tmp_path,
                       env={**env, "TFSESS_INSPECT_TRACE": str(other)}, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0 and "run-after-close" in p.stdout, p.stderr
    assert not other.exists()


# -- the analysis alone: synthetic cell events ------------------------------------------------
def _cells_trace(order: list[tuple[int, str]]) -> list[dict]:
    """Events of cells executed in `order` ((count, which cell)); cell "make" creates a
    session, "close" closes it, "use" runs it (and fails when it is closed)."""
    events: list[dict] = []
    ts = 0
    sess = 0
    closed: set[int] = set()
    for n, which in order:
        ts += 10
        file = f"/tmp/ipykernel_1/{which}.py"
        events += [{"ev": "src", "file": file, "sha256": None, "text": which},
                   {"ev": "cell", "ts": ts, "phase": "start", "n": n, "file": file, "id": None},
                   {"ev": "site", "id": n, "file": file, "line": 1, "func": "<module>", "stack": []}]
        if which == "make":
            sess += 1
            events.append({"ev": "sess", "s": sess, "ts": ts + 1, "kind": "Session", "site": n})
        elif which == "close":
            events.append({"ev": "close", "s": sess, "ts": ts + 1, "how": "explicit", "site": n})
            closed.add(sess)
        elif sess in closed:
            events.append({"ev": "runerr", "s": sess, "ts": ts + 1, "dur": 1, "k": "run", "site": n,
                           "fs": 0, "th": 1, "pid": 1, "exc": "RuntimeError", "msg": "closed"})
        else:
            events.append({"ev": "run", "s": sess, "ts": ts + 1, "dur": 1, "k": "run", "site": n,
                           "fs": 0, "th": 1, "pid": 1})
        events.append({"ev": "cell", "ts": ts + 5, "phase": "end", "n": n, "ok": True})
    return events


def _messages(order: list[tuple[int, str]]) -> list[str]:
    from inspector.analysis import build_state, find_all

    state = build_state({"notebook": True, "script": "nb.ipynb"}, _cells_trace(order))
    return [f.message for f in find_all(state) if f.kind == "run-after-close"]


def test_only_cells_run_out_of_order_get_the_re_run_story():
    (out_of_order,) = _messages([(1, "make"), (2, "use"), (3, "close"), (4, "use")])
    assert "Cell [4] re-runs the cell executed as [2]; cell [3], executed after it" in out_of_order
    # In order (make, close, use), and the notebook run again from the top: a new session
    # each time, no story of cells out of order.
    in_order = _messages([(1, "make"), (2, "close"), (3, "use"), (4, "make"), (5, "close"),
                          (6, "use")])
    assert len(in_order) == 2 and not any("re-runs" in m for m in in_order)
    assert "at cell [6], line 1 used Session #2" in in_order[1]


# -- a default-graph reset in a cell executed after the session's cell -----------------------
RESET_CELLS = [
    "import tensorflow as tf\ntf.compat.v1.disable_eager_execution()",
    "tf.compat.v1.reset_default_graph()\nx = tf.constant(1.0) * 2",
    "sess = tf.compat.v1.Session()",
    "try:\n    sess.run(x)\nexcept Exception as e:\n    print(type(e).__name__)",
]


@pytest.mark.parametrize("load_after_tf", [False, True], ids=["ext-first", "ext-after-import"])
def test_a_graph_reset_after_the_session_cell_is_named_by_the_graph_mismatch(tmp_path, load_after_tf):
    """Cells 1, 2, 3, then 2 again (its reset leaves the session on the old graph), then 4:
    the finding names the reset cell, the session's cell and what to re-run. With the
    extension loaded after `import tensorflow` too (tf.compat.v1 then holds the original)."""
    trace = tmp_path / "reset.jsonl"
    k = Kernel(tmp_path, trace)
    try:
        counts = []
        if load_after_tf:
            counts.append(k.execute(RESET_CELLS[0])["count"])
        k.execute("%load_ext inspector.notebook", silent=True)
        counts += [k.execute(RESET_CELLS[i])["count"] for i in (0, 1, 2, 1)[len(counts):]]
        last = k.execute(RESET_CELLS[3])
    finally:
        k.close()
    assert counts == [1, 2, 3, 4] and last["count"] == 5
    assert last["stdout"] == "ValueError\n"  # the script sees TensorFlow's own exception
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    resets = [e for e in events if e["ev"] == "graph_reset"]
    assert len(resets) == 2 and all(isinstance(e["graph"], int) and e["graph"] > 0 for e in resets)
    (finding,) = [f for f in report_json(trace)["findings"] if f["kind"] == "graph-mismatch"]
    assert finding["cell"] == 5
    assert ("Cell [4] reset the default graph after cell [3] created Session #1 on the old one: "
            "the tensors cell [5] runs are on the new graph. Re-run cell [3] after the reset "
            "(it makes a session on the new graph), or build the graph and the session in one "
            "cell") in finding["message"]
