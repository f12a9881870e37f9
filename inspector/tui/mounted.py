"""`while_mounted`: a message handler or timer callback that does nothing once the app's
widgets are gone (messages and ticks still arrive while the app shuts down)."""

from __future__ import annotations

import functools

from textual.css.query import NoMatches


def while_mounted(handler):
    """Messages and timer ticks can still arrive while the app shuts down and its
    widgets are gone: drop them then."""

    @functools.wraps(handler)
    def wrapper(self, *args):
        try:
            return handler(self, *args)
        except NoMatches:  # the panes are composed once: only shutdown removes them
            return None

    return wrapper
