"""A write on a clinic server sends its BEGIN and the write lock in one query (psycopg in
autocommit for that transaction only): the transaction is still READ COMMITTED under the
lock, and no connection goes back to the pool (or on to a read) in autocommit, whatever
way the write ended."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from kapdesk.domain.clock import FakeClock
from kapdesk.storage.db import Database
from kapdesk.storage.errors import DatabaseBusy
from kapdesk.storage.pg_engine import WRITE_LOCK
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import pg_skip_reason, throwaway_database

pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_HELD = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid()"
)


class Boom(Exception):
    pass


@pytest.fixture
def server() -> Iterator[ServerURL]:
    with throwaway_database() as url:
        yield url


@pytest.fixture
def db(server: ServerURL, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setattr("kapdesk.storage.pg_engine.BUSY_TIMEOUT_MS", 300)
    with Database.open(server, clock=FakeClock(T0)) as database:
        database.engine.dispose()  # connections wait 0.3 s for a lock, not 5 s
        yield database


def _pooled_in_autocommit(db: Database) -> list[bool]:
    pool = db.engine.pool
    return [rec.dbapi_connection.autocommit for rec in list(pool._pool.queue)]  # type: ignore[attr-defined]


def _read_is_a_snapshot(db: Database) -> None:
    with db.read() as s:
        assert s.scalar(text("SHOW transaction_isolation")) == "repeatable read"
        assert s.scalar(text("SHOW transaction_read_only")) == "on"


def test_a_write_is_read_committed_under_the_lock(db: Database) -> None:
    with db.write() as s:
        assert s.scalar(text("SHOW transaction_isolation")) == "read committed"
        assert s.scalar(text("SHOW transaction_read_only")) == "off"
        assert s.scalar(text(_HELD)) == 1
        s.execute(text("CREATE TABLE kept (x int)"))
    with db.write() as s:  # the same pooled connection: committed, lock released, new one
        assert s.scalar(text(_HELD)) == 1
        assert s.scalar(text("SELECT count(*) FROM kept")) == 0
    assert _pooled_in_autocommit(db) == [False]
    _read_is_a_snapshot(db)


def test_no_connection_left_in_autocommit_however_a_write_ends(
    db: Database, server: ServerURL
) -> None:
    with db.write() as s:
        s.execute(text("CREATE TABLE once (x int UNIQUE DEFERRABLE INITIALLY DEFERRED)"))

    def rolled_back() -> None:
        with db.write() as s:
            s.execute(text("INSERT INTO once VALUES (1)"))
            raise Boom

    def refused_at_commit() -> None:
        with db.write() as s:
            s.execute(text("INSERT INTO once VALUES (2), (2)"))

    with pytest.raises(Boom):
        rolled_back()
    assert _pooled_in_autocommit(db) == [False]
    with pytest.raises(IntegrityError):
        refused_at_commit()
    assert _pooled_in_autocommit(db) == [False]
    url = server.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as holder:
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        with pytest.raises(DatabaseBusy), db.write() as s:
            s.execute(text("INSERT INTO once VALUES (3)"))
        holder.execute("ROLLBACK")
    assert not any(_pooled_in_autocommit(db))
    _read_is_a_snapshot(db)
    with db.write() as s:
        s.execute(text("INSERT INTO once VALUES (4)"))
    with db.read() as s:
        assert s.scalars(text("SELECT x FROM once ORDER BY x")).all() == [4]
    assert not any(_pooled_in_autocommit(db))
