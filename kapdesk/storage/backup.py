"""Backups, restore and the integrity check behind ``kapdesk check``.

* :func:`backup_database` - an online, consistent copy made with SQLite's
  backup API (safe while the app is running); refuses to overwrite unless told.
* :func:`verify_database` - ``integrity_check``, ``foreign_key_check``, schema
  at head, audit chain; read-only, returns a :class:`VerifyReport` listing each
  problem (it raises only for a missing file).
* :func:`restore_database` - verifies the backup first, keeps the file it
  replaces aside as ``<name>.replaced-<UTC timestamp>``, then writes the backup
  into place with the backup API. A backup at an older schema is accepted:
  the next ``Database.open`` upgrades it (after its own backup copy).

Each takes ``key``, the passphrase of an encrypted database: copies of an
encrypted database are encrypted with the same key, and a wrong key raises
:class:`~kapdesk.storage.encryption.WrongPassphrase` before anything is written.
"""

from __future__ import annotations

import enum
import itertools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapdesk.domain.clock import Clock, SystemClock
from kapdesk.i18n import _
from kapdesk.storage.audit_chain import ChainReport, verify_chain
from kapdesk.storage.early_integrity import INTEGRITY_PRAGMA
from kapdesk.storage.encryption import WrongPassphrase, database_errors
from kapdesk.storage.errors import BackupError, DatabaseMissing, NotAKapdeskDatabase
from kapdesk.storage.revisions import head_revision, known_revisions
from kapdesk.storage.sqlite_file import (
    FileKind,
    connect_readonly,
    copy_with_backup_api,
    inspect_file,
    sidecars,
    write_into_with_backup_api,
)

MAX_LISTED = 20  # problems of one kind listed one by one before summarising


class ProblemKind(enum.Enum):
    NOT_KAPDESK = "not_kapdesk"
    SCHEMA_TOO_NEW = "schema_too_new"
    SCHEMA_BEHIND = "schema_behind"  # fine for a backup: opening it upgrades it
    INTEGRITY = "integrity"
    FOREIGN_KEY = "foreign_key"
    AUDIT = "audit"


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    message: str


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    problems: tuple[Problem, ...]
    revision: str | None
    head: str
    audit: ChainReport | None  # None when the chain could not be checked

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def restorable(self) -> bool:
        """Good enough to restore from: every problem (if any) is an older schema."""
        return all(p.kind is ProblemKind.SCHEMA_BEHIND for p in self.problems)

    def messages(self) -> list[str]:
        return [p.message for p in self.problems]

    def lines(self) -> list[str]:
        """What ``kapdesk check`` prints: one summary line if ok, else one line per problem."""
        if self.problems:
            return [f"{self.path}: {p.message}" for p in self.problems]
        entries = self.audit.entries_checked if self.audit else 0
        return [
            _(
                "{path}: ok (integrity, foreign keys, schema {revision} is current, audit trail "
                "of {n} entries intact)",
                path=self.path,
                revision=self.revision,
                n=entries,
            )
        ]


@dataclass(frozen=True)
class RestoreResult:
    db_path: Path
    replaced_kept_at: Path | None  # the file that was replaced, or None if there was none
    report: VerifyReport  # verification of the restored file


def _listed(kind: ProblemKind, messages: list[str]) -> list[Problem]:
    shown = [Problem(kind, m) for m in messages[:MAX_LISTED]]
    if len(messages) > MAX_LISTED:
        shown.append(
            Problem(
                kind,
                _(
                    "... and at least {n} more {kind} problems",
                    n=len(messages) - MAX_LISTED,
                    kind=kind.value,
                ),
            )
        )
    return shown


def integrity_problems(rows: Callable[[], list[Any]]) -> list[Problem]:
    """The findings of ``integrity_check`` whose rows ``rows()`` gives, on a connection
    already open (``rows`` raising what SQLite raised: the file is unreadable)."""
    try:
        found = rows()
    except database_errors() as exc:
        return [Problem(ProblemKind.INTEGRITY, _("SQLite cannot read the file: {exc}", exc=exc))]
    if found == ["ok"]:
        return []
    lines = [
        line.strip()
        for row in found
        for line in str(row).splitlines()
        if line.strip() and not line.startswith("***")
    ]
    return _listed(ProblemKind.INTEGRITY, [_("integrity check: {line}", line=ln) for ln in lines])


FOREIGN_KEY_PRAGMA = "PRAGMA foreign_key_check"


def foreign_key_problems(rows: list[Any]) -> list[Problem]:
    """The findings of ``foreign_key_check`` whose rows are ``rows``."""
    broken = [
        _(
            "foreign key: {table} row {rowid} refers to a {parent} row that does not exist",
            table=table,
            rowid=rowid,
            parent=parent,
        )
        for table, rowid, parent, _fk in rows
    ]
    return _listed(ProblemKind.FOREIGN_KEY, broken)


def _sqlite_checks(
    path: Path, key: str | None, *, integrity: bool = True, foreign_keys: bool = True
) -> list[Problem]:
    """``integrity_check`` then ``foreign_key_check`` (either may be left out, so that
    ``kapdesk check`` can run them side by side)."""
    wal_present = sidecars(path)[0].exists()
    conn = connect_readonly(path, immutable=not wal_present, key=key)
    try:
        if integrity:
            found = integrity_problems(lambda: [r[0] for r in conn.execute(INTEGRITY_PRAGMA)])
            if found or not foreign_keys:
                return found
        return foreign_key_problems(list(conn.execute(FOREIGN_KEY_PRAGMA)))
    except database_errors() as exc:
        return [Problem(ProblemKind.INTEGRITY, _("SQLite cannot read the file: {exc}", exc=exc))]
    finally:
        conn.close()


def _audit_check(path: Path, key: str | None) -> tuple[ChainReport | None, list[Problem]]:
    from kapdesk.storage.engine import create_readonly_engine

    engine = create_readonly_engine(path, key=key)
    try:
        with engine.connect() as conn:
            report = verify_chain(conn)
    except Exception as exc:  # any failure to read the log is itself a finding
        return None, [Problem(ProblemKind.AUDIT, _("audit log unreadable: {exc}", exc=exc))]
    finally:
        engine.dispose()
    if report.ok:
        return report, []
    return report, [
        Problem(ProblemKind.AUDIT, _("audit trail broken: {problem}", problem=report.problem))
    ]


def verify_database(path: Path, *, key: str | None = None) -> VerifyReport:
    """Check the database at ``path`` without writing to it; see :class:`VerifyReport`.

    An encrypted file without ``key`` is reported as a problem that says so; a
    wrong ``key`` (or one for a plain file) raises, as it says nothing about the file.
    """
    path = Path(path)
    head = head_revision()
    if not path.is_file() and not path.is_dir():
        raise DatabaseMissing(path)
    try:
        info = inspect_file(path, key=key)
    except NotAKapdeskDatabase as exc:
        return VerifyReport(path, (Problem(ProblemKind.NOT_KAPDESK, str(exc)),), None, head, None)
    if info.kind is not FileKind.KAPDESK:
        problem = Problem(
            ProblemKind.NOT_KAPDESK, _("{path} is empty: it holds no kapdesk data.", path=path)
        )
        return VerifyReport(path, (problem,), None, head, None)

    problems: list[Problem] = []
    known = info.revision is None or info.revision in known_revisions()
    if not known:
        problems.append(
            Problem(
                ProblemKind.SCHEMA_TOO_NEW,
                _(
                    "schema {revision} is newer than this kapdesk knows (up to {head})",
                    revision=info.revision,
                    head=head,
                ),
            )
        )
    elif info.revision != head:
        problems.append(
            Problem(
                ProblemKind.SCHEMA_BEHIND,
                _(
                    "schema {revision} is older than {head}; kapdesk upgrades it when it next "
                    "opens the file",
                    revision=info.revision or _("(none)"),
                    head=head,
                ),
            )
        )
    sqlite_problems = _sqlite_checks(path, key)
    problems.extend(sqlite_problems)
    audit: ChainReport | None = None
    readable = not any(p.kind is ProblemKind.INTEGRITY for p in sqlite_problems)
    if known and info.revision is not None and readable:
        audit, audit_problems = _audit_check(path, key)
        problems.extend(audit_problems)
    return VerifyReport(path, tuple(problems), info.revision, head, audit)


def backup_database(
    src_path: Path,
    dest_path: Path,
    *,
    overwrite: bool = False,
    key: str | None = None,
    progress: Callable[[int, int, int], object] | None = None,
) -> Path:
    """Copy the kapdesk database ``src_path`` to ``dest_path`` (online, consistent).

    Refuses (:class:`BackupError`, nothing written) when ``dest_path`` exists
    and ``overwrite`` is false, or when it is the source itself. The copy of
    an encrypted database (``key``) is encrypted with the same key. It is written
    under a temporary name (``<dest>.partial``) and renamed when complete.

    With ``progress`` the copy is made in steps (16 MB each), calling
    ``progress(status, remaining_pages, total_pages)`` after each; an exception it
    raises abandons the copy (the partial file is removed; nothing else changes).
    """
    src, dest = Path(src_path).absolute(), Path(dest_path).absolute()
    info = inspect_file(src, key=key)
    if info.kind is FileKind.MISSING:
        raise DatabaseMissing(src)
    if info.kind is FileKind.EMPTY:
        raise NotAKapdeskDatabase(src, "it is empty")
    if dest.exists():
        if dest.is_dir():
            raise BackupError(_("{dest} is a folder; give a file name for the backup.", dest=dest))
        if os.path.samefile(src, dest):
            raise BackupError(
                _("{dest} is the database itself; choose another file name.", dest=dest)
            )
        if not overwrite:
            raise BackupError(
                _(
                    "{dest} already exists; choose another file name (nothing was written).",
                    dest=dest,
                )
            )
    dest.parent.mkdir(parents=True, exist_ok=True)
    copy_with_backup_api(src, dest, key=key, progress=progress)
    return dest


def _unique(path: Path) -> Path:
    for n in itertools.count():
        candidate = path.with_name(f"{path.name}-{n}") if n else path
        if not candidate.exists():
            return candidate
    raise AssertionError("unreachable")


def _set_aside(db_path: Path, aside: Path, key: str | None) -> bool:
    """Keep the file about to be replaced; returns False if SQLite could not read it."""
    unreadable: tuple[type[Exception], ...] = (*database_errors(), WrongPassphrase)
    try:
        copy_with_backup_api(db_path, aside, key=key)
        return True
    except unreadable:
        # Damaged or not SQLite (often the reason for restoring): keep the raw bytes.
        shutil.copy2(db_path, aside)
        wal = sidecars(db_path)[0]
        if wal.exists():
            shutil.copy2(wal, aside.with_name(aside.name + "-wal"))
        return False


def restore_database(
    backup_path: Path, db_path: Path, *, clock: Clock | None = None, key: str | None = None
) -> RestoreResult:
    """Replace the database at ``db_path`` with the verified backup ``backup_path``.

    Raises :class:`BackupError` (nothing changed) if the backup fails
    verification or is the database itself. Whatever was at ``db_path`` is
    kept beside it as ``<name>.replaced-<UTC timestamp>``; if SQLite cannot
    read that file, its raw bytes are kept instead. Close the app first: other
    open connections would see the content switch under them. With ``key``
    the backup must be encrypted with it, and the database stays encrypted.
    """
    backup, target = Path(backup_path).absolute(), Path(db_path).absolute()
    if not backup.is_file():
        raise DatabaseMissing(backup)
    if target.exists() and os.path.samefile(backup, target):
        raise BackupError(_("{backup} is the database itself; nothing to restore.", backup=backup))
    report = verify_database(backup, key=key)
    if not report.restorable:
        first = next(p for p in report.problems if p.kind is not ProblemKind.SCHEMA_BEHIND)
        why = first.message.rstrip(".")
        raise BackupError(
            _("{backup} cannot be restored: {why}; nothing was changed.", backup=backup, why=why)
        )

    aside: Path | None = None
    if target.exists():
        stamp = (clock or SystemClock()).now().strftime("%Y%m%dT%H%M%SZ")
        aside = _unique(target.with_name(f"{target.name}.replaced-{stamp}"))
        if _set_aside(target, aside, key):
            write_into_with_backup_api(backup, target, key=key)
        else:
            for stale in (target, *sidecars(target)):
                stale.unlink(missing_ok=True)
            copy_with_backup_api(backup, target, key=key)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        copy_with_backup_api(backup, target, key=key)
    return RestoreResult(target, aside, verify_database(target, key=key))
