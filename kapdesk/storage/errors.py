"""Errors the storage layer raises on purpose; each message is one sentence fit for a screen.

All subclass :class:`kapdesk.domain.errors.KapdeskError`, so a front end that
shows ``str(error)`` for every ``KapdeskError`` needs nothing storage-specific.
"""

from __future__ import annotations

from pathlib import Path

from kapdesk.domain.errors import KapdeskError


class StorageError(KapdeskError):
    """Base of the storage errors below."""


class DatabaseMissing(StorageError):
    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"There is no kapdesk database at {path}.")


class NotAKapdeskDatabase(StorageError):
    """The file is not SQLite, is damaged, or is some other program's SQLite database."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path} is not a kapdesk database ({reason}).")


class SchemaTooNew(StorageError):
    """Written by a newer kapdesk (or an unknown schema revision); the file was not touched."""

    def __init__(self, path: Path, revision: str, head: str) -> None:
        self.path = path
        self.revision = revision
        self.head = head
        super().__init__(
            f"{path} was written by a newer version of kapdesk (schema {revision}; this "
            f"version knows up to {head}); it was left untouched, so please upgrade kapdesk."
        )


class DatabaseBusy(StorageError):
    """Another program held the write lock for longer than the busy timeout."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"The database {path} is busy in another kapdesk window or program; "
            "nothing was saved, please try again."
        )


class BackupError(StorageError):
    """A backup or restore that was refused or failed; the message says why."""


class MigrationFailed(StorageError):
    """An upgrade that failed and was rolled back; the database is as it was before."""

    def __init__(self, path: Path, target: str, reason: str, backup: Path | None) -> None:
        self.path = path
        self.target = target
        self.reason = reason
        self.backup = backup
        kept = f"; a copy taken before the attempt is at {backup}" if backup else ""
        super().__init__(
            f"Upgrading {path} to schema {target} failed and was undone ({reason}){kept}."
        )
