"""The SQLite file itself, below SQLAlchemy: what a file is, and copying it safely.

* :func:`inspect_file` classifies a path (missing / empty / kapdesk at some
  revision) without writing to it, and raises :class:`NotAKapdeskDatabase`
  for anything else. ``Database.open``, backup and verify call it first so a
  foreign or newer file is never touched.
* :func:`copy_with_backup_api` makes a consistent copy of a live database with
  SQLite's online backup API (never a file copy: a plain copy of a WAL database
  can miss committed transactions or catch one half-written).

kapdesk files carry ``PRAGMA application_id`` = :data:`KAPDESK_APPLICATION_ID`
(set by migration 0001), which tells them apart from other programs' SQLite
files, including other programs that also use Alembic.

Every function takes ``key``: None for a plain file, else the passphrase of an
SQLCipher-encrypted one (:mod:`kapdesk.storage.encryption`). A copy of an
encrypted database is encrypted with the same key.
"""

from __future__ import annotations

import contextlib
import enum
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapdesk.storage.encryption import (
    NotEncrypted,
    PassphraseNeeded,
    check_key,
    connect,
    database_errors,
    has_sqlite_header,
    looks_encrypted,
)
from kapdesk.storage.errors import NotAKapdeskDatabase

KAPDESK_APPLICATION_ID = 0x4B415044  # b"KAPD"
ALEMBIC_TABLE = "alembic_version"


class FileKind(enum.Enum):
    MISSING = "missing"
    EMPTY = "empty"  # a zero-byte file or an SQLite file without tables
    KAPDESK = "kapdesk"


@dataclass(frozen=True)
class FileInfo:
    path: Path
    kind: FileKind
    revision: str | None = None  # None: no revision stamped (base)


def sidecars(path: Path) -> list[Path]:
    """The WAL-mode companions of a database file (they may not exist)."""
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def connect_readonly(path: Path, *, immutable: bool = False, key: str | None = None) -> Any:
    """A read-only connection that never writes to the main file.

    ``immutable`` also skips locking and the WAL; only safe when no ``-wal``
    file exists (then the main file holds every committed transaction).
    """
    return connect(path, key=key, query="mode=ro&immutable=1" if immutable else "mode=ro")


def _check_header(path: Path, key: str | None) -> None:
    plain = has_sqlite_header(path)
    if key is None and not plain:
        if looks_encrypted(path):
            raise PassphraseNeeded(path)
        raise NotAKapdeskDatabase(path, "it is not an SQLite file")
    if key is not None and plain:
        raise NotEncrypted(path)


def inspect_file(path: Path, *, key: str | None = None) -> FileInfo:
    """Classify ``path`` without modifying it (or creating anything beside it).

    With ``key``: :class:`~kapdesk.storage.encryption.WrongPassphrase` if it
    does not decrypt the file, :class:`~kapdesk.storage.encryption.NotEncrypted`
    for a plain file. Without: :class:`~kapdesk.storage.encryption.PassphraseNeeded`
    for a file that looks encrypted.
    """
    if not path.exists():
        return FileInfo(path, FileKind.MISSING)
    if path.is_dir():
        raise NotAKapdeskDatabase(path, "it is a folder")
    if path.stat().st_size == 0:
        return FileInfo(path, FileKind.EMPTY)
    _check_header(path, key)
    wal_present = sidecars(path)[0].exists()
    try:
        conn = connect_readonly(path, immutable=not wal_present, key=key)
        try:
            if key is not None:
                check_key(conn, path)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master "
                    "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            }
            revisions = (
                [row[0] for row in conn.execute(f"SELECT version_num FROM {ALEMBIC_TABLE}")]
                if ALEMBIC_TABLE in tables
                else []
            )
        finally:
            conn.close()
    except database_errors() as exc:
        raise NotAKapdeskDatabase(path, f"SQLite cannot read it: {exc}") from exc
    if not tables:
        return FileInfo(path, FileKind.EMPTY)
    if app_id != KAPDESK_APPLICATION_ID:
        raise NotAKapdeskDatabase(path, "it is an SQLite database made by another program")
    if ALEMBIC_TABLE not in tables:
        raise NotAKapdeskDatabase(path, "it has no schema revision")
    revision = ",".join(sorted(revisions)) if revisions else None
    return FileInfo(path, FileKind.KAPDESK, revision)


def _connect_existing(path: Path, key: str | None) -> Any:
    # Read-write but never creating: a backup source must exist. Unlike a
    # read-only connection, the last one to close tidies the -wal/-shm files.
    conn = connect(path, key=key, query="mode=rw")
    if key is not None:
        try:
            check_key(conn, path)
        except BaseException:
            conn.close()
            raise
    return conn


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    # Makes the rename durable on POSIX; Windows cannot open folders this way.
    with contextlib.suppress(OSError):
        _fsync_file(path)


BACKUP_STEP_PAGES = 4096  # a step of a backup with progress: 16 MB at 4 KiB pages


def copy_with_backup_api(
    src: Path, dest: Path, *, key: str | None = None, progress: Any = None
) -> None:
    """Copy database ``src`` into a new file ``dest`` with SQLite's online backup API.

    The copy is consistent even while other connections write to ``src``. It is
    written to ``<dest>.partial``, switched to rollback-journal mode (so the
    copy is one self-contained file), flushed to disk and only then renamed to
    ``dest``: a crash never leaves a half-written file under the final name.
    ``dest`` is replaced if it exists; callers decide whether that is allowed.
    With ``key`` both files are encrypted with it (SQLCipher's backup copies
    between databases keyed alike; it refuses plain <-> encrypted).
    """
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    source = _connect_existing(src, key)
    try:
        target = connect(partial, key=key)
        try:
            if progress is None:
                source.backup(target)
            else:  # in steps: progress(status, remaining, total) pages; raising aborts
                source.backup(target, pages=BACKUP_STEP_PAGES, progress=progress)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    _fsync_file(partial)
    os.replace(partial, dest)
    _fsync_dir(dest.parent)


def write_into_with_backup_api(src: Path, dest: Path, *, key: str | None = None) -> None:
    """Overwrite database ``dest`` with the content of ``src``, through ``dest``'s own connection.

    Used by restore: writing through SQLite keeps ``dest``'s WAL and locks
    coherent, where replacing the file under a WAL database would not.
    """
    source = _connect_existing(src, key)
    try:
        target = connect(dest, key=key)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
