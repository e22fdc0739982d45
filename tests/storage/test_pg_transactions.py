"""Transactions on a PostgreSQL server: one writer at a time on the audit chain, the busy
timeout, read-only reads, and a lost connection (nothing half-written, then reconnected)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from kapdesk.domain.clock import FakeClock
from kapdesk.storage import audit
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.db import Database
from kapdesk.storage.errors import DatabaseBusy, ServerUnreachable
from kapdesk.storage.orm import AuditEntry, Setting
from kapdesk.storage.pg_engine import WRITE_LOCK
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import pg_skip_reason, throwaway_database

pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[ServerURL]:
    with throwaway_database() as url:
        yield url


@pytest.fixture
def db(server: ServerURL) -> Iterator[Database]:
    with Database.open(server, clock=FakeClock(T0)) as database:
        yield database


def _raw(server: ServerURL) -> psycopg.Connection:
    url = server.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(url, autocommit=True)


def _append(db: Database, action: str) -> None:
    with db.write() as s:
        audit.append(s, at=T0, user_id=None, action=action, entity="test", entity_id=None)


def _audit_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(AuditEntry.id))) or 0)


def _wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def _terminate(server: ServerURL, pid: int) -> None:
    """End one server process, as a server restart or a network cut would, and wait until
    it is gone (pg_terminate_backend only signals it)."""
    with _raw(server) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))

        def gone() -> bool:
            row = killer.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
            return row.fetchone() == (0,)

        _wait_for(gone, f"server process {pid} to end")


def _waiting_for_write_lock(server: ServerURL) -> bool:
    with _raw(server) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchone()
    return bool(row and row[0])


def test_second_writer_waits_for_the_first_and_links_to_its_entry(
    db: Database, server: ServerURL
) -> None:
    _append(db, "first")
    second_done = threading.Event()
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            _append(db, "second")
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            second_done.set()

    with db.write() as s:
        head = audit.chain_head(s)  # the head this writer builds on
        thread = threading.Thread(target=second_writer)
        thread.start()
        _wait_for(lambda: _waiting_for_write_lock(server), "the second writer to wait")
        assert not second_done.is_set()
        audit.append(s, at=T0, user_id=None, action="held", entity="test", entity_id=None)
        assert head is not None
        assert head[0] == 1
    thread.join()
    assert errors == []
    with db.read() as s:
        rows = s.execute(select(AuditEntry.id, AuditEntry.action).order_by(AuditEntry.id)).all()
        report = verify_chain(s)
    assert [tuple(r) for r in rows] == [(1, "first"), (2, "held"), (3, "second")]
    assert report.ok
    assert report.entries_checked == 3


def test_write_lock_held_past_the_busy_timeout_is_database_busy(
    db: Database, server: ServerURL, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kapdesk.storage.pg_engine.BUSY_TIMEOUT_MS", 300)
    db.engine.dispose()  # new connections wait 0.3 s, not 5 s
    with _raw(server) as holder:
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        with pytest.raises(DatabaseBusy, match="nothing was saved"):
            _append(db, "blocked")
        holder.execute("ROLLBACK")
    assert _audit_count(db) == 0
    _append(db, "after")  # the lock is free again
    assert _audit_count(db) == 1


def test_nested_write_is_busy_as_on_sqlite(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kapdesk.storage.pg_engine.BUSY_TIMEOUT_MS", 300)
    db.engine.dispose()  # new connections wait 0.3 s, not 5 s

    def outer_then_inner() -> None:
        with db.write() as s:
            audit.append(s, at=T0, user_id=None, action="outer", entity="test", entity_id=None)
            _append(db, "inner")

    with pytest.raises(DatabaseBusy):
        outer_then_inner()
    assert _audit_count(db) == 0


def test_read_sessions_cannot_write(db: Database) -> None:

    def flush_in_read() -> None:
        with db.read() as s:
            s.add(Setting(key="clinic_name", value="x"))
            s.flush()

    with pytest.raises(DBAPIError, match="read-only transaction"):
        flush_in_read()
    with pytest.raises(DBAPIError, match="read-only transaction"), db.connect_read() as conn:
        conn.execute(text("DELETE FROM settings"))


def test_read_session_sees_one_snapshot(db: Database) -> None:
    _append(db, "first")
    with db.read() as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == 1
        _append(db, "meanwhile")
        assert s.scalar(select(func.count(AuditEntry.id))) == 1
    assert _audit_count(db) == 2


def test_connection_lost_mid_write_saves_nothing_then_reconnects(
    db: Database, server: ServerURL
) -> None:
    _append(db, "before")

    def write_while_cut_off() -> None:
        with db.write() as s:
            audit.append(s, at=T0, user_id=None, action="lost", entity="test", entity_id=None)
            _terminate(server, int(s.scalar(text("SELECT pg_backend_pid()"))))
            s.execute(text("SELECT 1"))

    with pytest.raises(ServerUnreachable, match="nothing was saved") as caught:
        write_while_cut_off()
    assert f"{server.url.username}:***@" in str(caught.value)  # the role, password hidden
    assert f":{server.url.password}@" not in str(caught.value)
    assert db.last_commit_at is not None
    with db.read() as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["before"]
    _append(db, "after")
    with db.read() as s:
        assert verify_chain(s).ok


def test_connection_lost_while_taking_the_write_lock_is_retried(
    db: Database, server: ServerURL
) -> None:
    killed: list[int] = []

    def kill_first_try(dbapi_connection: psycopg.Connection, *_: object) -> None:
        # checkout runs after the pool's pre-ping: the write starts on a dead connection
        if not killed:
            killed.append(dbapi_connection.info.backend_pid)
            _terminate(server, killed[0])

    event.listen(db.engine.pool, "checkout", kill_first_try)
    try:
        _append(db, "retried")
    finally:
        event.remove(db.engine.pool, "checkout", kill_first_try)
    assert len(killed) == 1
    with db.read() as s:
        assert s.scalars(select(AuditEntry.action)).all() == ["retried"]


def test_idle_connection_dropped_by_the_server_is_replaced(db: Database, server: ServerURL) -> None:
    _append(db, "first")
    with _raw(server) as killer:
        killer.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND usename = current_user"  # not autovacuum's, nor another role's
        )
    _append(db, "second")
    assert _audit_count(db) == 2


def test_connections_say_who_they_are(db: Database, server: ServerURL) -> None:
    _append(db, "x")
    with _raw(server) as conn:
        names = conn.execute(
            "SELECT DISTINCT application_name FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND usename = current_user"
        ).fetchall()
    assert names == [("kapdesk",)]


def test_locks_are_waited_for_as_long_as_sqlite_busy_timeout(db: Database) -> None:
    with db.read() as s:
        assert s.scalar(text("SHOW lock_timeout")) == "5s"
