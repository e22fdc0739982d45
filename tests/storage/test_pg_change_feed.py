"""NOTIFY and LISTEN on a clinic server (storage.change_feed): an announcement is delivered
only when its transaction commits, and the listener reconnects by itself, saying so."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from kapdesk.domain.clock import FakeClock
from kapdesk.storage import change_feed
from kapdesk.storage.db import Database
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import pg_skip_reason, throwaway_database

pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WAIT_S = 10.0


class Boom(Exception):
    pass


class Ear:
    """What a ServerListener reported: payloads and (re)connections."""

    def __init__(self) -> None:
        self.payloads: list[str] = []
        self.connected: list[bool] = []
        self._cond = threading.Condition()

    def payload(self, text: str) -> None:
        with self._cond:
            self.payloads.append(text)
            self._cond.notify_all()

    def connection(self, first: bool) -> None:
        with self._cond:
            self.connected.append(first)
            self._cond.notify_all()

    def wait_for(self, what: object) -> bool:
        with self._cond:
            return self._cond.wait_for(what, timeout=WAIT_S)  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[ServerURL]:
    with throwaway_database() as url:
        yield url


@pytest.fixture
def writer(server: ServerURL) -> Iterator[Database]:
    with Database.open(server, clock=FakeClock(T0)) as database:
        yield database


@pytest.fixture
def heard(server: ServerURL, writer: Database) -> Iterator[tuple[change_feed.ServerListener, Ear]]:
    """A listener on a second Database (its own pool and connection)."""
    with Database.open(server, clock=FakeClock(T0), create=False) as other:
        ear = Ear()
        listener = change_feed.ServerListener(other.engine, ear.payload, ear.connection)
        listener.start()
        assert ear.wait_for(lambda: ear.connected == [True])
        yield listener, ear
        listener.stop()


def test_an_announcement_arrives_only_when_its_write_commits(
    writer: Database, heard: tuple[change_feed.ServerListener, Ear]
) -> None:
    _, ear = heard

    def rolled_back() -> None:
        with writer.write() as s:
            change_feed.notify(s, "rolled back")
            raise Boom

    with pytest.raises(Boom):
        rolled_back()
    with writer.write() as s:
        change_feed.notify(s, "committed")
        s.execute(text("SELECT pg_sleep(0.3)"))  # not yet: the transaction is still open
        assert ear.payloads == []

    assert ear.wait_for(lambda: ear.payloads)
    time.sleep(2 * change_feed.POLL_S)
    assert ear.payloads == ["committed"]


def test_an_announcement_rides_with_the_commit_and_arrives_as_sent(
    writer: Database, heard: tuple[change_feed.ServerListener, Ear]
) -> None:
    """The NOTIFY goes in the COMMIT's query (quoted there as a literal): any text arrives
    unchanged, and several in one transaction arrive in order."""
    _, ear = heard
    odd = """{"o":"it's 100% \\ \"quoted\"; COMMIT; --","c":["café ✓", "$$"]}"""
    executed: list[str] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        executed.append(statement)

    event.listen(writer.engine, "before_cursor_execute", on_execute)
    try:
        with writer.write() as s:
            change_feed.notify(s, odd)
            change_feed.notify(s, "second")
    finally:
        event.remove(writer.engine, "before_cursor_execute", on_execute)
    assert not [q for q in executed if "pg_notify" in q]  # no statement of its own
    assert ear.wait_for(lambda: len(ear.payloads) == 2)
    assert ear.payloads == [odd, "second"]


def test_a_failing_commit_announces_nothing_and_says_so(
    writer: Database, heard: tuple[change_feed.ServerListener, Ear]
) -> None:
    """A COMMIT refused by the server (here a deferred unique constraint) raises as any
    failed commit does, and its NOTIFY (sent in the same query) is not delivered."""
    _, ear = heard
    with writer.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE once (x int UNIQUE DEFERRABLE INITIALLY DEFERRED)")

    def refused_at_commit() -> None:
        with writer.write() as s:
            s.execute(text("INSERT INTO once VALUES (1), (1)"))  # checked at COMMIT
            change_feed.notify(s, "never")

    with pytest.raises(IntegrityError, match="once"):
        refused_at_commit()
    with writer.write() as s:
        change_feed.notify(s, "after")
    assert ear.wait_for(lambda: ear.payloads)
    time.sleep(2 * change_feed.POLL_S)
    assert ear.payloads == ["after"]


def test_a_payload_too_big_for_notify_is_refused_before_sending(writer: Database) -> None:
    with pytest.raises(ValueError, match="under 7900 bytes"), writer.write() as s:
        change_feed.notify(s, "x" * change_feed.PAYLOAD_LIMIT)


def test_the_listener_reconnects_after_its_connection_is_ended(
    server: ServerURL, writer: Database, heard: tuple[change_feed.ServerListener, Ear]
) -> None:
    listener, ear = heard
    pid = listener.backend_pid
    assert pid is not None
    with writer.write() as s:  # same role: may end its own sessions
        assert s.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}) is True

    # Reconnected, and told so (first=False: what was sent meanwhile may be lost).
    assert ear.wait_for(lambda: ear.connected == [True, False])
    assert listener.backend_pid not in (None, pid)
    with writer.write() as s:
        change_feed.notify(s, "after")
    assert ear.wait_for(lambda: ear.payloads == ["after"])


def test_the_listener_waits_for_a_server_that_is_not_there_and_stops(server: ServerURL) -> None:
    """A wrong port: it keeps trying (no thread dies, no error escapes) until stopped."""
    away = ServerURL(server.url.set(port=1, query={**server.url.query, "connect_timeout": "1"}))
    from kapdesk.storage.pg_engine import create_server_engine

    engine = create_server_engine(away)
    ear = Ear()
    listener = change_feed.ServerListener(engine, ear.payload, ear.connection)
    listener.start()
    time.sleep(1.0)
    assert listener.running
    assert ear.connected == []
    listener.stop()
    assert not listener.running
    engine.dispose()


def test_a_listener_connection_is_a_real_listen(
    heard: tuple[change_feed.ServerListener, Ear], server: ServerURL
) -> None:
    """The server lists the listener's connection as listening on the channel."""
    listener, _ = heard
    dsn = server.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT state, query FROM pg_stat_activity WHERE pid = %s", (listener.backend_pid,)
        ).fetchone()
    assert row is not None
    assert f"LISTEN {change_feed.CHANNEL}" in str(row[1])


def test_a_listener_that_could_not_connect_at_first_says_so_when_it_does(
    server: ServerURL, writer: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Server unreachable when the window opened: once connected, it is told to reload."""
    attempts: list[int] = []
    real = change_feed._own_connection

    def flaky(engine: object) -> object:
        attempts.append(1)
        if len(attempts) == 1:
            raise psycopg.OperationalError("connection refused")
        return real(engine)  # type: ignore[arg-type]

    monkeypatch.setattr(change_feed, "_own_connection", flaky)
    ear = Ear()
    listener = change_feed.ServerListener(writer.engine, ear.payload, ear.connection)
    listener.start()
    try:
        assert ear.wait_for(lambda: ear.connected == [False])
    finally:
        listener.stop()
