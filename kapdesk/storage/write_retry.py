"""A write run again after a deadlock or a serialization failure.

``Database.write()`` already retries taking the write lock (kapdesk.storage.db). Once the
transaction has begun, a deadlock (SQLSTATE 40P01) or serialization failure (40001)
makes the server roll the whole transaction back: nothing of it was written, and only
running the work again *from its start* (re-reading what it decided on) can finish it.

* :func:`run_use_case` is how every use case runs on a clinic server (the services'
  ``@audit_denials`` wrapper calls it around each public method, kapdesk.services.guard):
  the whole call again, a bounded number of times, then :class:`WriteConflict`: one clear
  message, nothing of the change saved. A use case may commit in steps (signing: the
  password check, then the signature); it is run again only while none of its committed
  steps wrote anything, so nothing is written, counted or announced twice (a change set is
  published only after its own COMMIT, services.changes). A step that did write (a
  wrong-password count was cleared) is kept and the rest is :class:`WriteConflict` with
  ``partly`` set. Calls made inside a running use case (a service calling another) are
  part of it: only the outermost runs again.
* :func:`write_retrying` does the same for one ``db.write()`` body given as a function
  (console entries, refusal entries).

kapdesk's own writers cannot deadlock each other (every one takes the same advisory lock
first, see kapdesk.storage.pg_engine) and write in READ COMMITTED (no serialization
failures); the conflicts this answers come from another program's transactions on the
same server (a script, a report tool holding row locks). On a kapdesk file (SQLite) there
are none: a use case runs once, with no bookkeeping.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from kapdesk.storage.errors import DatabaseBusy, StorageError
from kapdesk.storage.server_errors import DEADLOCK_DETECTED, SERIALIZATION_FAILURE, sqlstate

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

    from kapdesk.storage.db import Database

T = TypeVar("T")
WRITE_ATTEMPTS: Final = 3
PAUSE_S: Final = 0.05
_WROTE: Final = "kapdesk.write_retry.wrote"  # session.info: the transactions that flushed rows
_UNDONE: Final = "kapdesk.write_retry.undone"  # session.info: savepoints rolled back


class WriteConflict(StorageError):
    """A write that met a deadlock or serialization failure on every attempt (or after a
    step of its use case had been saved: ``partly``); nothing more of it was saved."""

    def __init__(self, where: str, attempts: int, reason: str, *, partly: bool = False) -> None:
        self.attempts = attempts
        self.reason = reason
        self.partly = partly
        times = f" {attempts} times in a row" if attempts > 1 else ""
        if partly:
            saved = (
                "an earlier step of it was saved, the rest was not. Look at what is shown, "
                "then try again"
            )
        else:
            saved = "nothing was saved. Try again in a moment"
        super().__init__(
            f"The clinic server {where} broke off this change{times} ({reason}); {saved}; "
            "if it keeps happening, ask whoever runs the server what else is writing to the "
            "database."
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


def _pause(pause: float, attempt: int) -> None:
    time.sleep(pause * attempt * (1 + random.random()))  # jitter: not in step


def write_retrying(
    db: Database,
    body: Callable[[Session], T],
    *,
    attempts: int = WRITE_ATTEMPTS,
    pause: float = PAUSE_S,
) -> T:
    """``body(session)`` in ``db.write()``; after a deadlock or serialization failure
    (the transaction rolled back whole) in a new transaction again, up to ``attempts``
    times in all, then :class:`WriteConflict`. Other errors propagate at once."""

    def once() -> T:
        with db.write() as session:
            return body(session)

    return _retrying(db, once, attempts, pause)


def core_write_retrying(
    db: Database,
    body: Callable[[Connection], T],
    *,
    attempts: int = WRITE_ATTEMPTS,
    pause: float = PAUSE_S,
) -> T:
    """:func:`write_retrying` for a write made without the ORM (``db.connect_write()``)."""

    def once() -> T:
        with db.connect_write() as conn:
            return body(conn)

    return _retrying(db, once, attempts, pause)


def _retrying(db: Database, once: Callable[[], T], attempts: int, pause: float) -> T:
    for attempt in range(1, attempts + 1):
        try:
            return once()
        except DatabaseBusy as exc:
            reason = conflict_reason(exc)
            if reason is None:  # the lock held past the busy timeout: that wait was the bound
                raise
            if attempt == attempts:
                raise WriteConflict(db.describe(), attempts, reason) from exc
        _pause(pause, attempt)
    raise AssertionError("unreachable")  # pragma: no cover


# ------------------------------------------------------------------ whole use cases


class _UseCase:
    """The use case running in this thread: whether one of its commits wrote rows."""

    __slots__ = ("wrote",)

    def __init__(self) -> None:
        self.wrote = False


_running = threading.local()


def _current() -> _UseCase | None:
    case: _UseCase | None = getattr(_running, "case", None)
    return case


def _flushed(session: Session, _context: Any) -> None:
    # Only a flush that had rows to write gets here; its rows live in the innermost
    # transaction (a savepoint, if one is open) until that ends.
    innermost = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_WROTE, []).append(innermost)


def wrote(session: Session) -> None:
    """Mark ``session`` as having written rows in its innermost transaction, as its flush
    does: for rows inserted with a Core statement on its connection (the audit entries)."""
    _flushed(session, None)


def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    if previous.nested:  # a savepoint rolled back: the rows flushed in it are gone
        session.info.setdefault(_UNDONE, set()).add(previous)


def wrote_rows(session: Session) -> bool:
    """Whether the transaction just committed saved rows: a flush none of whose enclosing
    savepoints was rolled back."""
    undone = session.info.get(_UNDONE, set())
    for transaction in session.info.get(_WROTE, ()):
        while transaction is not None and transaction not in undone:
            transaction = transaction.parent
        if transaction is None:  # reached the outermost transaction: committed
            return True
    return False


def watch_writes(maker: sessionmaker[Session]) -> None:
    """Mark each session of ``maker`` that flushes rows (Database's write sessions)."""
    from sqlalchemy import event

    event.listen(maker, "after_flush", _flushed)
    event.listen(maker, "after_soft_rollback", _rolled_back)


def committed(session: Session) -> None:
    """Called by ``Database.write`` after each COMMIT: a use case running in this thread
    that has now saved rows must not be run again from its start."""
    case = _current()
    if case is not None and wrote_rows(session):
        case.wrote = True


def run_use_case(
    db: Database | Any,
    call: Callable[[], T],
    *,
    attempts: int = WRITE_ATTEMPTS,
    pause: float = PAUSE_S,
) -> T:
    """``call()`` as one use case: on a clinic server, run again from its start after one
    of its write transactions was broken off by a deadlock or serialization failure, up to
    ``attempts`` times in all, then :class:`WriteConflict` (see the module docstring).
    Inside a running use case, or on a file, simply ``call()``."""
    if not getattr(db, "is_server", False) or _current() is not None:
        return call()
    for attempt in range(1, attempts + 1):
        case = _running.case = _UseCase()
        try:
            return call()
        except DatabaseBusy as exc:
            reason = conflict_reason(exc)
            if reason is None:
                raise
            if attempt == attempts or case.wrote:
                raise WriteConflict(db.describe(), attempt, reason, partly=case.wrote) from exc
        finally:
            _running.case = None
        _pause(pause, attempt)
    raise AssertionError("unreachable")  # pragma: no cover
