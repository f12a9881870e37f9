"""Call sites and sources: which frame is the script's, the site id of a run or a
lifecycle event (with its short stack), and the text of every file a site names,
embedded once.

`CallSites` is a part of the recorder (inspector/agent/recorder.py), split out to keep
each file readable; it uses the recorder's lock, its `emit_event`, and these fields,
which `Recorder.__init__` sets: `lib_prefixes`, `own_codes`, `start_cwd`, `_code_is_lib`,
`_codes`, `_sites`, `_sources`.
"""

from __future__ import annotations

import hashlib
import os
import sys
from typing import Any

from inspector.trace import format as fmt

_MAX_SOURCE_BYTES = 2 * 1024 * 1024
_STACK_DEPTH = 8


class CallSites:
    def _is_lib(self, code: Any) -> bool:
        r = self._code_is_lib.get(id(code))
        if r is None:
            fn = code.co_filename
            r = (
                code in self.own_codes
                or fn.startswith(tuple(self.lib_prefixes))
                or fn.startswith("<frozen")
            )
            self._codes.append(code)
            self._code_is_lib[id(code)] = r
        return r

    def site_id(self, depth: int = 2) -> int:
        """Id of the call site: the innermost frame that is neither TensorFlow's nor ours.

        Keyed on that frame's code and instruction offset and its caller's (cheaper than
        line numbers, which are computed from the offset): the short stack written with
        the site is the one seen first from that pair."""
        try:
            f = sys._getframe(depth)
        except ValueError:
            return 0
        return self.site_from(f)

    def _user_frame(self, f: Any) -> Any:
        """`f` or the first frame out from it that is the script's (None: none is)."""
        libs = self._code_is_lib
        while f is not None:
            r = libs.get(id(f.f_code))
            if r is None:
                r = self._is_lib(f.f_code)
            if not r:
                return f
            f = f.f_back
        return None

    def site_from(self, f: Any) -> int:
        f = self._user_frame(f)
        if f is None:
            return 0
        p = self._user_frame(f.f_back)
        # Ids are safe keys: _is_lib has kept every code object seen here alive.
        key = (id(f.f_code), f.f_lasti, 0, 0) if p is None else (id(f.f_code), f.f_lasti, id(p.f_code), p.f_lasti)
        sid = self._sites.get(key)
        if sid is None:
            sid = self._new_site(key, f)
        return sid

    def _new_site(self, key: tuple, f: Any) -> int:
        with self._lock:
            sid = self._sites.get(key)
            if sid is not None:
                return sid
            frames = []
            while f is not None and len(frames) < _STACK_DEPTH:
                if not self._is_lib(f.f_code):
                    frames.append(f)
                f = f.f_back
            described = []
            for fr in frames:
                code = fr.f_code
                described.append(
                    [self._where(code.co_filename), fr.f_lineno, getattr(code, "co_qualname", code.co_name)]
                )
            for file, _, _ in described:
                self._embed_source(file)
            sid = len(self._sites) + 1
            top = described[0]
            self.emit_event(
                fmt.SITE, id=sid, file=top[0], line=top[1], func=top[2], stack=described[1:]
            )
            self._sites[key] = sid
            return sid

    def _where(self, file: str) -> str:
        """A code object's file as an absolute path: a relative one (code compiled under a
        relative name, a module found through a relative sys.path entry) is taken from
        the working directory the process started in, where the script most likely
        compiled or imported it, else from the current one; as it is if neither has it."""
        if not file or file.startswith("<") or os.path.isabs(file):
            return file
        for base in (self.start_cwd, os.getcwd()):
            path = os.path.normpath(os.path.join(base, file))
            if os.path.exists(path):
                return path
        return file

    def _embed_source(self, file: str) -> None:
        if file in self._sources or file.startswith("<"):
            return
        self._sources.add(file)
        try:
            with open(file, "rb") as fh:
                data = fh.read(_MAX_SOURCE_BYTES + 1)
        except OSError:
            self.emit_event(fmt.SOURCE, file=file, sha256=None, text=None)
            return
        if len(data) > _MAX_SOURCE_BYTES:
            self.emit_event(fmt.SOURCE, file=file, sha256=None, text=None, truncated=True)
            return
        self.emit_event(
            fmt.SOURCE,
            file=file,
            sha256=hashlib.sha256(data).hexdigest(),
            text=data.decode("utf-8", "replace"),
        )

    def embed_source(self, file: str) -> str:
        """Embed a file's text (once); returns the file's name as the trace gives it."""
        with self._lock:
            file = self._where(file)
            self._embed_source(file)
            return file

    def add_library(self, prefixes: list[str]) -> None:
        """Treat code under these paths (directories ending in os.sep, or files) as
        library code: never a call site (the notebook extension: the kernel's machinery)."""
        with self._lock:
            self.lib_prefixes.extend(p for p in prefixes if p not in self.lib_prefixes)
            self._code_is_lib.clear()

    def embed_text(self, file: str, text: str) -> None:
        """Embed `text` as the source of `file` (once), for code compiled from a string
        under a name that is no file on disk: a notebook cell (the notebook extension)."""
        with self._lock:
            if file in self._sources:
                return
            self._sources.add(file)
            data = text.encode("utf-8", "replace")
            self.emit_event(fmt.SOURCE, file=file, sha256=hashlib.sha256(data).hexdigest(),
                            text=text)
