"""Which kapdesk error a PostgreSQL driver error becomes (no server needed)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError, OperationalError

from kapdesk.storage.errors import (
    DatabaseBusy,
    ServerLoginRefused,
    ServerUnreachable,
    StorageFailed,
)
from kapdesk.storage.server_errors import retry_before_write, server_refusal
from kapdesk.storage.server_url import parse_server_url

SERVER = parse_server_url("postgresql://app:s3cret@db.clinic/kapdesk")


def _wrapped(orig: Exception) -> DBAPIError:
    return OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    "orig",
    [
        psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.SerializationFailure("could not serialize access"),
    ],
)
def test_lock_timeout_deadlock_and_serialization_failure_are_busy(orig: Exception) -> None:
    refusal = server_refusal(SERVER, _wrapped(orig))
    assert isinstance(refusal, DatabaseBusy)
    assert "nothing was saved" in str(refusal)
    assert "s3cret" not in str(refusal)


def test_only_deadlocks_serialization_failures_and_lost_connections_are_retried() -> None:
    assert retry_before_write(_wrapped(psycopg.errors.DeadlockDetected("x")))
    assert retry_before_write(_wrapped(psycopg.errors.SerializationFailure("x")))
    assert retry_before_write(_wrapped(psycopg.errors.AdminShutdown("x")))
    assert retry_before_write(_wrapped(psycopg.OperationalError("server closed the connection")))
    assert not retry_before_write(_wrapped(psycopg.errors.LockNotAvailable("x")))
    refused = psycopg.OperationalError("connection to server failed: Connection refused")
    assert not retry_before_write(OperationalError(None, None, refused))  # type: ignore[arg-type]
    assert not retry_before_write(_wrapped(psycopg.errors.UniqueViolation("x")))


def test_connection_lost_during_commit_says_the_outcome_is_unknown() -> None:
    exc = _wrapped(psycopg.OperationalError("server closed the connection unexpectedly"))
    during = server_refusal(SERVER, exc, committing=True)
    before = server_refusal(SERVER, exc)
    assert isinstance(during, ServerUnreachable)
    assert during.unknown_outcome
    assert "cannot tell whether it was saved" in str(during)
    assert isinstance(before, ServerUnreachable)
    assert not before.unknown_outcome
    assert "nothing was saved" in str(before)
    reading = server_refusal(SERVER, exc, reading=True, committing=True)
    assert isinstance(reading, ServerUnreachable)
    assert "nothing could be read" in str(reading)


def test_login_disk_full_and_standby_are_named() -> None:
    login = server_refusal(SERVER, _wrapped(psycopg.errors.InvalidPassword("bad password")))
    assert isinstance(login, ServerLoginRefused)
    full = server_refusal(SERVER, _wrapped(psycopg.errors.DiskFull("no space left")))
    assert isinstance(full, StorageFailed)
    assert full.kind == "full"
    standby = server_refusal(
        SERVER, _wrapped(psycopg.errors.ReadOnlySqlTransaction("read-only transaction"))
    )
    assert isinstance(standby, StorageFailed)
    assert standby.kind == "read_only"


def test_bugs_are_not_hidden() -> None:
    assert server_refusal(SERVER, _wrapped(psycopg.errors.UndefinedTable("no table"))) is None
    assert server_refusal(SERVER, _wrapped(psycopg.errors.UniqueViolation("dup"))) is None
