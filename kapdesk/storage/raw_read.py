"""A read-only SQLite connection with the few methods of SQLAlchemy's ``Connection`` that
``kapdesk check``'s clean path uses (``exec_driver_sql``, ``dialect.name``), on the standard
library alone: a check that finds nothing never imports SQLAlchemy (~0.13 s of processor
time on a machine of two processors, where the check is processor-bound).

Errors are sqlite3's own (:func:`statement_errors` names what to catch on either kind of
connection). Rows are plain tuples.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from kapdesk.storage.sqlite_file import connect_readonly, sidecars

if TYPE_CHECKING:
    from typing import TypeAlias

    from sqlalchemy import Connection

    # what the check's readers take: SQLAlchemy's connection or this module's
    Readable: TypeAlias = "Connection | RawConnection"

Params = Sequence[Any] | Mapping[str, Any]


class NotOneRow(sqlite3.DatabaseError):
    """``one()`` found no row or several."""


class RawResult:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._cursor)

    def all(self) -> list[tuple[Any, ...]]:
        return self._cursor.fetchall()

    fetchall = all

    def first(self) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._cursor.fetchone()
        self._cursor.close()
        return row

    def one(self) -> tuple[Any, ...]:
        rows = self._cursor.fetchmany(2)
        self._cursor.close()
        if len(rows) != 1:
            raise NotOneRow(f"expected one row, got {'none' if not rows else 'several'}")
        return rows[0]  # type: ignore[no-any-return]

    def scalar(self) -> Any:
        row = self.first()
        return None if row is None else row[0]


def read_transaction(path: Path, pragmas: Sequence[str] = ()) -> sqlite3.Connection:
    """``path`` opened read-only (immutable when no ``-wal`` file is there: the main file
    then holds every committed transaction), ``pragmas`` run, inside one read transaction."""
    conn: sqlite3.Connection = connect_readonly(path, immutable=not sidecars(path)[0].exists())
    try:
        conn.isolation_level = None
        for pragma in pragmas:
            conn.execute(pragma)
        conn.execute("BEGIN")
    except BaseException:
        conn.close()
        raise
    return conn


class _Lent:
    """The sqlite3 connection as lent to SQLAlchemy, which rolls back after its first
    connect: what would end the read transaction (commit, rollback, close) does nothing
    here; :meth:`RawConnection.close` ends it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


class RawConnection:
    """``path`` opened read-only inside one read transaction (one snapshot), as
    :func:`kapdesk.storage.engine.create_readonly_engine`'s connections are."""

    dialect = SimpleNamespace(name="sqlite")

    def __init__(self, path: Path, *, pragmas: Sequence[str] = ()) -> None:
        self._sa: Connection | None = None
        self._conn = read_transaction(path, pragmas)

    def exec_driver_sql(self, sql: str, params: Params | None = None) -> RawResult:
        return RawResult(self._conn.execute(sql, () if params is None else params))

    def sqlalchemy(self) -> Connection:
        """An SQLAlchemy ``Connection`` on this very connection, in the same read transaction
        (one snapshot), made at the first call: what judging a finding needs (the ORM,
        columns read through their types)."""
        if self._sa is None:
            from sqlalchemy import create_engine
            from sqlalchemy.pool import StaticPool

            # pysqlite begins nothing itself (isolation_level None): the BEGIN above holds
            engine = create_engine(
                "sqlite+pysqlite://",
                creator=lambda: _Lent(self._conn),
                poolclass=StaticPool,
                pool_reset_on_return=None,
            )
            self._sa = engine.connect()
        return self._sa

    def close(self) -> None:
        if self._sa is not None:
            self._sa.close()
        self._conn.close()  # the read transaction ends with it

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def reading(path: Path, key: str | None = None) -> Iterator[Readable]:
    """One read transaction on ``path`` (one snapshot): a :class:`RawConnection`, or for an
    encrypted file (``key``) an SQLAlchemy connection (:mod:`kapdesk.storage.engine`)."""
    if key is None:
        with RawConnection(path) as conn:
            yield conn
        return
    from kapdesk.storage.engine import create_readonly_engine

    engine = create_readonly_engine(path, key=key)
    try:
        with engine.connect() as sa_conn, sa_conn.begin():
            yield sa_conn
    finally:
        engine.dispose()


def as_sqlalchemy(conn: Readable) -> Connection:
    """``conn`` as an SQLAlchemy connection (:meth:`RawConnection.sqlalchemy`)."""
    return conn.sqlalchemy() if isinstance(conn, RawConnection) else conn


def statement_errors() -> tuple[type[Exception], ...]:
    """What a failed statement raises: sqlite3's errors on a :class:`RawConnection`, and
    SQLAlchemy's ``DBAPIError`` once SQLAlchemy is loaded (its connections wrap them)."""
    loaded = sys.modules.get("sqlalchemy.exc")
    wrapped = () if loaded is None else (loaded.DBAPIError,)
    return (sqlite3.Error, *wrapped)
