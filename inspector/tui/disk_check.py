"""Whether the sources recorded in a trace still match the files on disk (replay says so
in the status line; the app always shows the recorded text)."""

from __future__ import annotations

import hashlib
import os


def disk_differs(st) -> str | None:
    """A note when a recorded source file is gone from disk or differs from the
    recording (the app shows the recorded text in both cases)."""
    changed, missing = [], []
    for file, src in st.sources.items():
        if not src.sha256 or src.text is None:
            continue
        try:
            with open(file, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
        except OSError:
            missing.append(file)
            continue
        if digest != src.sha256:
            changed.append(file)
    if changed:
        return f"{os.path.basename(changed[0])} changed on disk since the recording (showing the recorded source)"
    if missing:
        return f"{os.path.basename(missing[0])} is not on disk any more (showing the recorded source)"
    return None
