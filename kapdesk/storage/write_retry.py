"""A whole write transaction run again after a deadlock or a serialization failure.

``Database.write()`` already retries taking the write lock (kapdesk.storage.db). Once the
transaction has begun, a deadlock (SQLSTATE 40P01) or serialization failure (40001)
makes the server roll the whole transaction back: nothing of it was written, and only
running the work again *from its start* (re-reading what it decided on) can finish it.
:func:`write_retrying` does that a bounded number of times, then raises
:class:`WriteConflict`: one clear message, nothing saved.

kapdesk's own writers cannot deadlock each other (every one takes the same advisory lock
first, see kapdesk.storage.pg_engine) and write in READ COMMITTED (no serialization
failures); the conflicts this answers come from another program's transactions on the
same server (a script, a report tool holding row locks).

Only for work that is one transaction and has no effect outside it: ``body`` runs again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, TypeVar

from kapdesk.storage.errors import DatabaseBusy, StorageError
from kapdesk.storage.server_errors import DEADLOCK_DETECTED, SERIALIZATION_FAILURE, sqlstate

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kapdesk.storage.db import Database

T = TypeVar("T")
WRITE_ATTEMPTS: Final = 3
_RETRIED: Final = (DEADLOCK_DETECTED, SERIALIZATION_FAILURE)


class WriteConflict(StorageError):
    """A write that met a deadlock or serialization failure on every attempt; nothing of
    it was saved."""

    def __init__(self, where: str, attempts: int, reason: str) -> None:
        self.attempts = attempts
        self.reason = reason
        super().__init__(
            f"The clinic server {where} broke off this change {attempts} times in a row "
            f"({reason}); nothing was saved. Try again in a moment; if it keeps happening, "
            "ask whoever runs the server what else is writing to the database."
        )


def conflict_reason(exc: BaseException) -> str | None:
    """'a deadlock ...' / 'a serialization failure ...' when ``exc`` (or its cause) is one."""
    for candidate in (exc, exc.__cause__):
        state = None if candidate is None else sqlstate(candidate)
        if state == DEADLOCK_DETECTED:
            return "a deadlock with another transaction"
        if state == SERIALIZATION_FAILURE:
            return "a serialization failure"
    return None


def write_retrying(
    db: Database,
    body: Callable[[Session], T],
    *,
    attempts: int = WRITE_ATTEMPTS,
    pause: float = 0.05,
) -> T:
    """``body(session)`` in ``db.write()``; after a deadlock or serialization failure
    (the transaction rolled back whole) in a new transaction again, up to ``attempts``
    times in all, then :class:`WriteConflict`. Other errors propagate at once."""
    for attempt in range(1, attempts + 1):
        try:
            with db.write() as session:
                return body(session)
        except DatabaseBusy as exc:
            reason = conflict_reason(exc)
            if reason is None:  # the lock held past the busy timeout: that wait was the bound
                raise
            if attempt == attempts:
                raise WriteConflict(db.describe(), attempts, reason) from exc
        time.sleep(pause * attempt * (1 + random.random()))  # jitter: not in step
    raise AssertionError("unreachable")  # pragma: no cover
