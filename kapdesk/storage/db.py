"""One kapdesk database (a file, or a clinic's PostgreSQL server): open it safely, then
read and write in transactions.

Typical use (services)::

    db = Database.open(path, clock=clock)       # creates + migrates as needed
    with db.write() as s:                        # BEGIN IMMEDIATE ... COMMIT
        s.add(patient)
        s.flush()                                # ids are assigned
        audit.append(s, at=clock.now(), ...)     # same transaction
    with db.read() as s:                         # read-only snapshot
        rows = s.scalars(select(Patient)).all()
    db.close()

Guarantees and rules:

* ``open`` never writes to a file it refuses: a non-SQLite file, some other
  program's SQLite database or a damaged one -> :class:`NotAKapdeskDatabase`;
  a newer/unknown schema revision -> :class:`SchemaTooNew`; a missing file
  with ``create=False`` -> :class:`DatabaseMissing`.
* A file behind the head revision is copied first (SQLite backup API) to
  ``<name>.pre-<rev>-<UTC timestamp>.bak``, then upgraded; the copy's path is
  ``db.upgrade_backup``.
* ``write()`` commits when the block ends normally and rolls back on any
  exception (which is re-raised), so a ``ValidationError`` raised mid-way
  leaves the database exactly as it was. Use one ``write()`` per use case.
* Do not nest ``write()`` blocks: the inner one would wait for the outer
  one's lock and fail with :class:`DatabaseBusy`. ``read()`` inside
  ``write()`` is fine (it sees the last committed state, not the open one).
* ``read()`` sessions are read-only at the SQLite level (``query_only``):
  a flush inside one fails.
* Sessions use ``expire_on_commit=False`` and are closed when the block ends:
  loaded attributes stay readable afterwards, lazy loads do not. Return
  plain dataclasses from services, not ORM objects.
* A lock held by another process longer than the busy timeout (5 s) raises
  :class:`DatabaseBusy`; nothing was written. A full disk, a disk I/O error, a
  read-only file or a damaged one raises
  :class:`~kapdesk.storage.errors.StorageFailed` (``kind``), never the driver's error;
  nothing of that transaction was written. ``last_commit_at`` is the clock time of
  the last committed ``write()`` (what the GUI says was saved).
* A file on a network file system (NFS, SMB/CIFS, sshfs, ...) is refused with
  :class:`~kapdesk.storage.filesystems.NetworkFileSystem`: SQLite's locking
  is not safe there.
* A clinic server: ``Database.open(parse_server_url("postgresql://..."))`` (see
  :mod:`kapdesk.storage.server_open` for what it refuses). The same ``read()``,
  ``write()`` and guarantees: a write holds one advisory lock from its start (as
  ``BEGIN IMMEDIATE``), a lock held past 5 s is :class:`DatabaseBusy`, a lost
  connection :class:`~kapdesk.storage.errors.ServerUnreachable` with nothing
  half-written (see :mod:`kapdesk.storage.server_errors`); a pooled connection found
  broken when a write starts is replaced and the start retried; a deadlock or
  serialization failure later in the transaction runs the whole use case again
  (:mod:`kapdesk.storage.write_retry`). ``db.path`` and
  everything built on the file (backups, restore, encryption) raise
  :class:`~kapdesk.storage.errors.NotForServer`; ``db.describe()`` names either.
* ``key``: the passphrase of an SQLCipher-encrypted file (a new file is
  created encrypted). A wrong one raises
  :class:`~kapdesk.storage.encryption.WrongPassphrase`, a key for a plain file
  :class:`~kapdesk.storage.encryption.NotEncrypted`, no key for an encrypted
  file :class:`~kapdesk.storage.encryption.PassphraseNeeded`; none of them
  writes to the file. ``db.key`` keeps it for backups of this database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from kapdesk.domain.clock import Clock, SystemClock
from kapdesk.domain.errors import KapdeskError
from kapdesk.storage.encryption import check_passphrase, require_sqlcipher
from kapdesk.storage.engine import TxMode, create_sqlite_engine, with_tx_mode
from kapdesk.storage.errors import (
    DatabaseBusy,
    DatabaseMissing,
    NotForServer,
    SchemaTooNew,
    storage_failure,
)
from kapdesk.storage.filesystems import ensure_local_disk
from kapdesk.storage.migrate import (
    current_revision,
    head_revision,
    known_revisions,
    upgrade_to_head,
)
from kapdesk.storage.server_errors import retry_before_write, server_refusal
from kapdesk.storage.server_url import ServerURL
from kapdesk.storage.sqlite_file import FileKind, inspect_file
from kapdesk.storage.write_retry import committed, watch_writes

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session, sessionmaker


# Attempts at taking the write lock on a server when the connection drops or the server
# reports a deadlock / serialization failure while taking it (nothing written yet).
WRITE_START_ATTEMPTS = 3
SERVER_ENCRYPTION = (
    "On a server, protect the data with TLS (sslmode=verify-full) and the server's disk "
    "encryption instead."
)


def _is_busy(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def _refusal(path: Path, exc: DBAPIError, *, reading: bool = False) -> KapdeskError | None:
    """DatabaseBusy or StorageFailed (disk full, I/O error, read-only) for ``exc``, or None.

    ``reading``: a read-only session that tried to write is a bug, not a read-only file."""
    if isinstance(exc, OperationalError) and _is_busy(exc):
        return DatabaseBusy(path)
    failure = storage_failure(path, exc, reading=reading)
    if failure is not None and reading and failure.kind == "read_only":
        return None
    return failure


def _quiet_rollback(transaction: Session | Connection) -> None:
    with suppress(DBAPIError):  # the original error is the one to report
        transaction.rollback()


class Database:
    """An open kapdesk database. Build it with :meth:`open`."""

    def __init__(
        self,
        path: Path | ServerURL,
        engine: Engine,
        clock: Clock,
        upgrade_backup: Path | None,
        *,
        key: str | None = None,
    ) -> None:
        self.location = path  # the file, or the clinic server
        self.server = path if isinstance(path, ServerURL) else None
        self.key = key
        self.engine = engine
        self.clock = clock
        self.upgrade_backup = upgrade_backup
        self.last_commit_at: datetime | None = None  # clock time of the last committed write()
        self._makers: dict[str, sessionmaker[Session]] = {}

    @property
    def path(self) -> Path:
        """The database file; :class:`NotForServer` for a database on a clinic server."""
        if isinstance(self.location, ServerURL):
            raise NotForServer(self.location, "This feature")
        return self.location

    @property
    def is_server(self) -> bool:
        return self.server is not None

    def describe(self) -> str:
        """Where the database is, fit for a screen: the file path or the server URL
        (without its password)."""
        return str(self.location)

    def _refusal(self, exc: DBAPIError, *, reading: bool = False) -> KapdeskError | None:
        if self.server is not None:
            return server_refusal(self.server, exc, reading=reading)
        return _refusal(self.path, exc, reading=reading)

    def _sessions(self, mode: TxMode) -> sessionmaker[Session]:
        # Built on first use: importing sqlalchemy.orm costs ~0.1 s, which start-up
        # need not pay before the login window is painted (see connect_read).
        maker = self._makers.get(mode)
        if maker is None:
            from sqlalchemy.orm import sessionmaker

            maker = sessionmaker(with_tx_mode(self.engine, mode), expire_on_commit=False)
            if mode == "write":
                watch_writes(maker)  # a use case that saved rows is not run again
            self._makers[mode] = maker
        return maker

    @classmethod
    def open(
        cls,
        path: Path | ServerURL,
        *,
        create: bool = True,
        migrate: bool = True,
        clock: Clock | None = None,
        key: str | None = None,
    ) -> Database:
        """Open (or create) the database at ``path``; see the module docstring for refusals.

        ``path`` is a file, or a :class:`~kapdesk.storage.server_url.ServerURL` (a clinic's
        PostgreSQL server; see :mod:`kapdesk.storage.server_open`). ``migrate=False`` opens
        the database at whatever revision it has (for tools that inspect old files); a new
        one then stays empty.
        """
        clock = clock or SystemClock()
        if isinstance(path, ServerURL):
            from kapdesk.storage.server_open import open_server

            if key is not None:
                raise NotForServer(path, "An encryption passphrase", SERVER_ENCRYPTION)
            engine = open_server(path, create=create, migrate=migrate)
            return cls(path, engine, clock, None)
        path = Path(path).expanduser().absolute()
        if key is not None:  # before anything touches the file
            check_passphrase(key)
            require_sqlcipher()
        ensure_local_disk(path)
        info = inspect_file(path, key=key)
        if info.kind is FileKind.MISSING:
            if not create:
                raise DatabaseMissing(path)
            path.parent.mkdir(parents=True, exist_ok=True)
        elif info.revision is not None and info.revision not in known_revisions():
            raise SchemaTooNew(path, info.revision, head_revision())
        engine = create_sqlite_engine(path, key=key)
        try:
            backup = upgrade_to_head(engine, path, clock=clock, key=key) if migrate else None
        except BaseException:
            engine.dispose()
            raise
        return cls(path, engine, clock, backup, key=key)

    def _begin_write(self, transaction: Session | Connection) -> None:
        """Take the write lock now, not at the first statement. On a server, a lost
        connection, deadlock or serialization failure while taking it is retried (nothing
        has been written yet); a lock still held after the busy timeout is not."""
        begin = transaction.begin if isinstance(transaction, Connection) else transaction.connection
        for attempt in range(1, WRITE_START_ATTEMPTS + 1):
            try:
                if self.server is None:
                    begin()
                else:
                    from kapdesk.storage.pg_engine import unpinged

                    with unpinged():  # a broken connection fails the lock: retried here
                        begin()
                return
            except DBAPIError as exc:
                if self.server is None or attempt == WRITE_START_ATTEMPTS:
                    raise
                if not retry_before_write(exc):
                    raise
                _quiet_rollback(transaction)
                time.sleep(0.05 * attempt)

    def _write_refusal(self, exc: DBAPIError, *, committing: bool) -> KapdeskError | None:
        if self.server is not None:
            return server_refusal(self.server, exc, committing=committing)
        return _refusal(self.path, exc)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in a writing transaction (SQLite ``BEGIN IMMEDIATE``; PostgreSQL the
        advisory write lock): commit on success, else roll back."""
        session = self._sessions("write")()
        committing = False
        try:
            self._begin_write(session)
            yield session
            committing = True
            session.commit()
            committed(session)
            self.last_commit_at = self.clock.now()
        except DBAPIError as exc:
            _quiet_rollback(session)  # after a disk error the rollback may fail too
            refusal = self._write_refusal(exc, committing=committing)
            if refusal is not None:
                raise refusal from exc
            raise
        except BaseException:
            _quiet_rollback(session)
            raise
        finally:
            session.close()

    @contextmanager
    def connect_write(self) -> Iterator[Connection]:
        """A Core connection in a writing transaction, taken and ended as :meth:`write`
        takes and ends a session's (the same lock, refusals and retries), for a write
        made without the ORM: the audit entry of ``kapdesk report course``. Nothing marks
        it for ``run_use_case``, which runs ORM sessions only."""
        conn: Connection | None = None
        committing = False
        try:
            conn = with_tx_mode(self.engine, "write").connect()
            self._begin_write(conn)
            yield conn
            committing = True
            conn.commit()
            self.last_commit_at = self.clock.now()
        except DBAPIError as exc:
            if conn is not None:
                _quiet_rollback(conn)  # after a disk error the rollback may fail too
            refusal = self._write_refusal(exc, committing=committing)
            if refusal is not None:
                raise refusal from exc
            raise
        except BaseException:
            if conn is not None:
                _quiet_rollback(conn)
            raise
        finally:
            if conn is not None:
                conn.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session over one consistent snapshot (SQLite deferred ``BEGIN``;
        PostgreSQL REPEATABLE READ, READ ONLY)."""
        session = self._sessions("read")()
        try:
            yield session
        except DBAPIError as exc:
            refusal = self._refusal(exc, reading=True)
            if refusal is not None:
                raise refusal from exc
            raise
        finally:
            session.close()  # ends the transaction without expiring loaded objects

    @contextmanager
    def connect_read(self) -> Iterator[Connection]:
        """A read-only Core connection (``query_only``), for the few reads made before the
        ORM is loaded (start-up); same busy handling as :meth:`read`."""
        try:
            conn = with_tx_mode(self.engine, "read").connect()
        except DBAPIError as exc:
            refusal = self._refusal(exc, reading=True)
            if refusal is not None:
                raise refusal from exc
            raise
        with conn:
            try:
                yield conn
            except DBAPIError as exc:
                refusal = self._refusal(exc, reading=True)
                if refusal is not None:
                    raise refusal from exc
                raise

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def schema_revision(self) -> str | None:
        return current_revision(self.engine)

    def close(self) -> None:
        """Close every pooled connection (for a file, the last one checkpoints and removes
        the WAL)."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({str(self.location)!r})"
