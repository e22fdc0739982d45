"""The SQLAlchemy engine over one SQLite file, with kapdesk's connection settings.

Every new DBAPI connection gets ``foreign_keys=ON`` (SQLite's default is off),
``journal_mode=WAL`` (readers never block the writer), ``synchronous=FULL``
(a commit survives a power cut) and ``busy_timeout`` (wait for a lock instead
of failing at once).

Transactions follow the pysqlite recipe of the SQLAlchemy SQLite dialect docs
("Enabling Non-Legacy SQLite Transactional Modes"): the driver's own implicit
BEGIN is switched off (``isolation_level = None``) and the ``begin`` event
emits BEGIN itself, so SELECTs and DDL are transactional too. The kind of
BEGIN comes from the execution option :data:`TX_MODE`:

* ``"write"``: ``BEGIN IMMEDIATE`` - takes the write lock at once, so two
  writers cannot both read the same last audit hash and fork the chain;
* ``"read"``: ``BEGIN`` with ``PRAGMA query_only`` on - any write fails;
* unset: plain deferred ``BEGIN``.

Encrypted databases (``key`` given) use the same dialect over the
``sqlcipher3`` DBAPI module (``module=``), with a ``creator`` that runs
``PRAGMA key`` as the very first statement of every connection, before the
dialect's first-connect queries and the pragmas above. We do not use the
``sqlite+pysqlcipher`` dialect's URL password: it would need the passphrase
in the URL, older SQLAlchemy releases quote it unsafely, and that dialect's
default ``SingletonThreadPool`` would hand a ``read()`` inside a ``write()``
the same connection.

Everything SQLite-specific about connections lives here, in ``storage/``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool, QueuePool

from kapdesk.storage.encryption import connect, require_sqlcipher
from kapdesk.storage.sqlite_file import connect_readonly

TX_MODE = "kapdesk_tx"
TxMode = Literal["write", "read"]
BUSY_TIMEOUT_MS = 5000

CONNECTION_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
)


# JSON columns are stored as canonical JSON (sorted keys, no spaces, as the audit log
# records them), so `kapdesk check` can compare a row with its audit snapshot in SQL.
_json_text = functools.partial(
    json.dumps, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy (see _on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first: switching to WAL needs a lock and should wait for it.
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        for pragma in CONNECTION_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(TX_MODE)
    info = conn.connection.info
    query_only = mode == "read"
    if info.get("query_only", False) != query_only:
        conn.exec_driver_sql(f"PRAGMA query_only = {int(query_only)}")
        info["query_only"] = query_only
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "write" else "BEGIN")


def create_sqlite_engine(path: Path, *, key: str | None = None) -> Engine:
    """An engine over ``path`` (created on first connect if missing) with kapdesk's settings.

    With ``key`` the file is an SQLCipher database encrypted with that passphrase.
    """
    url = URL.create("sqlite+pysqlite", database=str(path))
    if key is None:
        engine = create_engine(url, json_serializer=_json_text)
    else:

        def keyed() -> Any:
            # Pooled connections move between threads, as pysqlite's own are allowed to.
            return connect(path, key=key, check_same_thread=False)

        engine = create_engine(
            url,
            module=require_sqlcipher(),
            creator=keyed,
            poolclass=QueuePool,
            json_serializer=_json_text,
        )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def create_readonly_engine(path: Path, *, key: str | None = None) -> Engine:
    """An engine that can only read ``path`` and never writes to it (for checks and restore).

    Same transaction handling as :func:`create_sqlite_engine`, so a multi-query
    check sees one snapshot; no pragmas that would write the file.
    """
    wal_present = path.with_name(path.name + "-wal").exists()

    def connect_ro() -> Any:
        return connect_readonly(path, immutable=not wal_present, key=key)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    extra = {} if key is None else {"module": require_sqlcipher()}
    engine = create_engine("sqlite+pysqlite://", creator=connect_ro, poolclass=NullPool, **extra)
    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def with_tx_mode(engine: Engine, mode: TxMode) -> Engine:
    """The same engine (same pool), whose transactions begin in ``mode``."""
    return engine.execution_options(**{TX_MODE: mode})
