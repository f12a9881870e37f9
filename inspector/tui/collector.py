"""Full garbage collections between keys, not in the middle of one.

Post mortem, the app's state is frozen out of the collector's way (`gc.freeze`), but
Textual keeps making cyclic garbage as it draws (layout fractions, strip caches): an
automatic full collection then came every dozen keys and took 7-44 ms out of the key
it landed in. Here automatic full collections are held off, and the app runs one from
a timer, between keys, when one is due. (Freezing what survives each one would make
them shorter, but froze objects that die later in cycles: 26 MB more per 1,000 keys.)
The young generations are still collected automatically (well under 1 ms each).
"""

from __future__ import annotations

import gc

# Python's own rule: a full collection after this many collections of generation 1.
FULL_EVERY = 10
CHECK_INTERVAL = 0.1  # seconds between checks (the app's timer)
_HELD = 1 << 30


def hold_full_collections() -> tuple[int, int, int]:
    """Stop the interpreter from starting full collections by itself; returns the
    thresholds to give back to `release` (the app runs inside other programs' processes
    too: tests, a notebook)."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], _HELD)
    return before


def release(before: tuple[int, int, int]) -> None:
    """Full collections by the interpreter again, as before `hold_full_collections`."""
    if gc.get_threshold()[2] == _HELD:
        gc.set_threshold(*before)


def collect_if_due() -> bool:
    """Run the full collection the interpreter would have run by now; True if it ran."""
    if gc.get_count()[2] < FULL_EVERY:
        return False
    gc.collect()
    return True
