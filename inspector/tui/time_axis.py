"""The timeline's axis and sizes as words: round tick spacings (1, 2, 5 × 10^k ns), tick
labels in the unit that fits them, byte counts (pure functions, no widget)."""

from __future__ import annotations


def format_size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def nice_step(span: float, slots: int) -> float:
    """A round tick spacing (1, 2, 5 × 10^k ns) giving at most `slots` ticks."""
    raw = span / max(1, slots)
    k = 1.0
    while k * 10 <= raw:
        k *= 10
    for m in (1, 2, 5, 10):
        if k * m >= raw:
            return k * m
    return k * 10


UNITS = ((1e9, "s"), (1e6, "ms"), (1e3, "µs"), (1.0, "ns"))
ORIGIN_DIGITS = 3  # more digits in a label: ticks count from an origin the label column gives


def axis_unit(step: float) -> tuple[float, str, int]:
    """(unit in ns, its name, decimals) for ticks `step` ns apart: the largest unit of
    which a step is at least a tenth (0.5s, 20ms, 5µs), with the decimals it needs."""
    for size, name in UNITS:
        if step >= size / 10 or size == 1.0:
            return size, name, decimals(step / size)
    raise AssertionError("unreachable")


def decimals(x: float) -> int:
    d = 0
    while d < 9 and abs(round(x * 10 ** d) - x * 10 ** d) > 1e-6 * max(1.0, x * 10 ** d):
        d += 1
    return d


def fmt_axis(ns: float, step: float) -> str:
    """A tick's label: `ns` in the unit that fits ticks `step` apart."""
    size, name, d = axis_unit(step)
    return f"{ns / size:.{d}f}{name}"
