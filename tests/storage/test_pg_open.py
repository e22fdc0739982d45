"""Database.open on a PostgreSQL server: create, reopen, refusals (nothing written)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import URL, inspect, text

from kapdesk.domain.clock import FakeClock
from kapdesk.storage.db import Database
from kapdesk.storage.errors import (
    DatabaseMissing,
    NotAKapdeskDatabase,
    NotForServer,
    SchemaTooNew,
    ServerLoginRefused,
    ServerUnreachable,
)
from kapdesk.storage.migrate import head_revision
from kapdesk.storage.server_url import ServerURL, parse_server_url
from tests.pg_support import pg_skip_reason, throwaway_database

pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")


@pytest.fixture
def server() -> Iterator[ServerURL]:
    with throwaway_database() as url:
        yield url


def _raw(server: ServerURL) -> psycopg.Connection:
    url = server.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(url, autocommit=True)


def test_empty_database_is_created_at_head_and_reopened(server: ServerURL) -> None:
    with Database.open(server, clock=FakeClock()) as db:
        assert db.schema_revision() == head_revision()
        assert db.is_server
        assert db.server == server
        assert "audit_log" in inspect(db.engine).get_table_names()
    with Database.open(server, create=False) as db:
        assert db.schema_revision() == head_revision()
        with db.read() as s:
            assert s.execute(text("SELECT count(*) FROM users")).scalar() == 0


def test_empty_database_without_create_is_missing(server: ServerURL) -> None:
    with pytest.raises(DatabaseMissing):
        Database.open(server, create=False)
    with _raw(server) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


def test_other_applications_database_is_refused_untouched(server: ServerURL) -> None:
    with _raw(server) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(NotAKapdeskDatabase, match="invoices"):
        Database.open(server)
    with _raw(server) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert [r[0] for r in tables] == ["invoices"]


def test_newer_revision_is_refused_untouched(server: ServerURL) -> None:
    Database.open(server).close()
    with _raw(server) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaTooNew, match="9999"):
        Database.open(server)
    with _raw(server) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999",)


def test_file_only_features_say_not_for_a_server(server: ServerURL) -> None:
    with Database.open(server) as db:
        with pytest.raises(NotForServer, match="not on the clinic server"):
            _ = db.path
        # The role comes from KAPDESK_TEST_PG_URL (.ci/run makes a randomly named one).
        assert f"{server.url.username}:***@" in db.describe()
    with pytest.raises(NotForServer, match="passphrase"):
        Database.open(server, key="a long passphrase here")


def test_wrong_password_and_unreachable_server_are_clear(server: ServerURL) -> None:
    wrong = ServerURL(server.url.set(password="not-the-password"))
    with pytest.raises(ServerLoginRefused) as refused:
        Database.open(wrong)
    assert "not-the-password" not in str(refused.value)
    nobody = parse_server_url("postgresql://u:secret@127.0.0.1:1/kapdesk?connect_timeout=2")
    with pytest.raises(ServerUnreachable, match="cannot be reached") as gone:
        Database.open(nobody)
    assert "secret" not in str(gone.value)


def test_tls_parameters_reach_the_driver(server: ServerURL) -> None:
    """This test server has no TLS: requiring it must fail, not quietly connect in clear."""
    url = server.url.update_query_dict({"sslmode": "require"})
    with pytest.raises(ServerUnreachable, match="SSL") as caught:
        Database.open(ServerURL(url))
    assert f"{server.url.username}:***@" in str(caught.value)
    assert "sslmode=require" in str(caught.value)
    plain = server.url.update_query_dict({"sslmode": "disable"})
    with Database.open(ServerURL(plain)) as db, db.read() as s:
        assert s.scalar(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) is False


def test_missing_password_is_said_not_unreachable(
    server: ServerURL, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    u = server.url
    no_password = URL.create(
        u.drivername, u.username, None, u.host, u.port, u.database, {"connect_timeout": "3"}
    )
    bare = ServerURL(no_password)
    with pytest.raises(ServerLoginRefused, match="no password") as caught:
        Database.open(bare)
    assert "cannot be reached" not in str(caught.value)
    assert "PGPASSWORD" in str(caught.value)


def test_a_command_is_not_told_it_reconnects() -> None:
    nobody = parse_server_url("postgresql://u:secret@127.0.0.1:1/kapdesk?connect_timeout=2")
    with pytest.raises(ServerUnreachable) as gone:
        Database.open(nobody)
    in_command = gone.value.in_a_command()
    assert "reconnects" not in in_command
    assert "Run the command again once the server answers." in in_command
    assert "cannot be reached" in in_command
    assert "secret" not in in_command


def test_connections_find_a_dead_peer_by_tcp_keepalives(server: ServerURL) -> None:
    """A read on a connection whose server is gone (cut network) must fail in seconds, not
    wait for TCP's ~15 min: libpq keepalives and tcp_user_timeout on every connection,
    the change feed's listener included (it takes its connection from the same engine)."""
    with Database.open(server) as db:
        raw = db.engine.raw_connection()
        try:
            conn = raw.driver_connection
            assert conn is not None
            params = conn.info.get_parameters()
        finally:
            raw.close()
    assert params["keepalives"] == "1"
    assert params["keepalives_idle"] == "5"
    assert params["keepalives_interval"] == "2"
    assert params["keepalives_count"] == "3"
    assert params["tcp_user_timeout"] == "15000"
