"""The SQLAlchemy engine over a clinic's PostgreSQL server (psycopg 3), kapdesk's settings.

Connections come from a ``QueuePool``, ``connect_timeout`` and
``application_name=kapdesk`` and TCP keepalives / ``tcp_user_timeout`` (:data:`TCP_SETTINGS`:
a read on a connection whose peer is gone fails in ~10-20 s instead of hanging) unless the
URL gives its own.

The execution option :data:`~kapdesk.storage.engine.TX_MODE` picks the transaction, as
for SQLite:

* ``"write"``: READ COMMITTED, and first of all ``pg_advisory_xact_lock(`` :data:`WRITE_LOCK`
  ``)``. Every kapdesk write takes this one lock, held until COMMIT/ROLLBACK: two writers
  can never both read the same audit chain head (SQLite's ``BEGIN IMMEDIATE``). The wait
  is bounded by ``lock_timeout``, set on every connection to the SQLite busy timeout
  (5 s); past it the driver raises ``lock_not_available``, which ``Database`` reports as
  ``DatabaseBusy``. Each
  statement after the lock sees every write committed before it (READ COMMITTED takes a
  new snapshot per statement, and the snapshot of the first statement is taken only
  after the lock is held).
* ``"read"``: REPEATABLE READ, READ ONLY: one consistent snapshot, any write fails
  (``read_only_sql_transaction``); such transactions never fail to serialize.
* unset: the server's default (migrations, set-up).

A pooled connection is pinged (``SELECT 1``, one round trip) when it is checked out, and
replaced (with every connection pooled before it) if the server dropped it while idle,
as SQLAlchemy's ``pool_pre_ping`` does, except at the start of a write
(:func:`unpinged`): there the first statement, the write lock, fails on a dropped
connection before anything is written, and ``Database.write`` starts again on a fresh
one (``WRITE_START_ATTEMPTS``), so a reading costs no extra round trip for the ping.

A write's BEGIN and its write lock go in one query (``BEGIN ISOLATION LEVEL READ COMMITTED
READ WRITE; SELECT pg_advisory_xact_lock(...)``): psycopg is put in autocommit for that
transaction (so it sends no BEGIN of its own before the first statement) and taken out of it
when the transaction ends (COMMIT, ROLLBACK, the pool's reset, or the next BEGIN at the
latest). The lock still runs through SQLAlchemy (statement events see it; a broken connection
or ``lock_not_available`` fails exactly as before).

A NOTIFY given to :func:`notify_at_commit` is sent with the transaction's COMMIT, in one
query (``SELECT pg_notify(...); COMMIT``): one round trip for both instead of two. It is
still delivered only if that COMMIT succeeds; a rollback (or a failing NOTIFY, which aborts
the transaction before its COMMIT) drops it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final

from psycopg import IsolationLevel, sql
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.pool import QueuePool

from kapdesk.storage.engine import BUSY_TIMEOUT_MS, TX_MODE
from kapdesk.storage.server_url import ServerURL

# The advisory lock key every writing transaction takes (b"KAPDaudt" as a signed bigint).
WRITE_LOCK: Final = int.from_bytes(b"KAPDaudt", "big", signed=True)
CONNECT_TIMEOUT_S: Final = 5
# A dead peer (cut network, host gone) is found in ~10-20 s rather than TCP's ~15 min:
# keepalive probes after 5 s idle, every 2 s, 3 unanswered -> closed; data sent but not
# acknowledged for 15 s -> closed. libpq names; the URL may give its own.
TCP_SETTINGS: Final[dict[str, int]] = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,  # ms
}
APPLICATION_NAME: Final = "kapdesk"

_json_text = functools.partial(
    json.dumps, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


# Set while a write takes its connection: no ping (see the module docstring).
_UNPINGED: ContextVar[bool] = ContextVar("kapdesk_unpinged", default=False)
_UNUSED = "kapdesk_unused"  # record.info: connected and not yet checked out
_PENDING_NOTIFY = "kapdesk_pending_notify"  # record.info: [(channel, payload)] for COMMIT
_NOTIFY_SQL = sql.SQL("SELECT pg_notify({}, {}); ")
_OWN_BEGIN = "kapdesk_own_begin"  # record.info: psycopg in autocommit for our own BEGIN
_BEGIN_WRITE: Final = (
    f"BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
)


@contextmanager
def unpinged() -> Iterator[None]:
    """Connections checked out in this block are not pinged: for a use case that runs
    again on a fresh connection when its first statement finds the connection broken."""
    token = _UNPINGED.set(True)
    try:
        yield
    finally:
        _UNPINGED.reset(token)


def _pinger(engine: Engine) -> Any:
    dialect = engine.dialect

    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.pop(_UNUSED, False) or _UNPINGED.get():
            return  # just connected, or a write start (retried if the connection is broken)
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                # The pool replaces this connection and every one pooled before it.
                raise InvalidatePoolError(str(exc)) from exc
            raise

    return on_checkout


def _on_connect(dbapi_connection: Any, record: Any) -> None:
    record.info[_UNUSED] = True
    # Like SQLite's busy_timeout, for the whole connection: a lock (the write lock, a row
    # another transaction holds) is waited for this long, then the statement fails.
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(BUSY_TIMEOUT_MS)}")
    dbapi_connection.commit()


def notify_at_commit(conn: Connection, channel: str, payload: str) -> bool:
    """Have ``conn``'s transaction send NOTIFY ``channel`` ``payload`` with its COMMIT;
    False (nothing queued) when its engine does not do that (not made here)."""
    if conn.dialect.__dict__.get("do_commit") is not _do_commit:
        return False
    conn.connection.info.setdefault(_PENDING_NOTIFY, []).append((channel, payload))
    return True


def _info(dbapi_connection: Any) -> dict[str, Any] | None:
    try:
        info: dict[str, Any] = dbapi_connection.info
    except (AttributeError, NotImplementedError):  # the dialect's first connect: no record
        return None
    return info


def _end_own_begin(dbapi_connection: Any) -> None:
    """psycopg back out of autocommit once the transaction begun by :data:`_BEGIN_WRITE`
    is over (it can only be changed outside a transaction)."""
    info = _info(dbapi_connection)
    if info is not None and info.get(_OWN_BEGIN):
        _leave_autocommit(dbapi_connection.driver_connection, info)


def _leave_autocommit(raw: Any, info: dict[str, Any]) -> None:
    del info[_OWN_BEGIN]
    if raw.closed:  # (the pool discards it)
        return
    if raw.pgconn.transaction_status != TransactionStatus.IDLE:
        raw.rollback()  # (psycopg sends ROLLBACK whatever autocommit says)
    raw.autocommit = False


def _on_reset(dbapi_connection: Any, record: Any, state: Any) -> None:
    """Back in the pool: never left in autocommit, whether SQLAlchemy rolls back or not (a
    BEGIN whose write lock failed leaves no transaction SQLAlchemy knows of)."""
    if record is not None and record.info.get(_OWN_BEGIN) and not state.terminate_only:
        _leave_autocommit(dbapi_connection, record.info)


def _take_pending(dbapi_connection: Any) -> list[tuple[str, str]] | None:
    info = _info(dbapi_connection)
    if info is None:
        return None
    pending: list[tuple[str, str]] | None = info.pop(_PENDING_NOTIFY, None)
    return pending


def _do_commit(dbapi_connection: Any) -> None:
    """The dialect's COMMIT, preceded in the same query by the queued NOTIFYs."""
    pending = _take_pending(dbapi_connection)
    if pending:
        raw = dbapi_connection.driver_connection
        query = sql.Composed(
            [_NOTIFY_SQL.format(sql.Literal(ch), sql.Literal(p)) for ch, p in pending]
            + [sql.SQL("COMMIT")]
        )
        with raw.cursor() as cursor:
            # No parameters: the simple query protocol, several statements in one message.
            cursor.execute(query)
    dbapi_connection.commit()  # psycopg: nothing left to commit after the COMMIT above
    _end_own_begin(dbapi_connection)


def _do_rollback(dbapi_connection: Any) -> None:
    _take_pending(dbapi_connection)
    dbapi_connection.rollback()
    _end_own_begin(dbapi_connection)


def _on_begin(conn: Connection) -> None:
    conn.connection.info.pop(_PENDING_NOTIFY, None)  # (a rollback already dropped them)
    _end_own_begin(conn.connection)  # (a commit or rollback already did)
    mode = conn.get_execution_options().get(TX_MODE)
    raw = conn.connection.driver_connection
    assert raw is not None
    # psycopg sends these with its BEGIN (no round trip of their own).
    if mode == "write" and not raw.autocommit:
        raw.isolation_level, raw.read_only = IsolationLevel.READ_COMMITTED, False
        # BEGIN and the lock in one query (simple protocol): one round trip, not two.
        raw.autocommit = True
        conn.connection.info[_OWN_BEGIN] = True
        conn.exec_driver_sql(_BEGIN_WRITE)
    elif mode == "write":  # an AUTOCOMMIT connection: the lock as a statement of its own
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
    elif mode == "read":
        raw.isolation_level, raw.read_only = IsolationLevel.REPEATABLE_READ, True
    else:
        raw.isolation_level, raw.read_only = None, None


def create_server_engine(server: ServerURL, *, pool_size: int = 5) -> Engine:
    """An engine over ``server`` with kapdesk's pool and transaction settings."""
    query = server.query
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in query:
        connect_args["application_name"] = APPLICATION_NAME
    connect_args.update({k: v for k, v in TCP_SETTINGS.items() if k not in query})
    engine = create_engine(
        server.url,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=10,
        connect_args=connect_args,
        json_serializer=_json_text,
    )
    # On this engine's own dialect object only (notify_at_commit checks for them).
    engine.dialect.do_commit = _do_commit  # type: ignore[method-assign]
    engine.dialect.do_rollback = _do_rollback  # type: ignore[method-assign]
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    event.listen(engine.pool, "checkout", _pinger(engine))
    event.listen(engine.pool, "reset", _on_reset)
    return engine
