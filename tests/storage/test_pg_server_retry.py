"""A write that deadlocks with another program's transaction is run again from its start,
a bounded number of times, then fails with one clear error and nothing written.

The deadlock is real: another connection locks row B, the kapdesk write locks row A and
then asks for B while the other asks for A (two connections, opposite lock order). The
kapdesk transaction waits first, so its deadlock check runs first and it is the one the
server breaks off."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kapdesk.storage.audit import append, verify_chain
from kapdesk.storage.db import Database
from kapdesk.storage.errors import DatabaseBusy
from kapdesk.storage.orm import AuditEntry
from kapdesk.storage.server_url import ServerURL
from kapdesk.storage.write_retry import WriteConflict, write_retrying

from .pg_server_kit import FreshDatabase, fresh_database

__all__ = ["fresh_database"]

T0 = "2026-03-02 09:00:00+00"


@pytest.fixture
def db(fresh_database: FreshDatabase) -> Iterator[Database]:
    database = Database.open(fresh_database.owner)
    with database.write() as s:
        s.execute(text("INSERT INTO settings (key, value) VALUES ('lock_a', '1'), ('lock_b', '1')"))
    yield database
    database.close()


def _conninfo(server: ServerURL) -> str:
    return server.url.set(drivername="postgresql").render_as_string(hide_password=False)


class Outsider:
    """Another program's transaction that locks B, then (once kapdesk holds A) wants A."""

    def __init__(self, server: ServerURL) -> None:
        self.server = server
        self.holds_b = threading.Event()
        self.kapdesk_holds_a = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.errors: list[BaseException] = []
        self.thread.start()
        assert self.holds_b.wait(10), "the other transaction never locked B"

    def _run(self) -> None:
        try:
            with psycopg.connect(_conninfo(self.server)) as conn:
                conn.execute("UPDATE settings SET value = '2' WHERE key = 'lock_b'")
                self.holds_b.set()
                self.kapdesk_holds_a.wait(10)
                time.sleep(0.3)  # kapdesk is waiting for B by now: it checks first
                conn.execute("UPDATE settings SET value = '2' WHERE key = 'lock_a'")
                conn.rollback()
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)


def _deadlocking_body(server: ServerURL, calls: list[int], deadlocks: int):  # type: ignore[no-untyped-def]
    """A write that adds an audit entry, then deadlocks on the first ``deadlocks`` calls."""

    def body(s: Session) -> int:
        calls.append(1)
        entry = append(s, at=_at(), user_id=None, action="test.write", entity="t", entity_id=1)
        if len(calls) <= deadlocks:
            outsider = Outsider(server)
            s.execute(text("UPDATE settings SET value = '3' WHERE key = 'lock_a'"))
            outsider.kapdesk_holds_a.set()
            s.execute(text("UPDATE settings SET value = '3' WHERE key = 'lock_b'"))
        return entry.id

    return body


def _at():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _entries(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(AuditEntry.id))) or 0)


def test_a_deadlock_every_time_is_one_clear_error_after_the_bounded_attempts(
    db: Database, fresh_database: FreshDatabase
) -> None:
    calls: list[int] = []
    before = _entries(db)
    body = _deadlocking_body(fresh_database.owner, calls, deadlocks=99)
    with pytest.raises(WriteConflict) as exc:
        write_retrying(db, body, attempts=3)
    assert len(calls) == 3
    assert exc.value.attempts == 3
    message = str(exc.value)
    assert "broke off this change 3 times in a row" in message
    assert "a deadlock with another transaction" in message
    assert "nothing was saved" in message
    assert f":{fresh_database.owner.url.password}@" not in message
    assert ":***@" in message
    assert _entries(db) == before  # nothing written by any attempt
    with db.read() as s:
        assert s.scalar(text("SELECT value FROM settings WHERE key = 'lock_a'")) == 1


def test_a_deadlock_once_is_run_again_and_written_once(
    db: Database, fresh_database: FreshDatabase
) -> None:
    calls: list[int] = []
    before = _entries(db)
    entry_id = write_retrying(db, _deadlocking_body(fresh_database.owner, calls, deadlocks=1))
    assert len(calls) == 2
    assert _entries(db) == before + 1
    with db.read() as s:
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.id == entry_id)) == (
            "test.write"
        )
        assert verify_chain(s).ok


def test_without_the_retry_a_deadlock_is_database_busy_with_nothing_written(
    db: Database, fresh_database: FreshDatabase
) -> None:
    before = _entries(db)
    body = _deadlocking_body(fresh_database.owner, [], deadlocks=1)
    with pytest.raises(DatabaseBusy), db.write() as s:
        body(s)
    assert _entries(db) == before


def test_other_errors_are_not_retried(db: Database) -> None:
    calls: list[int] = []

    def body(s: Session) -> None:
        calls.append(1)
        s.execute(text("SELECT 1 / 0"))

    with pytest.raises(Exception, match="division by zero"):
        write_retrying(db, body)
    assert calls == [1]
