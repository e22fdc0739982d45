"""The pool's ping on a clinic server: reads ping a pooled connection before using it, a
write does not (its first statement, the write lock, finds a dropped connection before
anything is written, and the write starts again on a fresh one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.storage import audit
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry
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


@pytest.fixture
def pings(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per ping the pool sends."""
    sent: list[int] = []
    dialect = db.engine.dialect
    ping = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        sent.append(1)
        return bool(ping(dbapi_connection))

    monkeypatch.setattr(dialect, "do_ping", counted)
    return sent


def _append(db: Database, action: str) -> None:
    with db.write() as s:
        audit.append(s, at=T0, user_id=None, action=action, entity="test", entity_id=None)


def _count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(AuditEntry.id))) or 0)


def _drop_all_connections(server: ServerURL) -> None:
    url = server.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as killer:
        pids = [
            pid
            for (pid,) in killer.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND usename = current_user"
            )
        ]
        for pid in pids:
            killer.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


def test_a_write_on_a_pooled_connection_sends_no_ping(db: Database, pings: list[int]) -> None:
    _append(db, "first")  # the pool's connection is now a used one
    _count(db)
    pings.clear()
    _append(db, "second")
    _append(db, "third")
    assert pings == []
    assert _count(db) == 3
    assert pings == [1]  # a read still pings the connection it takes


def test_writes_after_the_server_dropped_every_connection(
    db: Database, server: ServerURL, pings: list[int]
) -> None:
    _append(db, "first")
    assert _count(db) == 1
    _drop_all_connections(server)
    _append(db, "second")  # the lock fails on the dropped connection; started again
    _append(db, "third")
    assert _count(db) == 3
    with db.read() as s:
        assert s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() == [
            "first",
            "second",
            "third",
        ]
        assert verify_chain(s).ok


def test_a_read_after_the_server_dropped_every_connection(
    db: Database, server: ServerURL, pings: list[int]
) -> None:
    _append(db, "first")
    assert _count(db) == 1
    _drop_all_connections(server)
    pings.clear()
    assert _count(db) == 1  # pinged, found dropped, replaced: no error
    assert pings == [1]
