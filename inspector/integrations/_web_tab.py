"""What each `--web` browser tab runs: ``python .../inspector/integrations/_web_tab.py ARGS``,
which is ``tfsess-inspect ARGS`` with the very `inspector` package the server runs
(inspector/integrations/web.py).

Not ``python -m inspector``: that puts the current directory first on sys.path, so from a
directory holding an `inspector` package of its own (another checkout of this project,
say) the tab would import that one. Run by path, Python puts this file's directory (a
package's own, whose modules must not be top-level) first instead: here the parent of the
`inspector` package takes its place, and entries naming the current directory ('' or its path, from
PYTHONPATH) go, as for the installed `tfsess-inspect` (the tab runs the app, never the
user's code; the script's process has its own sys.path, see inspector/agent/_launch.py).
The current directory itself is untouched: relative scripts and traces mean what they did.
"""

import os
import sys


def _real(path: str) -> str | None:
    try:
        return os.path.realpath(path or os.curdir)
    except OSError:  # relative, and the current directory is gone: nothing to shadow
        return None


def _own_sys_path(path: list[str]) -> list[str]:
    here = os.path.dirname(os.path.realpath(__file__))  # inspector/integrations
    package = os.path.dirname(here)  # inspector
    parent = os.path.dirname(package)  # holds the server's `inspector`
    drop = {here, package, parent, _real(os.curdir), None}
    return [parent, *(p for p in path if _real(p) not in drop)]


if __name__ == "__main__":  # run by path; imported, it does nothing
    sys.path[:] = _own_sys_path(sys.path)
    from inspector.cli import main
    from inspector.integrations import web

    web.IN_BROWSER_TAB = True
    sys.exit(main(sys.argv[1:]))
