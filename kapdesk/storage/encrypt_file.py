"""Convert a plain kapdesk database into an SQLCipher-encrypted one (``kapdesk encrypt``).

:func:`encrypt_database` works in this order, and changes nothing at ``path``
until the last step:

1. the file must be a plain kapdesk database that verifies (integrity,
   schema, audit chain) and that no other program has open;
2. a plain copy is taken with the backup API (``<name>.plain-<UTC>.bak``):
   the way back if anything about the encrypted file is wrong;
3. ``sqlcipher_export`` writes every table, index, trigger and row into a new
   encrypted file, plus ``application_id`` and ``user_version`` (the export
   does not copy those header fields);
4. holding an exclusive lock on the plain file (no one can write meanwhile),
   the new file is verified and compared with it table by table, row by row;
5. the encrypted file is moved over the original in one ``os.replace``.

Close every ``Database`` on the file first (the CLI runs in its own process,
where the in-use check of step 1 sees other programs' connections).

The plain copy is kept and returned: it holds every record unencrypted, so
the caller tells the user to check the encrypted database and then delete
the copy securely. Backups taken before the conversion are not encrypted
either.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapdesk.domain.clock import Clock, SystemClock
from kapdesk.storage.backup import ProblemKind, VerifyReport, verify_database
from kapdesk.storage.encryption import (
    PassphraseNeeded,
    check_passphrase,
    require_sqlcipher,
    sql_string,
)
from kapdesk.storage.errors import DatabaseMissing, NotAKapdeskDatabase, StorageError
from kapdesk.storage.filesystems import ensure_local_disk
from kapdesk.storage.sqlite_file import (
    FileKind,
    _fsync_dir,
    _fsync_file,
    copy_with_backup_api,
    inspect_file,
    sidecars,
)


class EncryptionFailed(StorageError):
    """The conversion was refused or failed; the database is as it was."""


@dataclass(frozen=True)
class EncryptResult:
    db_path: Path
    plain_backup: Path  # the unencrypted copy taken first: delete it securely once checked
    report: VerifyReport  # verification of the encrypted database


def _unique(path: Path) -> Path:
    for n in itertools.count():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}") if n else path
        if not candidate.exists():
            return candidate
    raise AssertionError("unreachable")


def _refuse_if_in_use(path: Path) -> None:
    # The last connection to close a WAL database checkpoints it and deletes the
    # -wal file. If it survives our own open-and-close, someone else has it open.
    # Plain sqlite3 on purpose: the app's own connections to a plain file use
    # that SQLite library, and one library does not see another's locks held
    # in the same process (sqlcipher3 links its own copy of SQLite).
    conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()
    if sidecars(path)[0].exists():
        raise EncryptionFailed(
            f"{path} is open in another kapdesk window or program; close it and try again "
            "(nothing was changed)."
        )


def _schema(conn: Any, db: str) -> list[tuple[Any, ...]]:
    return list(
        conn.execute(
            f"SELECT type, name, tbl_name, sql FROM {db}.sqlite_master ORDER BY type, name"
        )
    )


def _table_digest(conn: Any, db: str, table: str) -> tuple[int, str]:
    columns = len(conn.execute(f'SELECT * FROM {db}."{table}" LIMIT 0').description)
    order = ", ".join(str(n) for n in range(1, columns + 1))
    digest = hashlib.sha256()
    rows = 0
    for row in conn.execute(f'SELECT * FROM {db}."{table}" ORDER BY {order}'):
        digest.update(repr(row).encode())
        rows += 1
    return rows, digest.hexdigest()


def _differences(conn: Any) -> list[str]:
    """What differs between ``main`` (plain) and the attached ``enc`` database."""
    if _schema(conn, "main") != _schema(conn, "enc"):
        return ["the schema (tables, indexes, triggers) differs"]
    found = []
    for (table,) in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY name"
    ).fetchall():
        if _table_digest(conn, "main", table) != _table_digest(conn, "enc", table):
            found.append(f"table {table} differs")
    for header in ("application_id", "user_version"):
        main = conn.execute(f"PRAGMA main.{header}").fetchone()[0]
        if conn.execute(f"PRAGMA enc.{header}").fetchone()[0] != main:
            found.append(f"{header} differs")
    return found


@contextlib.contextmanager
def _plain_connection(path: Path) -> Iterator[Any]:
    conn = require_sqlcipher().connect(f"{path.as_uri()}?mode=rw", uri=True, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def _export(conn: Any, partial: Path, key: str) -> None:
    conn.execute(f"ATTACH DATABASE {sql_string(str(partial))} AS enc KEY {sql_string(key)}")
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("SELECT sqlcipher_export('enc')")
    for header in ("application_id", "user_version"):
        value = int(conn.execute(f"PRAGMA main.{header}").fetchone()[0])
        conn.execute(f"PRAGMA enc.{header} = {value}")
    conn.execute("COMMIT")


def _first_real(report: VerifyReport) -> str:
    return next(p.message for p in report.problems if p.kind is not ProblemKind.SCHEMA_BEHIND)


def _check_source(path: Path) -> None:
    try:
        info = inspect_file(path)
    except PassphraseNeeded:
        raise EncryptionFailed(f"{path} already looks encrypted; nothing was changed.") from None
    if info.kind is FileKind.MISSING:
        raise DatabaseMissing(path)
    if info.kind is FileKind.EMPTY:
        raise NotAKapdeskDatabase(path, "it is empty")
    report = verify_database(path)
    if not report.restorable:  # an older schema is fine: the next open upgrades it
        raise EncryptionFailed(
            f"{path} does not verify ({_first_real(report)}); run kapdesk check and "
            "fix that first (nothing was changed)."
        )


def encrypt_database(path: Path, key: str, *, clock: Clock | None = None) -> EncryptResult:
    """Encrypt the plain database at ``path`` with passphrase ``key``; see the module docstring.

    Raises :class:`EncryptionFailed` (nothing changed, no copy left behind)
    when refused or when the encrypted file does not match the original.
    """
    path = Path(path).absolute()
    check_passphrase(key, new=True)
    require_sqlcipher()
    ensure_local_disk(path)
    _check_source(path)
    _refuse_if_in_use(path)

    stamp = (clock or SystemClock()).now().strftime("%Y%m%dT%H%M%SZ")
    plain_backup = _unique(path.with_name(f"{path.name}.plain-{stamp}.bak"))
    partial = path.with_name(path.name + ".encrypting")
    partial.unlink(missing_ok=True)
    copy_with_backup_api(path, plain_backup)
    swapped = False
    try:
        with _plain_connection(path) as conn:
            # One self-contained file while we hold the lock: no WAL to forget.
            conn.execute("PRAGMA journal_mode = DELETE")
            _export(conn, partial, key)
            report = verify_database(partial, key=key)
            problems = [
                p.message for p in report.problems if p.kind is not ProblemKind.SCHEMA_BEHIND
            ]
            conn.execute("BEGIN EXCLUSIVE")  # nobody writes from here to the swap
            problems += _differences(conn)
            if problems:
                raise EncryptionFailed(
                    f"the encrypted copy of {path} did not match it ({problems[0]}); "
                    "nothing was changed."
                )
            _fsync_file(partial)
            if os.name == "nt":  # pragma: no cover - Windows cannot replace an open file
                conn.execute("ROLLBACK")
                conn.close()
            os.replace(partial, path)
            swapped = True
            _fsync_dir(path.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        if not swapped:
            plain_backup.unlink(missing_ok=True)
        raise
    for stale in sidecars(path):  # the plain file's, never to be read with the new one
        stale.unlink(missing_ok=True)
    path.with_name(path.name + "-journal").unlink(missing_ok=True)
    return EncryptResult(path, plain_backup, verify_database(path, key=key))
