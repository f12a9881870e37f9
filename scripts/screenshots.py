"""Make the README's screenshots of the real app on the bundled examples.

    python scripts/screenshots.py [--out screenshots]

Records each example with the real agent and TensorFlow (`tfsess-inspect run
--no-tui`), opens the trace in the app at a fixed terminal size with Textual's
`run_test`, saves SVGs with `save_screenshot`, and converts them to PNG with
cairosvg (install Debian's `fonts-firacode` for faithful glyphs).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from inspector.tui.app import InspectorApp  # noqa: E402
from inspector.tui.sources import LiveScript, TraceFile  # noqa: E402

# (name, example, size, keys pressed once the trace is loaded; ["live"]: while it runs)
SHOTS = [
    ("seed-run-after-close", "seed_run_after_close.py", (140, 40), []),
    ("multi-session", "multi_session.py", (140, 40), []),
    ("help", "seed_run_after_close.py", (140, 40), ["question_mark"]),
    ("seed-80x24", "seed_run_after_close.py", (80, 24), []),
    ("multi-session-live", "multi_session.py", (140, 40), ["live"]),
]


def record(example: str, workdir: str) -> str:
    trace = os.path.join(workdir, os.path.splitext(example)[0] + ".jsonl")
    if not os.path.exists(trace):
        print(f"recording examples/{example} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "inspector", "run", "--no-tui", "-o", trace,
             os.path.join("examples", example)],
            cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    return trace


async def shoot(trace: str, size: tuple[int, int], keys: list[str], svg: str) -> None:
    # A relative trace path, so the picture does not show a temporary directory.
    app = InspectorApp(TraceFile(os.path.basename(trace)))
    async with app.run_test(size=size) as pilot:
        for _ in range(400):
            if app.view.final and app.selected_ref is not None:
                break
            await pilot.pause(0.025)
        await pilot.pause(0.3)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.5)
        app.save_screenshot(os.path.basename(svg), path=os.path.dirname(svg))


async def shoot_live(example: str, size: tuple[int, int], svg: str, runs: int) -> None:
    """The app while the script runs (stopped once `runs` runs are on screen)."""
    trace = "tfsess-screenshot-live.jsonl"
    source = LiveScript(os.path.join("examples", example), [], trace)
    app = InspectorApp(source)
    try:
        async with app.run_test(size=size) as pilot:
            for _ in range(2400):
                st = app.view.state
                if st is not None and len(st.runs) >= runs:
                    break
                await pilot.pause(0.005)
            await pilot.pause(0.1)
            app.save_screenshot(os.path.basename(svg), path=os.path.dirname(svg))
    finally:
        source.kill()
        source.wait(10)
        for path in (trace, trace + ".runs", trace + ".out"):  # the trace and its run file
            if os.path.exists(path):
                os.unlink(path)


def for_cairosvg(svg: str) -> str:
    """Textual's SVG puts each run of text at its first cell and sizes the run with
    `textLength`; cairosvg ignores textLength, and Fira Code's glyphs are a little
    narrower than Textual's cells, so long runs (box borders) fall short. Give every
    character its own x instead (SVG allows a list), which cairosvg honours."""

    pattern = re.compile(
        r'(<text [^>]*?)x="([\d.]+)"([^>]*?)textLength="([\d.]+)"([^>]*)>([^<]*)</text>')

    def fix(match: re.Match) -> str:
        head, x, mid, length, tail, body = match.groups()
        chars = len(html.unescape(body))
        if chars < 2:
            return match.group(0)
        cell = float(length) / chars
        xs = " ".join(f"{float(x) + k * cell:.2f}" for k in range(chars))
        return f'{head}x="{xs}"{mid}{tail}>{body}</text>'

    return pattern.sub(fix, svg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO, "screenshots"))
    parser.add_argument("--only", nargs="*", help="names of the shots to make")
    args = parser.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    import cairosvg

    with tempfile.TemporaryDirectory() as workdir:
        cwd = os.getcwd()
        for name, example, size, keys in SHOTS:
            if args.only and name not in args.only:
                continue
            svg = os.path.join(out, f"{name}.svg")
            if keys == ["live"]:
                os.chdir(REPO)
                try:
                    asyncio.run(shoot_live(example, size, svg, runs=70))
                finally:
                    os.chdir(cwd)
            else:
                trace = record(example, workdir)
                os.chdir(workdir)
                try:
                    asyncio.run(shoot(trace, size, keys, svg))
                finally:
                    os.chdir(cwd)
            png = os.path.join(out, f"{name}.png")
            with open(svg, encoding="utf-8") as fh:
                cairosvg.svg2png(bytestring=for_cairosvg(fh.read()).encode(), write_to=png)
            print(f"{os.path.relpath(svg, REPO)}  {os.path.relpath(png, REPO)}")


if __name__ == "__main__":
    main()
