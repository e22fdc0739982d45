"""The GIL switch interval shortened while background work runs, shared by every user.

The board worker, the sign-in preload and the exit backup each want the GIL handed back to
the GUI thread every 1 ms (not Python's 5 ms) while they run. Each saving and restoring
the interval on its own restores whatever it found, which may be another user's 1 ms: the
process then stays at 1 ms. Here the first user in saves the interval and shortens it, the
last one out restores it, whatever the order in which they start and finish.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

FAST_S: Final = 0.001

_lock = threading.Lock()
_users = 0
_saved: float | None = None


def begin() -> None:
    """One more user of the short interval (the first saves the current one)."""
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = sys.getswitchinterval()
            sys.setswitchinterval(min(FAST_S, _saved))
        _users += 1


def end() -> None:
    """One user fewer (the last restores the interval saved by the first)."""
    global _users, _saved
    with _lock:
        if _users == 0:
            return
        _users -= 1
        if _users == 0 and _saved is not None:
            sys.setswitchinterval(_saved)
            _saved = None


@contextmanager
def fast_switching() -> Iterator[None]:
    """The short interval for the ``with`` block."""
    begin()
    try:
        yield
    finally:
        end()
