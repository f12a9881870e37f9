"""The script's output as the state keeps it: a bounded tail of `out` chunks.

A script that prints a line per run for a million runs must not grow the inspector
without bound: the state keeps only the last chunks (at most `max_chunks` of them and
about `max_chars` characters) and counts what it dropped. The whole output is in the
trace (`out` events) and, for a recording made by `tfsess-inspect run`, in the
`TRACE.out` file next to it (docs/trace-format.md).

`OutputTail` is a sequence of the chunks it keeps (oldest first): `len()`, indexing and
slicing count kept chunks only; `total` counts every chunk ever appended, so a reader
that remembers `total` knows how many arrived since.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

MAX_CHUNKS = 20_000
MAX_CHARS = 2_000_000


@dataclass
class Output:
    ts: int
    fd: int
    text: str


class OutputTail:
    def __init__(self, max_chunks: int = MAX_CHUNKS, max_chars: int = MAX_CHARS) -> None:
        self.max_chunks = max(1, max_chunks)
        self.max_chars = max(1, max_chars)
        self._kept: deque[Output] = deque()
        self._chars = 0
        self.total = 0  # chunks ever appended
        self.dropped = 0  # chunks no longer kept (wholly)
        self.dropped_chars = 0  # characters no longer kept (including cut-off starts)
        self.dropped_lines = 0  # newlines among them

    def append(self, out: Output) -> None:
        self.total += 1
        text = out.text
        if len(text) > self.max_chars:  # one huge chunk: keep its end
            cut = len(text) - self.max_chars
            self.dropped_chars += cut
            self.dropped_lines += text.count("\n", 0, cut)
            out = Output(out.ts, out.fd, text[cut:])
        self._kept.append(out)
        self._chars += len(out.text)
        kept = self._kept
        while len(kept) > 1 and (len(kept) > self.max_chunks or self._chars > self.max_chars):
            old = kept.popleft()
            self._chars -= len(old.text)
            self.dropped += 1
            self.dropped_chars += len(old.text)
            self.dropped_lines += old.text.count("\n")

    def __len__(self) -> int:
        return len(self._kept)

    def __iter__(self) -> Iterator[Output]:
        return iter(self._kept)

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self._kept))
            if step != 1:
                return list(self._kept)[i]
            if stop <= start:
                return []
            if start > len(self._kept) // 2:  # near the end: walk from the right
                tail = list(islice(reversed(self._kept), len(self._kept) - start))
                tail.reverse()
                return tail[: stop - start]
            return list(islice(self._kept, start, stop))
        return self._kept[i]

    def __bool__(self) -> bool:
        return bool(self._kept)

    def __repr__(self) -> str:
        return f"OutputTail(kept={len(self._kept)}, total={self.total}, dropped={self.dropped})"
